"""Rotating and revoking a partner's key with ``ketenregister partner``: the partner makes its
key pair on its own side, the operator registers the public half, and a revoked key signs no
further token, while the partner's other keys keep working."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session, sessionmaker

from clients.tokens import sign_token
from registry.app import create_app
from registry.cli import main
from registry.config import Settings
from tests.conftest import AUDIENCE, AppClient, Clock, DemoKey

PARTNER = "gemeente-zaanstad"
QUERY = {"query": "{ cases(first: 1) { nodes { id } } }"}


def _own_key_pair(tmp_path: Path) -> tuple[str, Path]:
    """A key pair made on the partner's side: its private key (PEM) and its public key file."""
    private = Ed25519PrivateKey.generate()
    public = tmp_path / "zaanstad-public.pem"
    public.write_bytes(
        private.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()
    return pem, public


def _ask(client: AppClient, kid: str, private_key: str, clock: Clock) -> Any:
    token = sign_token(
        partner_id=PARTNER,
        key_id=kid,
        private_key=private_key,
        audience=AUDIENCE,
        now=clock.now.timestamp(),
    )
    answer = client.post("/graphql", json=QUERY, headers={"Authorization": f"Bearer {token}"})
    return answer.status_code, answer.json()


def test_a_new_key_is_registered_listed_and_a_revoked_one_refused(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Clock,
    database_url: str,
    demo_keys: dict[str, DemoKey],
    tmp_path: Path,
) -> None:
    # No staleness: this test's revocation is made "in another process" (the CLI), and the
    # app should see it on the next request rather than within the usual second.
    app = create_app(
        settings.replace(policy_staleness_seconds=0), clock=clock, session_factory=sessions
    )
    client = AppClient(app)
    cli = CliRunner()
    private_pem, public = _own_key_pair(tmp_path)

    added = cli.invoke(
        main, ["partner", "add-key", "--database-url", database_url, PARTNER, str(public)]
    )
    assert added.exit_code == 0, added.output
    match = re.fullmatch(rf"key ({PARTNER}-[0-9a-f]{{8}}) registered for {PARTNER}\n", added.output)
    assert match is not None, added.output
    kid = match.group(1)

    status, body = _ask(client, kid, private_pem, clock)
    assert status == 200 and "errors" not in body

    listed = cli.invoke(main, ["partner", "keys", "--database-url", database_url, PARTNER])
    assert listed.exit_code == 0
    assert re.search(rf"^{kid}  registered \S+  in use$", listed.output, re.M)

    revoked = cli.invoke(main, ["partner", "revoke-key", "--database-url", database_url, kid])
    assert revoked.exit_code == 0
    assert revoked.output == (
        f"key {kid} of {PARTNER} revoked; running registries refuse it within seconds\n"
    )

    status, body = _ask(client, kid, private_pem, clock)
    assert status == 401
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # The partner's other key is untouched.
    own = demo_keys[PARTNER]
    status, body = _ask(client, own.kid, own.private_key, clock)
    assert status == 200 and "errors" not in body

    listed = cli.invoke(main, ["partner", "keys", "--database-url", database_url, PARTNER])
    assert re.search(rf"^{kid}  registered \S+  revoked \S+$", listed.output, re.M)
    assert re.search(rf"^{own.kid}  registered \S+  in use$", listed.output, re.M)


def test_revoking_twice_or_an_unknown_key_is_one_line_and_changes_nothing(
    database_url: str, demo_keys: dict[str, DemoKey]
) -> None:
    cli = CliRunner()
    kid = demo_keys[PARTNER].kid
    assert (
        cli.invoke(main, ["partner", "revoke-key", "--database-url", database_url, kid]).exit_code
        == 0
    )

    again = cli.invoke(main, ["partner", "revoke-key", "--database-url", database_url, kid])
    assert again.exit_code == 1
    assert re.fullmatch(rf"Error: key {kid} was revoked already, at \S+\n", again.output)

    unknown = cli.invoke(main, ["partner", "revoke-key", "--database-url", database_url, "nope-1"])
    assert (unknown.exit_code, unknown.output) == (1, "Error: no key 'nope-1' is registered\n")

    nobody = cli.invoke(main, ["partner", "keys", "--database-url", database_url, "nobody"])
    assert (nobody.exit_code, nobody.output) == (1, "Error: unknown partner 'nobody'\n")


def test_a_key_made_with_the_partner_client_is_registered_under_the_id_in_its_key_file(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Clock,
    database_url: str,
    tmp_path: Path,
) -> None:
    from clients.cli import main as client_main
    from clients.keyfile import load_key_file

    out = tmp_path / "zaanstad.json"
    made = CliRunner().invoke(
        client_main,
        [
            *("keygen", "--partner", PARTNER, "--registry", "http://testserver"),
            *("--audience", AUDIENCE, "--out", str(out)),
        ],
    )
    assert made.exit_code == 0, made.output
    public = tmp_path / "public.pem"
    public.write_text(made.stdout)
    key_file = load_key_file(out)

    added = CliRunner().invoke(
        main, ["partner", "add-key", "--database-url", database_url, PARTNER, str(public)]
    )
    # The registry names the key exactly as the partner's key file already does.
    assert added.output == f"key {key_file.kid} registered for {PARTNER}\n"
    client = AppClient(create_app(settings, clock=clock, session_factory=sessions))
    status, body = _ask(client, key_file.kid, key_file.private_key, clock)
    assert status == 200 and "errors" not in body
