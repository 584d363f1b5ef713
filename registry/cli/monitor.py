"""``ketenregister monitor``: the eviction monitor from the registry's database, for the
operator (every municipality; small cells suppressed as in the API)."""

from __future__ import annotations

import click

from registry.cli.options import database_option, settings_from
from registry.db import make_engine, make_session_factory
from registry.errors import RegistryError
from registry.monitor import figures
from registry.monitor.figures import MonitorBy


@click.command("monitor")
@database_option
@click.option(
    "--by",
    type=click.Choice([b.value for b in MonitorBy]),
    default=MonitorBy.CORPORATION.value,
    show_default=True,
)
@click.option("--from-year", type=int, required=True)
@click.option("--to-year", type=int, default=None, help="Default: the first year.")
@click.option("--municipality", "municipalities", multiple=True, help="Only these (repeat).")
@click.option("--csv", "as_csv", is_flag=True, help="CSV (the only format so far).")
def monitor_command(
    database_url: str | None,
    by: str,
    from_year: int,
    to_year: int | None,
    municipalities: tuple[str, ...],
    as_csv: bool,
) -> None:
    """Print the eviction monitor per year and per corporation or municipality as CSV."""
    del as_csv  # CSV is what it prints; the flag says so on the command line
    engine = make_engine(settings_from(database_url).database_url)
    view = MonitorBy(by)
    try:
        with make_session_factory(engine)() as session:
            cells = figures.counts(
                session, view, from_year, to_year or from_year, frozenset(municipalities) or None
            )
    except RegistryError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        engine.dispose()
    click.echo(figures.to_csv(figures.suppressed(cells), view), nl=False)
