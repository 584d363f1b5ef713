"""``ketenregister-client checkpoint``, ``verify-entry`` and ``monitor`` against the real app."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from clients import cli
from clients.logreader import LogReader
from clients.sdk import RegistryClient
from registry.auditlog.signer import LogSigner
from registry.models import AuditLogEntry
from tests.conftest import AUDIENCE, AppClient, DemoKey, GraphQL
from tests.helpers import AppTransport


@pytest.fixture
def as_partner(
    client: AppClient, demo_keys: dict[str, DemoKey], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every log command the CLI runs talks to the real app, as Nijestee."""
    key = demo_keys["nijestee"]

    def reader(_options: object) -> LogReader:
        return LogReader(
            RegistryClient(
                url="http://testserver",
                partner_id="nijestee",
                key_id=key.kid,
                private_key=key.private_key,
                audience=AUDIENCE,
                transport=AppTransport(client.app),
            )
        )

    monkeypatch.setattr(cli, "_log_reader", reader)


def _run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli.main, ["--key-file", "unused.json", *args])
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.usefixtures("as_partner")
def test_checkpoint_prints_the_verified_note(log_signer: LogSigner) -> None:
    code, out, err = _run("checkpoint", "--log-key", log_signer.verifier_key)
    assert code == 0, err
    assert out.startswith("ketenregister.test/log\n")
    assert "checkpoint verified: ketenregister.test/log," in err
    assert "warning" not in err


@pytest.mark.usefixtures("as_partner")
def test_checkpoint_with_the_wrong_key_fails_and_without_one_warns() -> None:
    other = LogSigner.generate("ketenregister.test/log").verifier_key
    code, _, err = _run("checkpoint", "--log-key", other)
    assert code == 1
    assert "verification failed: signature by ketenregister.test/log has key ID" in err
    code, _, err = _run("checkpoint")
    assert code == 0
    assert "warning: trusting the log key the registry serves itself; pin it with --log-key" in err


@pytest.mark.usefixtures("as_partner")
def test_verify_entry_proves_an_entry_and_catches_an_edit(
    log_signer: LogSigner, sessions: sessionmaker[Session]
) -> None:
    code, out, err = _run("verify-entry", "7", "--log-key", log_signer.verifier_key)
    assert code == 0, err
    shown = json.loads(out)
    assert shown["index"] == 7
    assert shown["entry"]["index"] == 7
    assert "entry 7 is in the log of" in err
    with sessions.begin() as session:
        session.execute(
            update(AuditLogEntry)
            .where(AuditLogEntry.log_index == 7)
            .values(submitter_id="x", canonical=b'{"index":7,"v":1}')
        )
    code, _, err = _run(
        "verify-entry", "7", "--log-key", log_signer.verifier_key, "--leaf-hash", shown["leafHash"]
    )
    assert code == 1
    assert "verification failed: entry 7 was edited" in err


@pytest.mark.usefixtures("as_partner")
def test_verify_entry_beyond_the_log_is_invalid_input(log_signer: LogSigner) -> None:
    code, _, err = _run("verify-entry", "99999999", "--log-key", log_signer.verifier_key)
    assert code == 1
    assert "INVALID_INPUT: index 99999999 is beyond tree size" in err


@pytest.mark.usefixtures("as_partner")
def test_monitor_remembers_and_follows_the_log(
    log_signer: LogSigner, gql: GraphQL, tmp_path: Path
) -> None:
    state = str(tmp_path / "state.json")
    code, out, _ = _run("monitor", "--state", state, "--log-key", log_signer.verifier_key)
    assert code == 0
    assert out.startswith("ok: first checkpoint, size ")
    gql(
        "gemeente-groningen",
        """mutation { issueGrant(input: {municipality: "groningen",
        partnerKind: WELFARE, fields: ["evictionDate"]}) { id } }""",
    )
    code, out, _ = _run("monitor", "--state", state, "--log-key", log_signer.verifier_key)
    assert code == 0
    assert out.startswith("ok: grew from size ")
