"""Logging in: password, then (when the account has one) a TOTP code, throttled per account.

Five wrong passwords in a row lock the account for fifteen minutes; every refusal reads the
same, so a caller learns nothing about which usernames exist. The failure count is written
even though the login is refused: the caller commits it (``LoginRefusedError.commit``).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.db import begin_writing
from registry.errors import NotAllowedError
from registry.models import StaffMember
from registry.staff import passwords, totp

MAX_FAILURES = 5
LOCKOUT = dt.timedelta(minutes=15)
REFUSED = "wrong username, password or code"
LOCKED = "too many failed logins: this account is locked for a while; try again later"


class LoginRefusedError(NotAllowedError):
    """The login was refused; ``locked``: because the account is (now) locked."""

    def __init__(self, message: str, *, locked: bool = False) -> None:
        super().__init__(message)
        self.locked = locked


def log_in(
    session: Session, username: str, password: str, code: str | None, now: dt.datetime
) -> StaffMember:
    """The staff member whose password (and TOTP code, if the account has a secret) these
    are; ``LoginRefusedError`` otherwise. Locks the account's row: concurrent attempts are
    counted one after the other. The caller commits in both cases."""
    # SQLite has no row locks: its write lock, taken first, serialises the attempts instead.
    begin_writing(session)
    member = session.scalar(
        select(StaffMember)
        .where(StaffMember.username == username.strip().lower())
        .with_for_update(of=StaffMember)
    )
    if member is None:
        passwords.verify(None, password)  # the same time as for a real account
        raise LoginRefusedError(REFUSED)
    if member.locked_until is not None and member.locked_until > now:
        raise LoginRefusedError(LOCKED, locked=True)
    if member.disabled_at is not None:
        passwords.verify(None, password)
        raise LoginRefusedError(REFUSED)
    if not passwords.verify(member.password_hash, password):
        _failed(member, now)
        session.flush()
        raise LoginRefusedError(
            LOCKED if member.locked_until else REFUSED, locked=bool(member.locked_until)
        )
    if member.totp_secret is not None:
        step = totp.accepted_step(member.totp_secret, code or "", now, member.totp_last_step)
        if step is None:
            # A wrong code after the right password counts too: else the code could be guessed.
            _failed(member, now)
            session.flush()
            raise LoginRefusedError(
                LOCKED if member.locked_until else REFUSED, locked=bool(member.locked_until)
            )
        member.totp_last_step = step
    member.failed_logins = 0
    member.locked_until = None
    if passwords.needs_rehash(member.password_hash):
        member.password_hash = passwords.hash_password(password)
    session.flush()
    return member


def _failed(member: StaffMember, now: dt.datetime) -> None:
    member.failed_logins += 1
    if member.failed_logins >= MAX_FAILURES:
        member.locked_until = now + LOCKOUT
        member.failed_logins = 0
