"""What the ``ketenregister`` commands share: the settings (from the environment, the
database URL from the command line) and the options more than one command takes."""

from __future__ import annotations

import click

from registry.config import Settings, SettingsError


def settings_from(database_url: str | None) -> Settings:
    """The settings from the environment, with ``database_url`` when one was given; an invalid
    one stops the command with one line naming its variable (no traceback)."""
    try:
        settings = Settings.from_env()
        return settings.replace(database_url=database_url) if database_url else settings
    except SettingsError as exc:
        raise click.ClickException(f"invalid setting: {exc}") from None


database_option = click.option(
    "--database-url",
    envvar="KETENREGISTER_DATABASE_URL",
    default=None,
    help="SQLAlchemy URL; default: the SQLite file under var/.",
)


worker_option = click.option(
    "--worker/--no-worker",
    default=True,
    show_default=True,
    help="Run the webhook delivery worker in this process (more may run: `ketenregister worker`).",
)
