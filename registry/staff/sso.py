"""Single sign-on, the account side: logins under way (one per browser, used once, for ten
minutes) and which staff account a verified identity opens.

An account is linked to the identity provider's ``(issuer, subject)``, never found by a free
e-mail claim alone. The first login of an unknown subject is accepted only when the
organisation's admin pre-created the account with the person's e-mail address as its
username, at the provider's own organisation, in one of its allowed e-mail domains, with the
provider not saying the address is unverified; that login links the account for good. A
linked account then opens only through that identity, and only at its own organisation.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry.db import begin_writing
from registry.errors import NotAllowedError
from registry.models import StaffMember, StaffSsoLogin
from registry.staff.oidc import Provider

#: How long a browser may stay at the identity provider before its login is forgotten.
PENDING_FOR = dt.timedelta(minutes=10)

UNKNOWN = "no console account is linked to this identity at this organisation"


class SsoRefusedError(NotAllowedError):
    """The identity is valid but opens no account here (the message says why)."""


@dataclass(frozen=True)
class Pending:
    """A login under way, as the callback needs it."""

    provider: str
    state: str
    nonce: str
    code_verifier: str
    purpose: str
    next_path: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start(
    session: Session,
    provider: str,
    state: str,
    nonce: str,
    code_verifier: str,
    purpose: str,
    next_path: str,
    now: dt.datetime,
) -> str:
    """Keep a login under way; the token returned goes in the browser's cookie. Logins
    older than ``PENDING_FOR`` are cleared on the way (abandoned at the provider)."""
    session.execute(delete(StaffSsoLogin).where(StaffSsoLogin.created_at < now - PENDING_FOR))
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSsoLogin(
            token_hash=_digest(token),
            provider=provider,
            state=state,
            nonce=nonce,
            code_verifier=code_verifier,
            purpose=purpose,
            next_path=next_path,
            created_at=now,
        )
    )
    session.flush()
    return token


def take(session: Session, token: str | None, state: str, now: dt.datetime) -> Pending | None:
    """The login under way of this browser's ``token``, removed so that it is used once,
    when ``state`` is its state and it is recent; None otherwise (removed all the same:
    a wrong state ends the attempt). Two callbacks at once: one gets it, the other None."""
    if not token or len(token) > 128:
        return None
    begin_writing(session)  # SQLite: its write lock stands in for the row lock
    row = session.scalar(
        select(StaffSsoLogin)
        .where(StaffSsoLogin.token_hash == _digest(token))
        .with_for_update(of=StaffSsoLogin)
    )
    if row is None:
        return None
    session.delete(row)
    session.flush()
    if not secrets.compare_digest(row.state.encode(), state.encode()) or (
        now - row.created_at > PENDING_FOR
    ):
        return None
    return Pending(
        row.provider, row.state, row.nonce, row.code_verifier, row.purpose, row.next_path
    )


def _email(provider: Provider, claims: dict[str, Any]) -> str | None:
    value = claims.get(provider.email_claim)
    if not isinstance(value, str) or "@" not in value:
        return None
    if claims.get("email_verified") is False:  # absent: the provider vouches for its claims
        return None
    email = value.strip().lower()
    if provider.email_domains and email.rsplit("@", 1)[1] not in provider.email_domains:
        return None
    return email


def _linked(session: Session, issuer: str, subject: str) -> StaffMember | None:
    return session.scalar(
        select(StaffMember)
        .where(StaffMember.oidc_issuer == issuer, StaffMember.oidc_subject == subject)
        .with_for_update(of=StaffMember)
    )


def _link(
    session: Session, provider: Provider, claims: dict[str, Any], subject: str
) -> StaffMember | None:
    """Link the pre-created account of the claims' e-mail address, if there is one."""
    email = _email(provider, claims)
    if email is None:
        return None
    member = session.scalar(
        select(StaffMember)
        .where(
            StaffMember.username == email,
            StaffMember.partner_id == provider.partner_id,
            StaffMember.oidc_subject.is_(None),
        )
        .with_for_update(of=StaffMember)
    )
    if member is None:
        return None
    member.oidc_issuer, member.oidc_subject = provider.issuer, subject
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:  # this identity was linked to another account at the same moment
        return None
    return member


def account_for(
    session: Session, provider: Provider, claims: dict[str, Any], now: dt.datetime
) -> StaffMember:
    """The staff account the verified ``claims`` open through ``provider``, linked on its
    first login; ``SsoRefusedError`` when they open none. Locks the account's row, so that
    one subject's first logins at once link it once."""
    begin_writing(session)  # SQLite: its write lock stands in for the row lock
    subject = str(claims["sub"])
    # A first login that waited on the row lock may find it linked by the other: look again.
    member = (
        _linked(session, provider.issuer, subject)
        or _link(session, provider, claims, subject)
        or _linked(session, provider.issuer, subject)
    )
    if member is None or member.partner_id != provider.partner_id:
        raise SsoRefusedError(UNKNOWN)  # unknown, or another organisation's account
    if member.disabled_at is not None:
        raise SsoRefusedError("this console account is disabled")
    if member.locked_until is not None and member.locked_until > now:
        raise SsoRefusedError("this console account is locked for a while")
    return member
