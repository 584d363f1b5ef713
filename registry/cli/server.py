"""Running a registry: migrating its database, serving it over HTTP, and delivering its
webhooks in processes of their own."""

from __future__ import annotations

import gc
import logging
import sys

import click

from registry import serverlog, tracing
from registry.cli.datakey import require_data_key
from registry.cli.options import database_option, settings_from, worker_option
from registry.config import Settings, env_name
from registry.db import make_engine, make_session_factory
from registry.migrate import upgrade
from registry.serverlog import LogFormat

log = logging.getLogger(__name__)


@click.group()
def db() -> None:
    """The registry's database."""


@db.command("upgrade")
@database_option
def db_upgrade(database_url: str | None) -> None:
    """Apply all migrations (Alembic) to the database."""
    upgrade(settings_from(database_url).database_url)
    click.echo("database is up to date")


#: The interpreter's thread switch interval while serving (see ``serve_app``).
SWITCH_INTERVAL_SECONDS = 0.0005


#: The collector's first threshold while serving (Python's default: 700 allocations).
COLLECTOR_THRESHOLD = 50_000


def tune_collector() -> None:
    """Tune the garbage collector for serving: what start-up built (the schema, the policy
    engine, modules) is moved out of the collector's sight, and young objects are collected
    after 50,000 allocations instead of 700. A page of 500 cases allocates a few hundred
    thousand short-lived objects; at the defaults the collector ran hundreds of times per
    such request, each time walking the whole long-lived heap now and then, and took about a
    fifth of a large list's time (``bench/bench_lists.py``). The few megabytes a young
    generation of 50,000 objects may hold are nothing to a server."""
    gc.freeze()
    gc.set_threshold(COLLECTOR_THRESHOLD, 20, 20)


def serve_app(settings: Settings, host: str, port: int, *, worker: bool = True) -> None:
    """Serve the registry with ``settings`` until stopped (``worker``: with the delivery worker)."""
    import uvicorn

    from registry.app import create_app
    from registry.web.protocol import JsonErrorsH11Protocol

    # Requests run in threads that share one interpreter lock. At Python's default switch
    # interval (5 ms) a small request waits up to that long behind every busy thread each
    # time it takes the lock back after a database call, so a few heavy requests made small
    # ones hundreds of times slower; switching more often keeps them near their own cost.
    sys.setswitchinterval(SWITCH_INTERVAL_SECONDS)
    configure_log(settings)
    if tracing.configure_from_environment():
        log.info("exporting OpenTelemetry spans over OTLP/HTTP")
    app = create_app(settings, delivery_worker=worker)
    tune_collector()
    # log_config=None: uvicorn's lines go through the server log's one handler, not its own.
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=None,
        log_level=settings.log_level.lower(),
        http=JsonErrorsH11Protocol,
    )


def check_start(settings: Settings) -> None:
    """Refuse to start a server with settings it cannot run with: one line naming the setting,
    never a traceback, before anything listens or connects. A server needs the data key."""
    # Imported here: importing the features at module level closes an import cycle through
    # registry.recording when the CLI starts.
    from registry.privacy import retention

    try:
        retention.policy_of(settings)
    except retention.RetentionSettingError as exc:
        # The policy names the period (``prevented_years``); the operator set a variable.
        period = next((p for p in retention.RetentionPolicy.MINIMUMS if p in str(exc)), "")
        raise click.ClickException(
            f"invalid setting: {env_name('retention_' + period)}: {exc}"
        ) from None
    require_data_key(settings)


def configure_log(settings: Settings) -> None:
    """Set up the server log as ``settings`` ask (a usage error for an unknown format or level)."""
    try:
        serverlog.configure(LogFormat(settings.log_format.lower()), settings.log_level)
    except ValueError as exc:
        formats = ", ".join(LogFormat)
        raise click.UsageError(
            f"KETENREGISTER_LOG_FORMAT / KETENREGISTER_LOG_LEVEL: {exc} (formats: {formats})"
        ) from None


@click.command()
@database_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@worker_option
def serve(database_url: str | None, host: str, port: int, worker: bool) -> None:
    """Serve the registry over HTTP (run `db upgrade` first)."""
    settings = settings_from(database_url)
    check_start(settings)
    serve_app(settings, host, port, worker=worker)


@click.command("worker")
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

    settings = settings_from(database_url)
    check_start(settings)
    configure_log(settings)
    engine = make_engine(settings.database_url, pool_timeout=settings.pool_timeout_seconds)
    runner = DeliveryWorker(
        make_session_factory(engine),
        poll_interval=poll_interval,
        allow_private_targets=settings.webhook_allow_private,
        connect_timeout=settings.webhook_connect_timeout_seconds,
        timeout=settings.webhook_timeout_seconds,
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
