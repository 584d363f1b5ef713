"""``ketenregister partner``: partner organisations, municipalities and partners' keys."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import click
from sqlalchemy.orm import Session

from registry.cli.options import database_option, settings_from
from registry.config import Settings
from registry.db import make_engine, make_session_factory
from registry.errors import RegistryError
from registry.models import PartnerKind
from registry.partners import registration as partners


@contextmanager
def _transaction(settings: Settings) -> Iterator[Session]:
    """One transaction on the settings' database, committed at the end; a registry error rolls
    it back and ends the command with its message."""
    engine = make_engine(settings.database_url)
    try:
        with make_session_factory(engine).begin() as session:
            yield session
    except RegistryError as exc:
        raise click.ClickException(exc.message) from None
    finally:
        engine.dispose()


@click.group()
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
    with _transaction(settings_from(database_url)) as session:
        partners.add_partner(
            session,
            partner_id,
            name,
            PartnerKind(kind),
            municipalities,
            authority_for=authority_for,
        )
    click.echo(f"partner {partner_id} registered")


@partner.command("municipality")
@database_option
@click.argument("code")
@click.option("--name", required=True)
def municipality_add(database_url: str | None, code: str, name: str) -> None:
    """Register a municipality."""
    with _transaction(settings_from(database_url)) as session:
        partners.add_municipality(session, code, name)
    click.echo(f"municipality {code} registered")


@partner.command("keygen")
@database_option
@click.argument("partner_id")
@click.option("--out", required=True, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--registry-url", default="http://127.0.0.1:8000", show_default=True)
def partner_keygen(database_url: str | None, partner_id: str, out: Path, registry_url: str) -> None:
    """Create a key pair for a partner, register the public key, write the key file."""
    settings = settings_from(database_url)
    with _transaction(settings) as session:
        row, private_pem = partners.create_key(session, partner_id)
        partners.write_key_file(
            out,
            partner_id=partner_id,
            kid=row.kid,
            private_key_pem=private_pem,
            registry_url=registry_url,
            audience=settings.audience,
        )
    click.echo(f"key {row.kid} registered; key file written to {out}")


@partner.command("add-key")
@database_option
@click.argument("partner_id")
@click.argument("public_key", type=click.File("r"))
def partner_add_key(database_url: str | None, partner_id: str, public_key: TextIO) -> None:
    """Register a public key (PEM) the partner generated itself."""
    with _transaction(settings_from(database_url)) as session:
        row = partners.register_key(session, partner_id, public_key.read())
    click.echo(f"key {row.kid} registered for {partner_id}")


@partner.command("keys")
@database_option
@click.argument("partner_id")
def partner_keys(database_url: str | None, partner_id: str) -> None:
    """List a partner's keys: key id, registered, revoked."""
    with _transaction(settings_from(database_url)) as session:
        rows = [
            (row.kid, row.created_at.isoformat(), _when(row.revoked_at))
            for row in partners.keys_of(session, partner_id)
        ]
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
    with _transaction(settings_from(database_url)) as session:
        row = partners.revoke_key(session, kid, dt.datetime.now(dt.UTC))
        partner_id = row.partner_id
    click.echo(f"key {kid} of {partner_id} revoked; running registries refuse it within seconds")
