"""Registering partner organisations, municipalities and partner keys (administration).

A partner rotates its key by registering a new one (``register_key``), moving its systems to
it, and revoking the old one (``revoke_key``). A revoked key signs no token and no agreement
from then on: every process stops accepting it within the policy staleness bound (one second
by default), the process that revoked it at once. What it signed before stays verifiable: the
key row is kept, only stamped.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from policies import Permission, Relation, permits
from registry.errors import ConflictError, InvalidInputError, NotFoundError
from registry.models import Municipality, Partner, PartnerKey, PartnerKind


def add_municipality(session: Session, code: str, name: str) -> Municipality:
    """Register a municipality (its authority is set when its municipality partner is added)."""
    if session.get(Municipality, code) is not None:
        raise ConflictError(f"municipality {code!r} exists already")
    municipality = Municipality(code=code, name=name)
    session.add(municipality)
    session.flush()
    return municipality


def add_partner(
    session: Session,
    partner_id: str,
    name: str,
    kind: PartnerKind,
    municipalities: Iterable[str],
    *,
    authority_for: str | None = None,
) -> Partner:
    """Register a partner working in ``municipalities``; ``authority_for`` makes it the partner
    that speaks for that municipality (issues its policies, has the municipality relation)."""
    if session.get(Partner, partner_id) is not None:
        raise ConflictError(f"partner {partner_id!r} exists already")
    codes = sorted(set(municipalities))
    found = session.scalars(select(Municipality).where(Municipality.code.in_(codes))).all()
    missing = sorted(set(codes) - {m.code for m in found})
    if missing:
        raise InvalidInputError(f"unknown municipality: {', '.join(missing)}")
    partner = Partner(id=partner_id, name=name, kind=kind, municipalities=list(found))
    session.add(partner)
    session.flush()
    if authority_for is not None:
        municipality = session.get(Municipality, authority_for)
        if municipality is None or authority_for not in codes:
            raise InvalidInputError(f"{partner_id} cannot speak for {authority_for!r}")
        municipality.authority_id = partner_id
        session.flush()
    return partner


def key_id(partner_id: str, public_key: Ed25519PublicKey) -> str:
    """A key id that names its partner and its key: ``<partner>-<8 hex of SHA-256>``."""
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return f"{partner_id}-{hashlib.sha256(raw).hexdigest()[:8]}"


def register_key(session: Session, partner_id: str, public_key_pem: str) -> PartnerKey:
    """Register a partner's Ed25519 public key (PEM); returns the key row with its ``kid``."""
    if session.get(Partner, partner_id) is None:
        raise InvalidInputError(f"unknown partner {partner_id!r}")
    try:
        public_key = serialization.load_pem_public_key(public_key_pem.encode())
    except ValueError:
        raise InvalidInputError("not a PEM public key") from None
    if not isinstance(public_key, Ed25519PublicKey):
        raise InvalidInputError("partner keys are Ed25519 keys")
    kid = key_id(partner_id, public_key)
    if session.get(PartnerKey, kid) is not None:
        raise ConflictError(f"key {kid} is registered already")
    row = PartnerKey(kid=kid, partner_id=partner_id, public_key_pem=public_key_pem)
    session.add(row)
    session.flush()
    return row


def revoke_key(session: Session, kid: str, now: dt.datetime) -> PartnerKey:
    """Revoke the key ``kid`` as of ``now`` (its row stays, for what it signed before).

    Raises:
        NotFoundError: no key is registered as ``kid``.
        ConflictError: the key was revoked already (when is in the message).
    """
    # Locked, so two revocations at once are one revocation and one "revoked already". Only the
    # key's own row: its partner comes with it by an outer join, which PostgreSQL cannot lock.
    row = session.scalar(
        select(PartnerKey).where(PartnerKey.kid == kid).with_for_update(of=PartnerKey)
    )
    if row is None:
        raise NotFoundError(f"no key {kid!r} is registered")
    if row.revoked_at is not None:
        raise ConflictError(f"key {kid} was revoked already, at {row.revoked_at.isoformat()}")
    row.revoked_at = now
    session.flush()
    return row


def keys_of(session: Session, partner_id: str) -> list[PartnerKey]:
    """A partner's keys, revoked ones included, oldest first.

    Raises:
        NotFoundError: no such partner.
    """
    if session.get(Partner, partner_id) is None:
        raise NotFoundError(f"unknown partner {partner_id!r}")
    query = select(PartnerKey).where(PartnerKey.partner_id == partner_id)
    return list(session.scalars(query.order_by(PartnerKey.created_at, PartnerKey.kid)))


def create_key(session: Session, partner_id: str) -> tuple[PartnerKey, str]:
    """Generate a key pair for a partner and register its public half; returns the key row and
    the private key (PKCS8 PEM), which the registry does not keep."""
    private = Ed25519PrivateKey.generate()
    public_pem = (
        private.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode()
    return register_key(session, partner_id, public_pem), private_pem


def write_key_file(
    path: Path, *, partner_id: str, kid: str, private_key_pem: str, registry_url: str, audience: str
) -> None:
    """Write a partner key file as the client SDK reads it (JSON, mode 0600)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {
        "partner": partner_id,
        "kid": kid,
        "private_key": private_key_pem,
        "registry": registry_url,
        "audience": audience,
    }
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        json.dump(document, handle, indent=2)
        handle.write("\n")
    os.chmod(path, 0o600)


def partner_in(
    session: Session,
    partner_id: str,
    municipality: str,
    *,
    able_to: Permission | None = None,
    refusal: str = "",
) -> Partner:
    """The partner a caller names for a case in ``municipality`` (a bailiff to schedule, a
    storage provider, a partner to involve): it must exist, work there, and, with ``able_to``,
    be of a kind the permissions let do that (else: ``<partner> <refusal>``).

    Raises:
        InvalidInputError: naming which of these fails.
    """
    partner = session.get(Partner, partner_id)
    if partner is None:
        raise InvalidInputError(f"unknown partner {partner_id!r}")
    if able_to is not None and not permits(str(partner.kind), Relation.NONE, able_to):
        raise InvalidInputError(f"{partner_id} {refusal}")
    if municipality not in partner.municipality_codes:
        raise InvalidInputError(f"{partner_id} does not work in municipality {municipality!r}")
    return partner
