"""``ketenregister-client``: the partner command line over the SDK.

::

    ketenregister-client keygen --partner ID --kid KID --registry URL --audience AUD --out FILE
    ketenregister-client --key-file FILE [--act WHO] [--purpose WHY] case CASE_ID
    ketenregister-client --key-file FILE query '{ ... }' [--variables JSON]
    ketenregister-client --key-file FILE query @query.graphql
    ketenregister-client --key-file FILE token      # one bearer token, e.g. for GraphiQL
    ketenregister-client --key-file FILE checkpoint [--log-key VKEY]
    ketenregister-client --key-file FILE verify-entry INDEX [--leaf-hash B64] [--log-key VKEY]
        [--witness-key WKEY ... [--witnesses-required K]]
    ketenregister-client --key-file FILE monitor --state FILE [--log-key VKEY]
        [--witness-key WKEY ... [--witnesses-required K]]
    ketenregister-client witness keygen --name NAME --out FILE
    ketenregister-client witness serve --secret-key FILE --state-file FILE --log-key VKEY
        [--host 127.0.0.1] [--port 7380]

Registry and network errors, and failed log checks, end in a one-line message on stderr and
exit code 1; ``monitor`` exits with 3 when the log rolled back, forked or was truncated.
The log's verifier key comes from ``--log-key`` (or ``KETENREGISTER_LOG_KEY``); without it
the key the registry serves is used, with a warning: pin it. ``--witness-key`` (repeated, or
``KETENREGISTER_WITNESS_KEYS``) and ``--witnesses-required`` (default: all of them) make
``verify-entry`` and ``monitor`` fail unless that many of those witnesses cosigned the
checkpoint.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import click
import httpx

from clients import witness as witness_server
from clients.cosignature import WitnessPolicy, WitnessSigner
from clients.errors import RegistryClientError, VerificationError
from clients.keyfile import KeyFile, KeyFileError, load_key_file, write_key_file
from clients.logreader import LogReader, verify_entry
from clients.sdk import RegistryClient
from clients.tokens import generate_key_pair, sign_token
from clients.verify import verify_checkpoint

__all__ = ["main"]

T = TypeVar("T")
#: Exit code of ``monitor`` when the log rolled back, forked or was truncated.
MISBEHAVIOUR_EXIT = 3


@dataclass(frozen=True)
class _Options:
    key_file: Path | None
    act: str | None
    purpose: str | None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ketenregister", prog_name="ketenregister-client")
@click.option(
    "--key-file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Partner key file (JSON) with partner id, key id, private key, registry URL.",
)
@click.option("--act", metavar="WHO", help="Staff member acting, for the access log.")
@click.option("--purpose", metavar="WHY", help="Processing purpose, e.g. eviction_prevention.")
@click.pass_context
def main(ctx: click.Context, key_file: Path | None, act: str | None, purpose: str | None) -> None:
    """Ketenregister partner client: keys, cases and GraphQL queries."""
    ctx.obj = _Options(key_file=key_file, act=act, purpose=purpose)


@main.command()
@click.option("--partner", required=True, help="Partner id (slug).")
@click.option("--kid", required=True, help="Key id to register the public key under.")
@click.option("--registry", required=True, metavar="URL", help="The registry's base URL.")
@click.option("--audience", required=True, help="The registry's audience string.")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, writable=True, path_type=Path),
    help="Key file to write (mode 0600).",
)
@click.option("--force", is_flag=True, help="Overwrite an existing key file.")
def keygen(partner: str, kid: str, registry: str, audience: str, out: Path, force: bool) -> None:
    """Generate a key pair, write the key file, print the public key to register."""
    private_pem, public_pem = generate_key_pair()
    key_file = KeyFile(
        partner=partner, kid=kid, private_key=private_pem, registry=registry, audience=audience
    )
    try:
        write_key_file(out, key_file, overwrite=force)
    except (KeyFileError, OSError) as exc:
        raise click.ClickException(_one_line(str(exc))) from None
    click.echo(
        f"Wrote {out} (mode 0600). Register this public key for partner {partner!r}, "
        f"key id {kid!r}:",
        err=True,
    )
    click.echo(public_pem, nl=False)


@main.command()
@click.argument("case_id")
@click.pass_obj
def case(options: _Options, case_id: str) -> None:
    """Print the shared case record CASE_ID as JSON."""
    with _client(options) as client, _reported():
        record = client.case(case_id)
    if record is None:
        click.echo(f"case {case_id} not found (or not visible to you)", err=True)
        click.get_current_context().exit(1)
    _print_json(record)


@main.command()
@click.argument("query_text", metavar="QUERY_OR_@FILE")
@click.option("--variables", metavar="JSON", help="Variables as a JSON object.")
@click.pass_obj
def query(options: _Options, query_text: str, variables: str | None) -> None:
    """Run a GraphQL query (text, @FILE, or @- for stdin) and print its data as JSON."""
    if query_text.startswith("@"):
        with click.open_file(query_text[1:], encoding="utf-8") as source:
            query_text = source.read()
    parsed: dict[str, Any] | None = None
    if variables is not None:
        try:
            value = json.loads(variables)
        except json.JSONDecodeError as exc:
            raise click.BadParameter(f"not JSON: {exc}", param_hint="--variables") from None
        if not isinstance(value, dict):
            raise click.BadParameter("must be a JSON object", param_hint="--variables")
        parsed = value
    with _client(options) as client, _reported():
        data = client.execute(query_text, parsed)
    _print_json(data)


@main.command()
@click.option("--lifetime", default=120, show_default=True, help="Seconds (at most 300).")
@click.pass_obj
def token(options: _Options, lifetime: int) -> None:
    """Print one fresh bearer token (for GraphiQL or curl); it is accepted once."""
    if options.key_file is None:
        raise click.UsageError("--key-file is required for this command")
    try:
        key = load_key_file(options.key_file)
        click.echo(
            sign_token(
                partner_id=key.partner,
                key_id=key.kid,
                private_key=key.private_key,
                audience=key.audience,
                act=options.act,
                purpose=options.purpose,
                lifetime=lifetime,
            )
        )
    except (KeyFileError, OSError, ValueError) as exc:
        raise click.ClickException(_one_line(str(exc))) from None


log_key_option = click.option(
    "--log-key",
    envvar="KETENREGISTER_LOG_KEY",
    metavar="VKEY",
    help="The log's verifier key (<origin>+<key ID>+<key>); default: the registry's /log/key.",
)


def witness_policy_options(command: Callable[..., T]) -> Callable[..., T]:
    """``--witness-key`` (repeated) and ``--witnesses-required``: "k of these witnesses"."""
    command = click.option(
        "--witnesses-required",
        envvar="KETENREGISTER_WITNESSES_REQUIRED",
        type=click.IntRange(min=1),
        metavar="K",
        help="How many of the --witness-key witnesses must have cosigned (default: all).",
    )(command)
    return click.option(
        "--witness-key",
        "witness_keys",
        multiple=True,
        envvar="KETENREGISTER_WITNESS_KEYS",
        metavar="WKEY",
        help="A witness's verifier key (<name>+<key ID>+<key>, type 0x04); repeat per witness.",
    )(command)


def _witness_policy(keys: tuple[str, ...], required: int | None) -> WitnessPolicy | None:
    if not keys:
        if required is not None:
            raise click.UsageError("--witnesses-required needs at least one --witness-key")
        return None
    try:
        return WitnessPolicy.of(keys, required)
    except VerificationError as exc:
        raise click.UsageError(_one_line(str(exc))) from None


def _log_reader(options: _Options) -> LogReader:
    return LogReader(_client(options))


def _verifier_key(reader: LogReader, log_key: str | None) -> str:
    if log_key:
        return log_key
    click.echo(
        "warning: trusting the log key the registry serves itself; pin it with --log-key",
        err=True,
    )
    return reader.verifier_key()


def _checked(check: Callable[[], T]) -> T:
    try:
        return check()
    except VerificationError as exc:
        raise click.ClickException(_one_line(f"verification failed: {exc}")) from None


@main.command()
@log_key_option
@click.pass_obj
def checkpoint(options: _Options, log_key: str | None) -> None:
    """Fetch the log's latest checkpoint, verify its signature, and print it."""
    reader = _log_reader(options)
    with reader.client, _reported():
        vkey = _verifier_key(reader, log_key)
        note = reader.checkpoint()
    verified = _checked(lambda: verify_checkpoint(note, vkey))
    click.echo(f"checkpoint verified: {verified.origin}, {verified.size} entries", err=True)
    click.echo(note, nl=False)


