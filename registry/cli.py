"""``ketenregister``: run, migrate and administer a registry (a composition root)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
import sys
from dataclasses import replace
from pathlib import Path
from typing import TextIO
from urllib.parse import urlsplit

import click

from registry import serverlog
from registry.auditlog import audit
from registry.auditlog.signer import LogKeyError, LogSigner
from registry.auditlog.witnesses import WitnessConfigError, parse_witnesses
from registry.config import Settings
from registry.db import make_engine, make_session_factory
from registry.demo import seed as demo
from registry.demo import witnesses as demo_witnesses
from registry.errors import RegistryError
from registry.migrate import upgrade
from registry.models import PartnerKind
from registry.partners import registration as partners
from registry.serverlog import LogFormat


def _settings(database_url: str | None) -> Settings:
    settings = Settings.from_env()
    return replace(settings, database_url=database_url) if database_url else settings


database_option = click.option(
    "--database-url",
    envvar="KETENREGISTER_DATABASE_URL",
    default=None,
    help="SQLAlchemy URL; default: the SQLite file under var/.",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ketenregister", prog_name="ketenregister")
def main() -> None:
    """Ketenregister: the shared registry for eviction-prevention chain partners."""


@main.group()
def db() -> None:
    """The registry's database."""


@db.command("upgrade")
@database_option
def db_upgrade(database_url: str | None) -> None:
    """Apply all migrations (Alembic) to the database."""
    upgrade(_settings(database_url).database_url)
    click.echo("database is up to date")


#: The interpreter's thread switch interval while serving (see ``_serve``).
SWITCH_INTERVAL_SECONDS = 0.0005


def _serve(settings: Settings, host: str, port: int, *, worker: bool = True) -> None:
    import uvicorn

    from registry.app import create_app
    from registry.web.protocol import JsonErrorsH11Protocol

    # Requests run in threads that share one interpreter lock. At Python's default switch
    # interval (5 ms) a small request waits up to that long behind every busy thread each
    # time it takes the lock back after a database call, so a few heavy requests made small
    # ones hundreds of times slower; switching more often keeps them near their own cost.
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    _configure_log(settings)
    app = create_app(settings, delivery_worker=worker)
    # log_config=None: uvicorn's lines go through the server log's one handler, not its own.
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=None,
        log_level=settings.log_level.lower(),
        http=JsonErrorsH11Protocol,
    )


def _configure_log(settings: Settings) -> None:
    try:
        serverlog.configure(LogFormat(settings.log_format.lower()), settings.log_level)
    except ValueError as exc:
        formats = ", ".join(LogFormat)
        raise click.UsageError(
            f"KETENREGISTER_LOG_FORMAT / KETENREGISTER_LOG_LEVEL: {exc} (formats: {formats})"
        ) from None


worker_option = click.option(
    "--worker/--no-worker",
    default=True,
    show_default=True,
    help="Run the webhook delivery worker in this process (more may run: `ketenregister worker`).",
)


@main.command()
@database_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@worker_option
def serve(database_url: str | None, host: str, port: int, worker: bool) -> None:
    """Serve the registry over HTTP (run `db upgrade` first)."""
    _serve(_settings(database_url), host, port, worker=worker)


@main.command("worker")
@database_option
@click.option(
    "--poll-interval",
    default=1.0,
    show_default=True,
    type=float,
    help="Seconds to wait when a round found nothing to do.",
)
@click.option("--once", is_flag=True, help="Run one round and stop.")
def worker_command(database_url: str | None, poll_interval: float, once: bool) -> None:
    """Deliver webhooks: fan out new events and post due deliveries, next to `serve` or on its
    own. Any number may run against one database; each delivery is claimed by one at a time."""
    import signal

    from registry.notifications.delivery import DeliveryWorker

    settings = _settings(database_url)
    _configure_log(settings)
    engine = make_engine(settings.database_url)
    runner = DeliveryWorker(
        make_session_factory(engine),
        poll_interval=poll_interval,
        allow_private_targets=settings.webhook_allow_private,
    )
    try:
        if once:
            report = runner.run_once()
            click.echo(
                f"fanned out {report.fanned_out} events, announced {report.announced}, "
                f"delivered {report.delivered}, failed attempts {report.failed_attempts}"
            )
            return
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, lambda *_: runner.request_stop())
        click.echo(f"{runner.worker_id} delivering webhooks (Ctrl-C stops)")
        runner.run_forever()
    finally:
        runner.stop()
        engine.dispose()
    click.echo(f"{runner.worker_id} stopped")


