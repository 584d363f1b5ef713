"""``ketenregister log``: the signed audit log's key, and a full check of what is stored."""

from __future__ import annotations

from pathlib import Path

import click

from registry.auditlog import audit
from registry.auditlog.sequencer import read_state
from registry.auditlog.signer import LogKeyError, LogSigner
from registry.auditlog.witnesses import WitnessConfigError, parse_witnesses
from registry.cli.options import database_option, settings_from
from registry.cli.progress import progress_bar
from registry.config import DEFAULT_LOG_ORIGIN
from registry.db import make_engine, make_session_factory
from registry.errors import RegistryError


@click.group("log")
def log_group() -> None:
    """The signed audit log: its key, and a full check of what is stored."""


@log_group.command("keygen")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--origin",
    default=DEFAULT_LOG_ORIGIN,
    show_default=True,
    help="The log's origin, e.g. ketenregister.example.nl/log.",
)
def log_keygen(out: Path, origin: str) -> None:
    """Create the log signing key file; prints the verifier key partners configure."""
    if out.exists():
        raise click.ClickException(f"{out} exists; a log keeps its key")
    signer = LogSigner.generate(origin)
    signer.write(out)
    click.echo(
        f"log key written to {out} (set KETENREGISTER_LOG_KEY_FILE); verifier key:", err=True
    )
    click.echo(signer.verifier_key)


@log_group.command("verify")
@database_option
def log_verify(database_url: str | None) -> None:
    """Re-check every stored entry, tree node and checkpoint; exit 1 naming what broke."""
    settings = settings_from(database_url)
    try:
        signer = (
            LogSigner.from_file(settings.log_key_file, settings.log_origin)
            if settings.log_key_file
            else None
        )
    except LogKeyError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        witnesses = [witness.key for witness in parse_witnesses(settings.witnesses)]
    except WitnessConfigError as exc:
        raise click.ClickException(str(exc)) from None
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine)() as session:
            size = read_state(session).size
            # Shown only on a terminal, on stderr: the result line on stdout stays the one
            # line a script reads.
            with progress_bar(size, "checking entries") as advance:
                report = audit.verify_log(session, signer, witnesses, progress=advance)
    except RegistryError as exc:
        raise click.ClickException(f"the log does not check out: {exc.message}") from None
    finally:
        engine.dispose()
    click.echo(
        f"log ok: {report.entries} entries, {report.nodes} tree nodes, "
        f"{report.checkpoints} checkpoints, root {report.root.hex()}"
    )
