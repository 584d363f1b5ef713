"""``ketenregister staff``: staff accounts of partner organisations (for the console)."""

from __future__ import annotations

import datetime as dt

import click

from registry.cli.options import database_option, settings_from
from registry.cli.partners import _transaction
from registry.models import StaffRole
from registry.staff import accounts, totp


@click.group()
def staff() -> None:
    """Staff accounts for the web console (/console/)."""


@staff.command("add")
@database_option
@click.argument("username")
@click.option("--partner", "partner_id", required=True, help="The organisation (partner id).")
@click.option("--name", required=True, help="The person's name, as the console shows it.")
@click.option("--role", required=True, type=click.Choice([r.value for r in StaffRole]))
@click.option(
    "--password",
    prompt=True,
    hide_input=True,
    confirmation_prompt=True,
    envvar="KETENREGISTER_STAFF_PASSWORD",
    help="At least 12 characters (asked for when not given).",
)
@click.option("--totp/--no-totp", "with_totp", default=False, help="Add a second factor.")
def staff_add(
    database_url: str | None,
    username: str,
    partner_id: str,
    name: str,
    role: str,
    password: str,
    with_totp: bool,
) -> None:
    """Add a staff member; a policy officer always gets a second factor (TOTP)."""
    with _transaction(settings_from(database_url)) as session:
        new = accounts.add_staff(
            session,
            partner_id,
            username,
            name,
            StaffRole(role),
            password,
            now=dt.datetime.now(dt.UTC),
            with_totp=with_totp,
        )
        added = new.member.username
    click.echo(f"staff member {added} of {partner_id} added ({role})")
    if new.totp_secret:
        click.echo(f"TOTP secret: {new.totp_secret}")
        click.echo(f"authenticator app: {totp.provisioning_uri(new.totp_secret, added)}")


@staff.command("list")
@database_option
@click.option("--partner", "partner_id", default=None, help="Only this organisation's staff.")
def staff_list(database_url: str | None, partner_id: str | None) -> None:
    """List staff: username, organisation, role, second factor, state."""
    with _transaction(settings_from(database_url)) as session:
        rows = [
            (
                m.username,
                m.partner_id,
                m.role.value,
                "totp" if m.totp_secret else "-",
                "disabled" if m.disabled_at else "active",
            )
            for m in accounts.list_staff(session, partner_id)
        ]
    for row in rows:
        click.echo("  ".join(row))


@staff.command("disable")
@database_option
@click.argument("username")
def staff_disable(database_url: str | None, username: str) -> None:
    """Disable an account; its open sessions end at once."""
    with _transaction(settings_from(database_url)) as session:
        accounts.disable_staff(session, username, now=dt.datetime.now(dt.UTC))
    click.echo(f"staff member {username} disabled; their sessions are ended")
