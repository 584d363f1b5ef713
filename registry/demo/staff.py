"""The demo's staff accounts for the console: a Sittard-Geleen policy officer (with a TOTP
second factor), a Bureau Woonkans monitor and a Zaanstad case worker, each with a fresh
random password that the demo prints once and keeps in its data folder."""

from __future__ import annotations

import datetime as dt
import secrets
from dataclasses import dataclass

from sqlalchemy.orm import Session

from registry.models import StaffRole
from registry.staff import accounts


@dataclass(frozen=True)
class DemoAccount:
    """A demo login as the demo prints it."""

    username: str
    display_name: str
    partner_id: str
    role: StaffRole
    password: str
    totp_secret: str | None

    def line(self) -> str:
        """One line for the demo's instructions."""
        second = f"  TOTP secret {self.totp_secret}" if self.totp_secret else ""
        return (
            f"{self.username} ({self.role.value}, {self.partner_id})  "
            f"password {self.password}{second}"
        )


DEMO_STAFF = (
    ("beleid@sittard-geleen", "Sanne Beleid", "gemeente-sittard-geleen", StaffRole.POLICY_OFFICER),
    ("monitor@bureau-woonkans", "Mo Nitor", "bureau-woonkans", StaffRole.MONITOR),
    ("casemanager@zaanstad", "Kees Casus", "gemeente-zaanstad", StaffRole.CASE_WORKER),
)


def add_accounts(session: Session, now: dt.datetime) -> list[DemoAccount]:
    """Create the demo's staff accounts with fresh random passwords."""
    made = []
    for username, name, partner_id, role in DEMO_STAFF:
        password = secrets.token_urlsafe(12)
        new = accounts.add_staff(session, partner_id, username, name, role, password, now=now)
        made.append(DemoAccount(username, name, partner_id, role, password, new.totp_secret))
    return made
