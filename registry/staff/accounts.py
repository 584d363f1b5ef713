"""Staff accounts: added by the organisation's admin (console) or an operator (command line),
listed, and disabled. A policy officer always has a second factor; others may."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry.db import begin_writing
from registry.errors import ConflictError, InvalidInputError, NotFoundError
from registry.models import Partner, StaffMember, StaffRole, StaffSession
from registry.staff import passwords, totp

#: Login names: lower case, digits and ``. _ - @``; the acting person in every log record.
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{1,63}$")
#: Roles that must log in with a second factor (they change who sees what).
TOTP_REQUIRED = frozenset({StaffRole.POLICY_OFFICER})


@dataclass(frozen=True)
class NewStaff:
    """A staff member just added, with the TOTP secret to hand over once (None: none)."""

    member: StaffMember
    totp_secret: str | None


def add_staff(
    session: Session,
    partner_id: str,
    username: str,
    display_name: str,
    role: StaffRole,
    password: str,
    *,
    now: dt.datetime,
    with_totp: bool = False,
) -> NewStaff:
    """Add a staff member to ``partner_id``; a policy officer gets a TOTP secret whatever
    ``with_totp`` says. ``ConflictError`` when the username is taken."""
    username = username.strip().lower()
    if not USERNAME.match(username):
        raise InvalidInputError(
            "username must be 2-64 characters: lower-case letters, digits and . _ - @"
        )
    display_name = display_name.strip()
    if not display_name or len(display_name) > 120:
        raise InvalidInputError("name must be 1-120 characters")
    passwords.check_strength(password)
    begin_writing(session)  # SQLite: concurrent adds queue here rather than fail
    if session.get(Partner, partner_id) is None:
        raise NotFoundError(f"no partner {partner_id!r}")
    taken = ConflictError(f"username {username!r} is taken")
    if session.scalar(select(StaffMember.id).where(StaffMember.username == username)):
        raise taken
    secret = totp.new_secret() if with_totp or role in TOTP_REQUIRED else None
    member = StaffMember(
        partner_id=partner_id,
        username=username,
        display_name=display_name,
        role=role,
        password_hash=passwords.hash_password(password),
        totp_secret=secret,
        failed_logins=0,
        created_at=now,
    )
    try:
        # Two admins adding one name at once: the unique key lets one in (PostgreSQL).
        with session.begin_nested():
            session.add(member)
            session.flush()
    except IntegrityError:
        raise taken from None
    return NewStaff(member, secret)


def list_staff(session: Session, partner_id: str | None = None) -> Sequence[StaffMember]:
    """Staff of ``partner_id`` (None: of every partner), by organisation and username."""
    query = select(StaffMember).order_by(StaffMember.partner_id, StaffMember.username)
    if partner_id is not None:
        query = query.where(StaffMember.partner_id == partner_id)
    return session.scalars(query).all()


def find_staff(session: Session, username: str, *, for_change: bool = False) -> StaffMember:
    """The staff member named ``username``; ``NotFoundError`` when there is none.
    ``for_change`` locks the row (a concurrent login or disable waits)."""
    query = select(StaffMember).where(StaffMember.username == username.strip().lower())
    if for_change:
        begin_writing(session)  # SQLite: its write lock stands in for the row lock
        query = query.with_for_update(of=StaffMember)
    member = session.scalar(query)
    if member is None:
        raise NotFoundError(f"no staff member {username!r}")
    return member


def disable_staff(
    session: Session, username: str, *, now: dt.datetime, partner_id: str | None = None
) -> StaffMember:
    """Disable an account and revoke its sessions at once. With ``partner_id`` (an admin in
    the console) only staff of that organisation can be found. Disabling twice is harmless."""
    member = find_staff(session, username, for_change=True)
    if partner_id is not None and member.partner_id != partner_id:
        raise NotFoundError(f"no staff member {username!r}")
    if member.disabled_at is None:
        member.disabled_at = now
    revoke_sessions(session, member.id, now)
    session.flush()
    return member


def revoke_sessions(session: Session, staff_id: uuid.UUID, now: dt.datetime) -> None:
    """End every open session of a staff member (disabled, or a lost device)."""
    session.execute(
        update(StaffSession)
        .where(StaffSession.staff_id == staff_id, StaffSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