@main.command("verify-entry")
@click.argument("index", type=click.IntRange(min=0))
@click.option("--tree-size", type=click.IntRange(min=1), help="Prove in this tree size.")
@click.option("--leaf-hash", metavar="B64", help="The leaf hash you were given for the entry.")
@log_key_option
@witness_policy_options
@click.pass_obj
def verify_entry_command(
    options: _Options,
    index: int,
    tree_size: int | None,
    leaf_hash: str | None,
    log_key: str | None,
    witness_keys: tuple[str, ...],
    witnesses_required: int | None,
) -> None:
    """Fetch log entry INDEX with its inclusion proof, verify it offline, print it as JSON.

    When the registry shows the entry's event (as the policies allow), the event is checked
    against the commitment in the entry's leaf and printed too; otherwise ``event`` is null.
    With --witness-key, the checkpoint it is proved in must carry enough of those witnesses'
    cosignatures: by default the latest checkpoint the registry had cosigned (GET /checkpoint).
    """
    policy = _witness_policy(witness_keys, witnesses_required)
    expected = None
    if leaf_hash is not None:
        try:
            expected = base64.b64decode(leaf_hash, validate=True)
        except ValueError:
            raise click.BadParameter("not base64", param_hint="--leaf-hash") from None
    reader = _log_reader(options)
    with reader.client, _reported():
        vkey = _verifier_key(reader, log_key)
        if policy is not None and tree_size is None:
            # The registry collects cosignatures when /checkpoint is asked for; prove the
            # entry in that checkpoint rather than in one the witnesses have not seen yet.
            note = reader.checkpoint()
            tree_size = _checked(lambda: verify_checkpoint(note, vkey)).size or None
        entry = reader.entry(index, tree_size)
    verified = _checked(
        lambda: verify_entry(entry, vkey, expected_leaf_hash=expected, witnesses=policy)
    )
    event = _checked(lambda: entry.event)
    click.echo(
        f"entry {index} is in the log of {verified.size} entries "
        f"(checkpoint of {verified.origin} verified"
        + (f", cosigned by {policy.required} of the witnesses required); " if policy else "); ")
        + (
            "its event matches the entry's commitment"
            if event is not None
            else "its event is withheld from you"
        ),
        err=True,
    )
    _print_json(
        {
            "index": entry.index,
            "treeSize": verified.size,
            "leafHash": base64.b64encode(entry.leaf_hash).decode(),
            "entry": None if entry.data is None else json.loads(entry.data),
            "event": event,
        }
    )


