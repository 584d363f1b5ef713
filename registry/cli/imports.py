"""``ketenregister import FILE --as PARTNER``: load a corporation's existing caseload from a
file (JSON Lines or CSV, ``docs/import.md``), each line checked as ``registerCase`` checks it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from registry.cli.options import database_option, settings_from
from registry.cli.progress import progress_bar
from registry.db import make_engine, make_session_factory
from registry.errors import RegistryError
from registry.imports import batches
from registry.imports.lines import FileFormat, LineError, format_of, read
from registry.privacy import keys
from registry.privacy.keys import DataKeyError

#: Refused or skipped lines printed one by one; the rest are counted.
SHOWN = 20


def _count_lines(path: Path, shape: FileFormat) -> int:
    with path.open("rb") as stream:
        lines = sum(1 for text in stream if text.strip())
    return max(lines - 1, 0) if shape is FileFormat.CSV else lines  # a CSV's header


def _show(errors: list[LineError]) -> None:
    for error in errors[:SHOWN]:
        click.echo(str(error), err=True)
    if len(errors) > SHOWN:
        click.echo(f"... and {len(errors) - SHOWN:,} more", err=True)


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--as", "partner", required=True, help="The corporation that owns the cases (partner id)."
)
@click.option(
    "--format",
    "file_format",
    type=click.Choice([f.value for f in FileFormat]),
    default=None,
    help="The file's shape; default: csv for a .csv file, jsonl otherwise.",
)
@click.option("--skip-invalid", is_flag=True, help="Import the good lines; list the bad ones.")
@click.option(
    "--batch-size", default=batches.BATCH_SIZE, show_default=True, type=click.IntRange(1, 10_000)
)
@database_option
def import_command(
    file: Path,
    partner: str,
    file_format: str | None,
    skip_invalid: bool,
    batch_size: int,
    database_url: str | None,
) -> None:
    """Import the cases in FILE as PARTNER's, as if each were sent to registerCase.

    Nothing is imported when a line is refused (each is listed with its line number and
    code), unless --skip-invalid. A line whose reference was imported before is skipped and
    counted, so a run may be repeated, and two may run at once.
    """
    shape = FileFormat(file_format) if file_format else format_of(file)
    try:
        keys.current()  # fail before reading a line, not in the middle of a batch
    except DataKeyError as exc:
        raise click.ClickException(str(exc)) from None
    now = dt.datetime.now(dt.UTC)
    total = _count_lines(file, shape)
    engine = make_engine(settings_from(database_url).database_url)
    sessions = make_session_factory(engine)
    try:
        with progress_bar(total, "checking lines") as advance:
            checked = batches.check(sessions, partner, read(file, shape), now=now, progress=advance)
        if checked.errors and not skip_invalid:
            _show(checked.errors)
            raise click.ClickException(
                f"{len(checked.errors):,} of {checked.lines:,} lines refused; nothing imported "
                "(--skip-invalid imports the others)"
            )
        with progress_bar(checked.lines, "importing cases") as advance:
            report = batches.write(
                sessions,
                partner,
                read(file, shape),
                now=now,
                skip_invalid=skip_invalid,
                batch_size=batch_size,
                progress=advance,
            )
    except batches.ImportRefusedError as exc:
        _show(exc.errors)
        raise click.ClickException(exc.message) from None
    except RegistryError as exc:
        raise click.ClickException(f"{exc.code}: {exc.message}") from None
    finally:
        engine.dispose()
    _show(report.skipped_invalid)
    for number, reference in report.already_imported[:SHOWN]:
        click.echo(f"line {number}: reference {reference!r} was imported already: skipped")
    if len(report.already_imported) > SHOWN:
        click.echo(f"... and {len(report.already_imported) - SHOWN:,} more imported already")
    click.echo(
        f"imported {report.imported:,} cases for {partner}; "
        f"{len(report.already_imported):,} imported already; "
        f"{len(report.skipped_invalid):,} refused and skipped"
    )