@main.command("demo")
@click.option("--data-dir", default="var/demo", show_default=True, type=click.Path(path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--reset", is_flag=True, help="Start again from an empty demo.")
@click.option("--no-serve", is_flag=True, help="Set up the demo, print how to use it, and stop.")
@worker_option
def demo_command(
    data_dir: Path, host: str, port: int, reset: bool, no_serve: bool, worker: bool
) -> None:
    """Set up and serve a demo registry: SQLite file, partners, policies, ~620 synthetic cases."""
    if reset and data_dir.exists():
        shutil.rmtree(data_dir)
    url = f"http://{host}:{port}"
    settings = replace(
        Settings.from_env(),
        database_url=f"sqlite:///{data_dir / 'registry.sqlite3'}",
        introspection=True,
        graphiql=True,
        webhook_allow_private=True,  # the demo's receivers run on this machine
        # A person watches the demo's terminal: readable lines unless asked for JSON.
        log_format=os.environ.get("KETENREGISTER_LOG_FORMAT", LogFormat.CONSOLE),
    )
    log_key = data_dir / "log-signer.key"
    if not log_key.exists():
        LogSigner.generate(settings.log_origin).write(log_key)
    settings = replace(
        settings, log_key_file=str(log_key), log_origin=LogSigner.from_file(log_key).origin
    )
    upgrade(settings.database_url)
    sessions = make_session_factory(make_engine(settings.database_url))
    keys = data_dir / "keys"
    with sessions.begin() as session:
        if demo.seed(session):
            demo.write_keys(session, keys, registry_url=url, audience=settings.audience)
            click.echo(f"demo registry created in {data_dir}")
    verifier_key = LogSigner.from_file(log_key).verifier_key
    with contextlib.ExitStack() as running:
        witnesses = (
            []
            if no_serve
            else running.enter_context(
                demo_witnesses.running(
                    data_dir, verifier_key, lambda text: click.echo(f"warning: {text}", err=True)
                )
            )
        )
        settings = replace(settings, witnesses=tuple((w.url, w.vkey) for w in witnesses))
        click.echo(_demo_instructions(url, keys, data_dir, log_key, verifier_key, witnesses))
        if not no_serve:
            _serve(settings, host, port, worker=worker)


def _demo_instructions(
    url: str,
    keys: Path,
    data_dir: Path,
    log_key: Path,
    verifier_key: str,
    witnesses: list[demo_witnesses.DemoWitness],
) -> str:
    if witnesses:
        running = ", ".join(f"{w.partner} on {w.url}" for w in witnesses)
        witness_keys = " ".join(w.vkey for w in witnesses)
        witnessing = f"""
Witnesses cosign every checkpoint (C2SP tlog-witness): {running}.
Require their cosignatures:
  export KETENREGISTER_WITNESS_KEYS='{witness_keys}'
  .venv/bin/ketenregister-client --key-file {keys}/nijestee.json \\
      monitor --state {data_dir}/monitor.json --witnesses-required {len(witnesses)}
"""
    else:
        where = urlsplit(url)
        database = data_dir / "registry.sqlite3"
        witnessing = f"""
Witnesses (Gemeente Groningen, Bureau Woonkans) run when the demo serves; by hand:
  .venv/bin/ketenregister-client witness keygen --name groningen.demo/witness --out w.key
  .venv/bin/ketenregister-client witness serve --secret-key w.key --state-file w.json \\
      --log-key '{verifier_key}' --port 7380
  KETENREGISTER_WITNESSES='http://127.0.0.1:7380 <its key>' KETENREGISTER_LOG_KEY_FILE={log_key} \\
      .venv/bin/ketenregister serve --database-url sqlite:///{database} \\
      --host {where.hostname} --port {where.port}
"""
    return f"""
Ketenregister demo on {url}/graphql  (GraphiQL: open it in a browser)
Partner key files: {keys}/<partner>.json  (e.g. zowonen, gemeente-sittard-geleen,
partners-in-welzijn, bureau-woonkans, wijkteam-zaandam-noord)

Query as a partner, in a second terminal:
  .venv/bin/ketenregister-client --key-file {keys}/partners-in-welzijn.json \\
      query '{{ cases(first: 3) {{ nodes {{ id municipality owner evictionDate withheld }} }} }}'
  .venv/bin/ketenregister-client --key-file {keys}/gemeente-sittard-geleen.json \\
      query '{{ cases(first: 3) {{ nodes {{ id contactName arrearsAmount withheld }} }} }}'

Have a partner system told of events (webhooks, Standard Webhooks signatures; the delivery
worker runs in this process):
  .venv/bin/ketenregister-client --key-file {keys}/partners-in-welzijn.json \\
      query 'mutation {{ subscribeWebhook(url: "http://127.0.0.1:9000/hook",
        eventTypes: ["eviction.scheduled"]) {{ secret }} }}'

Bureau Woonkans's agreements and the signed audit log (log key: {log_key}):
  .venv/bin/ketenregister-client --key-file {keys}/bureau-woonkans.json \\
      query '{{ agreementFigures(municipality: "groningen", fromYear: 2025, toYear: 2026)
        {{ year applications agreementRate successRate }} }}'
  export KETENREGISTER_LOG_KEY='{verifier_key}'
  .venv/bin/ketenregister-client --key-file {keys}/nijestee.json checkpoint
  .venv/bin/ketenregister-client --key-file {keys}/nijestee.json verify-entry 0
  .venv/bin/ketenregister-client --key-file {keys}/nijestee.json \\
      monitor --state {data_dir}/monitor.json
{witnessing}"""


@main.group("log")
def log_group() -> None:
    """The signed audit log: its key, and a full check of what is stored."""


@log_group.command("keygen")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--origin",
    default=Settings.log_origin,
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
    settings = _settings(database_url)
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
    sessions = make_session_factory(make_engine(settings.database_url))
    try:
        with sessions() as session:
            report = audit.verify_log(session, signer, witnesses)
    except RegistryError as exc:
        raise click.ClickException(f"the log does not check out: {exc.message}") from None
    click.echo(
        f"log ok: {report.entries} entries, {report.nodes} tree nodes, "
        f"{report.checkpoints} checkpoints, root {report.root.hex()}"
    )


@main.group()
def partner() -> None:
    """Partner organisations and their keys."""


@partner.command("add")
@database_option
@click.argument("partner_id")
@click.option("--name", required=True)
@click.option("--kind", required=True, type=click.Choice([k.value for k in PartnerKind]))
@click.option("--municipality", "municipalities", multiple=True, required=True)
@click.option("--authority-for", default=None, help="Speak for this municipality (a municipality).")
def partner_add(
    database_url: str | None,
    partner_id: str,
    name: str,
    kind: str,
    municipalities: tuple[str, ...],
    authority_for: str | None,
) -> None:
    """Register a partner organisation."""
    sessions = make_session_factory(make_engine(_settings(database_url).database_url))
    try:
        with sessions.begin() as session:
            partners.add_partner(
                session,
                partner_id,
                name,
                PartnerKind(kind),
                municipalities,
                authority_for=authority_for,
            )
    except RegistryError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"partner {partner_id} registered")


@partner.command("municipality")
@database_option
@click.argument("code")
@click.option("--name", required=True)
def municipality_add(database_url: str | None, code: str, name: str) -> None:
    """Register a municipality."""
    sessions = make_session_factory(make_engine(_settings(database_url).database_url))
    try:
        with sessions.begin() as session:
            partners.add_municipality(session, code, name)
    except RegistryError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"municipality {code} registered")


