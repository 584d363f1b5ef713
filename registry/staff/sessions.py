"""Console sessions, kept server-side: opened at login, ended at logout, by an idle period of
15 minutes, after 8 hours whatever happens, or when the account is disabled.

The browser holds a random token (256 bits) in a cookie; the database holds its SHA-256, so
the table alone opens no session. Each session has its own CSRF token.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.models import StaffMember, StaffSession

IDLE_TIMEOUT = dt.timedelta(minutes=15)
ABSOLUTE_TIMEOUT = dt.timedelta(hours=8)
#: last_seen_at is written at most this often: not a write on every page.
_TOUCH_EVERY = dt.timedelta(seconds=30)


@dataclass(frozen=True)
class OpenedSession:
    """A session just opened: the token for the cookie, and the row."""

    token: str
    row: StaffSession


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(
    session: Session, member: StaffMember, purpose: str, now: dt.datetime
) -> OpenedSession:
    """Open a session for ``member`` acting for ``purpose``."""
    token = secrets.token_urlsafe(32)
    row = StaffSession(
        token_hash=_digest(token),
        staff_id=member.id,
        staff=member,
        csrf_token=secrets.token_urlsafe(32),
        purpose=purpose,
        created_at=now,
        last_seen_at=now,
    )
    session.add(row)
    session.flush()
    return OpenedSession(token, row)


def find_session(session: Session, token: str | None, now: dt.datetime) -> StaffSession | None:
    """The live session of ``token``, its idle clock reset; None when there is none (never
    was, revoked, idle or too old, or its account disabled)."""
    if not token or len(token) > 128:
        return None
    row = session.scalar(select(StaffSession).where(StaffSession.token_hash == _digest(token)))
    if row is None or row.revoked_at is not None or row.staff.disabled_at is not None:
        return None
    if now - row.last_seen_at > IDLE_TIMEOUT or now - row.created_at > ABSOLUTE_TIMEOUT:
        return None
    if now - row.last_seen_at > _TOUCH_EVERY:
        row.last_seen_at = now
        session.flush()
    return row


def end_session(session: Session, row: StaffSession, now: dt.datetime) -> None:
    """Revoke one session (logout)."""
    if row.revoked_at is None:
        row.revoked_at = now
        session.flush()


def csrf_matches(row: StaffSession, sent: str | None) -> bool:
    """Whether ``sent`` is the session's CSRF token (compared in constant time)."""
    return bool(sent) and secrets.compare_digest(row.csrf_token, sent or "")
