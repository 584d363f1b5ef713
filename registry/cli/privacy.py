"""``ketenregister erase`` and ``ketenregister retention run``: the operator erases a
household's personal data, on request or when its retention period ended;
``ketenregister privacy reindex`` (re)builds the blind indexes of stored contacts."""

from __future__ import annotations

import datetime as dt
import uuid

import click
from sqlalchemy import select

from registry.cli.options import database_option, settings_from
from registry.db import begin_writing, make_engine, make_session_factory
from registry.models import Case
from registry.privacy import erasure, retention
from registry.privacy.keys import DataKeyError
from registry.privacy.reindex import reindex


@click.command("erase")
@click.argument("case_id")
@database_option
def erase_command(case_id: str, database_url: str | None) -> None:
    """Erase the household of CASE_ID: its rows and its data key; the logs keep ids only."""
    try:
        parsed = uuid.UUID(case_id)
    except ValueError:
        raise click.ClickException(f"{case_id!r} is not a case id (a UUID)") from None
    engine = make_engine(settings_from(database_url).database_url)
    try:
        with make_session_factory(engine).begin() as session:
            begin_writing(session)
            case = session.scalar(select(Case).where(Case.id == parsed).with_for_update())
            if case is None:
                raise click.ClickException(f"case {parsed} not found")
            if case.erased_at is not None:
                click.echo(f"case {parsed} was erased already, at {case.erased_at.isoformat()}")
                return
            result = erasure.erase_case(session, case, dt.datetime.now(dt.UTC), erasure.OPERATOR)
    finally:
        engine.dispose()
    removed = ", ".join(f"{table} {n}" for table, n in sorted(result.rows.items()) if n)
    click.echo(f"case {parsed} erased at {result.erased_at.isoformat()}; rows removed: {removed}")


@click.group("retention")
def retention_group() -> None:
    """Retention: erase households whose retention period has ended."""


@retention_group.command("run")
@click.option("--dry-run", is_flag=True, help="List what would be erased; change nothing.")
@database_option
def retention_run(dry_run: bool, database_url: str | None) -> None:
    """Erase the households whose retention period ended, and old access-log records."""
    settings = settings_from(database_url)
    try:
        policy = retention.policy_of(settings)
    except retention.RetentionSettingError as exc:
        raise click.ClickException(exc.message) from None
    engine = make_engine(settings.database_url)
    try:
        done = retention.run(
            make_session_factory(engine), policy, dt.datetime.now(dt.UTC), dry_run=dry_run
        )
    finally:
        engine.dispose()
    verb = "would erase" if done.dry_run else "erased"
    click.echo(f"{verb} {len(done.cases)} cases")
    for case_id in done.cases:
        click.echo(f"  {case_id}")
    click.echo(f"{verb} {done.access_log_records} access-log records past their period")


@click.group("privacy")
def privacy_group() -> None:
    """The household's sealed data: its blind indexes."""


@privacy_group.command("reindex")
@database_option
def reindex_command(database_url: str | None) -> None:
    """Compute the address and identity indexes of every stored contact (after migration
    0016, or when the data key changed); running it again, or twice at once, is safe."""
    engine = make_engine(settings_from(database_url).database_url)
    try:
        done = reindex(make_session_factory(engine))
    except DataKeyError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        engine.dispose()
    click.echo(f"indexed {done.contacts} contacts; {done.changed} got new digests")