@partner.command("keygen")
@database_option
@click.argument("partner_id")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--registry-url", default="http://127.0.0.1:8000", show_default=True)
def partner_keygen(database_url: str | None, partner_id: str, out: Path, registry_url: str) -> None:
    """Create a key pair for a partner, register the public key, write the key file."""
    settings = _settings(database_url)
    sessions = make_session_factory(make_engine(settings.database_url))
    try:
        with sessions.begin() as session:
            row, private_pem = partners.create_key(session, partner_id)
            partners.write_key_file(
                out,
                partner_id=partner_id,
                kid=row.kid,
                private_key_pem=private_pem,
                registry_url=registry_url,
                audience=settings.audience,
            )
    except RegistryError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"key {row.kid} registered; key file written to {out}")


@partner.command("add-key")
@database_option
@click.argument("partner_id")
@click.argument("public_key", type=click.File("r"))
def partner_add_key(database_url: str | None, partner_id: str, public_key: TextIO) -> None:
    """Register a public key (PEM) the partner generated itself."""
    sessions = make_session_factory(make_engine(_settings(database_url).database_url))
    try:
        with sessions.begin() as session:
            row = partners.register_key(session, partner_id, public_key.read())
    except RegistryError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"key {row.kid} registered for {partner_id}")


@partner.command("keys")
@database_option
@click.argument("partner_id")
def partner_keys(database_url: str | None, partner_id: str) -> None:
    """List a partner's keys: key id, registered, revoked."""
    sessions = make_session_factory(make_engine(_settings(database_url).database_url))
    try:
        with sessions.begin() as session:
            rows = [
                (row.kid, row.created_at.isoformat(), _when(row.revoked_at))
                for row in partners.keys_of(session, partner_id)
            ]
    except RegistryError as exc:
        raise click.ClickException(exc.message) from None
    for kid, created, revoked in rows:
        click.echo(f"{kid}  registered {created}  {revoked}")


def _when(revoked_at: dt.datetime | None) -> str:
    return "in use" if revoked_at is None else f"revoked {revoked_at.isoformat()}"


@partner.command("revoke-key")
@database_option
@click.argument("kid")
def partner_revoke_key(database_url: str | None, kid: str) -> None:
    """Revoke a key (compromised, or replaced by a newer one): from now on it signs no token
    and no agreement; what it signed before stays verifiable."""
    sessions = make_session_factory(make_engine(_settings(database_url).database_url))
    try:
        with sessions.begin() as session:
            row = partners.revoke_key(session, kid, dt.datetime.now(dt.UTC))
            partner_id = row.partner_id
    except RegistryError as exc:
        raise click.ClickException(exc.message) from None
    click.echo(f"key {kid} of {partner_id} revoked; running registries refuse it within seconds")
