"""``ketenregister demo``: a registry to try, with the demo's partners, covenants, cases,
agreements, signed log and witnesses, and instructions to query it as any partner."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit

import click

from registry.auditlog.signer import LogSigner
from registry.cli.options import settings_from, worker_option
from registry.cli.progress import progress_bar
from registry.cli.server import serve_app
from registry.db import make_engine, make_session_factory
from registry.demo import bulk as demo_bulk
from registry.demo import seed as demo
from registry.demo import staff as demo_staff
from registry.demo import witnesses as demo_witnesses
from registry.migrate import upgrade
from registry.privacy import keys
from registry.privacy.keys import DATA_KEY_FILE_ENV
from registry.serverlog import LogFormat


def _use_demo_data_key(data_dir: Path) -> None:
    """The demo's key-encryption key (``registry.privacy.keys``): made once in the demo's
    folder unless the environment names one; the server's processes read it from there."""
    if keys.from_environment() is not None:
        return
    path = data_dir / "data.key"
    if not path.exists():
        keys.write_file(keys.KeyEncryptionKey.generate(), path)
    os.environ[keys.DATA_KEY_FILE_ENV] = str(path)
    keys.install(keys.read_file(path))


@click.command("demo")
@click.option("--data-dir", default="var/demo", show_default=True, type=click.Path(path_type=Path))
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--reset", is_flag=True, help="Start again from an empty demo.")
@click.option("--no-serve", is_flag=True, help="Set up the demo, print how to use it, and stop.")
@click.option(
    "--cases",
    default=0,
    show_default=True,
    type=click.IntRange(0, 10_000_000),
    help="Bulk cases to add, shared among the four corporations, imported as "
    "`ketenregister import` imports a file (a second run adds only what is missing).",
)
@worker_option
def demo_command(
    data_dir: Path, host: str, port: int, reset: bool, no_serve: bool, cases: int, worker: bool
) -> None:
    """Set up and serve a demo registry: SQLite file, partners, policies, ~620 synthetic cases
    (and --cases more)."""
    if reset and data_dir.exists():
        shutil.rmtree(data_dir)
    url = f"http://{host}:{port}"
    environment = settings_from(None)
    settings = environment.replace(
        database_url=f"sqlite:///{data_dir / 'registry.sqlite3'}",
        introspection=True,
        graphiql=True,
        webhook_allow_private=True,  # the demo's receivers run on this machine
        console_secure_cookie=False,  # the demo serves plain http on this machine
        # A person watches the demo's terminal: readable lines unless asked for JSON.
        log_format=environment.log_format
        if "log_format" in environment.model_fields_set
        else LogFormat.CONSOLE,
    )
    log_key = data_dir / "log-signer.key"
    if not log_key.exists():
        LogSigner.generate(settings.log_origin).write(log_key)
    settings = settings.replace(
        log_key_file=str(log_key), log_origin=LogSigner.from_file(log_key).origin
    )
    _use_demo_data_key(data_dir)
    upgrade(settings.database_url)
    engine = make_engine(settings.database_url)
    keys = data_dir / "keys"
    sessions = make_session_factory(engine)
    try:
        with sessions.begin() as session, progress_bar(demo.STEPS, "creating the demo") as step:
            created = demo.seed(session, history=True, progress=step)
            if created:
                demo.write_keys(session, keys, registry_url=url, audience=settings.audience)
                made = demo_staff.add_accounts(session, dt.datetime.now(dt.UTC))
                _write_staff(data_dir / "staff.txt", made)
        if created:
            click.echo(f"demo registry created in {data_dir}")
        if cases:
            with progress_bar(2 * cases, f"importing {cases:,} bulk cases") as advance:
                added = demo_bulk.add(sessions, cases, dt.datetime.now(dt.UTC), progress=advance)
            click.echo(f"{added:,} bulk cases imported ({cases - added:,} were there already)")
    finally:
        engine.dispose()  # the server it starts next has its own pool
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
        settings = settings.replace(witnesses=tuple((w.url, w.vkey) for w in witnesses))
        click.echo(_demo_instructions(url, keys, data_dir, log_key, verifier_key, witnesses))
        click.echo(_console_instructions(url, data_dir / "staff.txt"))
        if not no_serve:
            serve_app(settings, host, port, worker=worker)


def _write_staff(path: Path, made: list[demo_staff.DemoAccount]) -> None:
    """Keep the demo's logins beside its database (readable by this user only)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.touch(mode=0o600)
    path.write_text("".join(f"{account.line()}\n" for account in made))


def _console_instructions(url: str, staff_file: Path) -> str:
    logins = staff_file.read_text() if staff_file.exists() else "(none: run with --reset)\n"
    return f"""
Web console for staff: {url}/console/  (logins, also in {staff_file}):
{logins}The policy officer logs in with a code from an authenticator app given the TOTP secret
(or: .venv/bin/python -c 'import pyotp; print(pyotp.TOTP("<secret>").now())').
"""


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
        # serve refuses to start without the data key the demo uses (made or named above).
        data_key_file = os.environ.get(DATA_KEY_FILE_ENV)
        data_key = f"KETENREGISTER_DATA_KEY_FILE={data_key_file} " if data_key_file else ""
        witnessing = f"""
Witnesses (Gemeente Groningen, Bureau Woonkans) run when the demo serves; by hand:
  .venv/bin/ketenregister-client witness keygen --name groningen.demo/witness --out w.key
  .venv/bin/ketenregister-client witness serve --secret-key w.key --state-file w.json \\
      --log-key '{verifier_key}' --port 7380
  KETENREGISTER_WITNESSES='http://127.0.0.1:7380 <its key>' KETENREGISTER_LOG_KEY_FILE={log_key} \\
      {data_key}.venv/bin/ketenregister serve --database-url sqlite:///{database} \\
      --host {where.hostname} --port {where.port}
"""
    return f"""
Ketenregister demo on {url}/graphql  (GraphiQL: open it in a browser)
Partner key files: {keys}/<partner>.json  (e.g. zowonen, gemeente-sittard-geleen,
partners-in-welzijn, bureau-woonkans, wijkteam-zaandam-noord)

Query as a partner, in a second terminal (a request names its purpose: a grant releases
fields only for the purposes it names):
  .venv/bin/ketenregister-client --key-file {keys}/partners-in-welzijn.json \\
      --purpose eviction_prevention \\
      query '{{ cases(first: 3) {{ nodes {{ id municipality owner evictionDate withheld }} }} }}'
  .venv/bin/ketenregister-client --key-file {keys}/gemeente-sittard-geleen.json \\
      query '{{ cases(first: 3) {{ nodes {{ id contactName arrearsAmount withheld }} }} }}'

Have a partner system told of events (webhooks, Standard Webhooks signatures; the delivery
worker runs in this process). This receiver subscribes itself, checks each signature, prints
each event as a JSON line, and unsubscribes on Ctrl-C:
  .venv/bin/ketenregister-client --key-file {keys}/partners-in-welzijn.json \\
      webhooks listen --port 9000 --subscribe eviction.scheduled

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