@main.command()
@click.option(
    "--state",
    "state_file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where the last good checkpoint is remembered (JSON).",
)
@log_key_option
@witness_policy_options
@click.pass_obj
def monitor(
    options: _Options,
    state_file: Path,
    log_key: str | None,
    witness_keys: tuple[str, ...],
    witnesses_required: int | None,
) -> None:
    """Check that the log only grew since the checkpoint remembered in --state (and, with
    --witness-key, that enough of those witnesses cosigned the new checkpoint)."""
    policy = _witness_policy(witness_keys, witnesses_required)
    reader = _log_reader(options)
    with reader.client, _reported():
        vkey = _verifier_key(reader, log_key)
        report = _checked(lambda: reader.monitor(state_file, vkey, witnesses=policy))
    if policy is not None and report.ok:
        click.echo(f"witnesses: at least {policy.required} of {len(policy.keys)} cosigned")
    click.echo(f"{report.outcome}: {report.detail}")
    if not report.ok:
        for note in report.evidence:
            click.echo(note, err=True, nl=False)
        click.get_current_context().exit(MISBEHAVIOUR_EXIT)


@main.group()
def witness() -> None:
    """Run a witness that cosigns the registry's checkpoints (C2SP tlog-witness)."""


@witness.command("keygen")
@click.option("--name", required=True, help="The witness's name, e.g. groningen.nl/witness.")
@click.option(
    "--out",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Secret key file to write (mode 0600; never overwritten).",
)
def witness_keygen(name: str, out: Path) -> None:
    """Generate a witness key; print the verifier key the registry and partners configure."""
    try:
        signer = WitnessSigner.generate(name)
        signer.write(out)
    except FileExistsError:
        raise click.ClickException(f"{out} exists; a witness keeps its key") from None
    except (VerificationError, OSError) as exc:
        raise click.ClickException(_one_line(str(exc))) from None
    click.echo(f"Wrote {out} (mode 0600). The witness's verifier key:", err=True)
    click.echo(signer.key.vkey)


