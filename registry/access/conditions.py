"""The conditions a grant or restriction carries, checked as a policy officer writes them:
case phases, registered purposes, a validity period, and an involvement role as subject.

Each check refuses with ``InvalidInputError`` naming what is wrong, before anything is stored.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from policies import NO_PURPOSE
from registry.errors import InvalidInputError
from registry.models import InvolvementRole, Phase, ProcessingPurpose

PHASES = tuple(str(p) for p in Phase)
ROLES = tuple(str(r) for r in InvolvementRole)


@dataclass(frozen=True)
class Conditions:
    """When a policy applies: in these phases (empty: every phase), for these purposes
    (registered by the municipality; empty: any, for a restriction only), from ``valid_from``
    until ``valid_until`` (both days included; None: open)."""

    phases: Sequence[str] = ()
    purposes: Sequence[str] = ()
    valid_from: dt.date | None = None
    valid_until: dt.date | None = None


def check_phases(phases: Sequence[str]) -> list[str]:
    """The phases, each a phase the registry knows, in the registry's order."""
    unknown = sorted(set(phases) - set(PHASES))
    if unknown:
        raise InvalidInputError(
            f"unknown phase: {', '.join(unknown)} (phases: {', '.join(PHASES)})"
        )
    return [p for p in PHASES if p in phases]


def check_role(role: str) -> str:
    """An involvement role the registry knows."""
    if role not in ROLES:
        raise InvalidInputError(f"unknown involvement role {role!r} (roles: {', '.join(ROLES)})")
    return role


def check_period(valid_from: dt.date | None, valid_until: dt.date | None) -> None:
    """A period whose end is not before its start."""
    if valid_from is not None and valid_until is not None and valid_until < valid_from:
        raise InvalidInputError(
            f"validUntil {valid_until.isoformat()} is before validFrom {valid_from.isoformat()}"
        )


def registered_purposes(session: Session, municipalities: Sequence[str]) -> set[str]:
    """The ids of the purposes registered by any of ``municipalities``."""
    return set(
        session.scalars(
            select(ProcessingPurpose.id).where(ProcessingPurpose.municipality.in_(municipalities))
        )
    )


def check_purposes(
    session: Session, purposes: Sequence[str], municipalities: Sequence[str]
) -> list[str]:
    """The purposes, each registered by one of ``municipalities`` (a grant's: its own; a
    restriction's: any its issuer works in)."""
    known = registered_purposes(session, municipalities)
    unknown = sorted(set(purposes) - known)
    if unknown:
        where = ", ".join(municipalities) or "no municipality"
        raise InvalidInputError(
            f"unknown purpose: {', '.join(unknown)} (not registered in {where})"
        )
    return sorted(set(purposes))


def check_conditions(
    session: Session, conditions: Conditions, municipalities: Sequence[str]
) -> Conditions:
    """``conditions`` checked and normalised."""
    check_period(conditions.valid_from, conditions.valid_until)
    return Conditions(
        check_phases(conditions.phases),
        check_purposes(session, conditions.purposes, municipalities),
        conditions.valid_from,
        conditions.valid_until,
    )


def check_purpose_id(purpose: str) -> str:
    """A purpose id a municipality may register: a short slug, not the one of no purpose."""
    if purpose == NO_PURPOSE:
        raise InvalidInputError(f"{NO_PURPOSE!r} stands for naming no purpose; choose another id")
    if not (1 <= len(purpose) <= 64) or not all(c.isalnum() or c in "_-" for c in purpose):
        raise InvalidInputError(
            f"purpose id {purpose!r} must be 1 to 64 letters, digits, '_' or '-'"
        )
    return purpose