@witness.command("serve")
@click.option(
    "--secret-key",
    "secret_key",
    required=True,
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="The witness's secret key file (witness keygen).",
)
@click.option(
    "--state-file",
    required=True,
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where the last cosigned checkpoint of each log is kept (JSON).",
)
@click.option(
    "--log-key",
    "log_keys",
    required=True,
    multiple=True,
    envvar="KETENREGISTER_LOG_KEY",
    metavar="VKEY",
    help="The verifier key of a log to witness (its name is the log's origin); repeatable.",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=7380, show_default=True, type=click.IntRange(0, 65535))
def witness_serve(
    secret_key: Path, state_file: Path, log_keys: tuple[str, ...], host: str, port: int
) -> None:
    """Serve POST /add-checkpoint: cosign each checkpoint that extends the last one."""
    import logging

    import uvicorn

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    try:
        with witness_server.exclusive(state_file):
            server = witness_server.Witness(
                WitnessSigner.from_file(secret_key), log_keys, state_file
            )
            click.echo(
                f"witness {server.signer.key.vkey} cosigning {', '.join(server.origins)} "
                f"on http://{host}:{port}/add-checkpoint",
                err=True,
            )
            uvicorn.run(witness_server.create_app(server), host=host, port=port, log_level="info")
    except VerificationError as exc:
        raise click.ClickException(_one_line(str(exc))) from None


def _client(options: _Options) -> RegistryClient:
    if options.key_file is None:
        raise click.UsageError("--key-file is required for this command")
    try:
        return RegistryClient.from_key_file(
            options.key_file, act=options.act, purpose=options.purpose
        )
    # ValueError: a bad private key; httpx.InvalidURL: a bad registry URL in the key file.
    except (KeyFileError, OSError, ValueError, httpx.InvalidURL) as exc:
        raise click.ClickException(_one_line(str(exc))) from None


@contextmanager
def _reported() -> Iterator[None]:
    # Partners' operators see one line, never a traceback (which could quote a query).
    try:
        yield
    except RegistryClientError as exc:
        prefix = f"{exc.code}: " if exc.code else ""
        raise click.ClickException(_one_line(prefix + exc.message)) from None
    except httpx.HTTPError as exc:
        raise click.ClickException(_one_line(f"cannot reach the registry: {exc}")) from None


def _print_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


def _one_line(text: str) -> str:
    return " ".join(text.split())
