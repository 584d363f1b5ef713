"""Arranging demo cases for tests: in a given state, directly in the test's own database; or
new, registered through the API (``REGISTER_CASE`` with ``NEW_CASE``)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from registry.models import Case, EvictionOutcome, Involvement, InvolvementRole, Phase

#: Register a case; answers its id, owner, arrears months and contact name.
REGISTER_CASE = """mutation($input: RegisterCaseInput!) { registerCase(input: $input) {
  id owner arrearsMonths contactName } }"""
#: A new case ZOwonen may register, in Sittard-Geleen, with every early-signal step taken.
NEW_CASE: dict[str, Any] = {
    "municipality": "sittard-geleen",
    "householdComposition": "SINGLE",
    "childrenInvolved": False,
    "arrearsAmount": "1650.00",
    "arrearsMonths": 3,
    "reasons": ["RENT_ARREARS"],
    "contact": {"name": "Test Huishouden", "address": "Proefweg 1", "postalCode": "6131 AA"},
    "contactAttempted": True,
    "debtHelpReferred": True,
    "reminderSent": True,
    "tenantDidNotObject": True,
}


def case_in(
    sessions: sessionmaker[Session],
    owner: str,
    phase: Phase,
    today: dt.date,
    *,
    involved: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
) -> str:
    """A demo case of ``owner``, put in ``phase`` with the dates that phase implies, with
    exactly ``involved`` involved; returns its id. ``exclude``: case ids not to pick."""
    with sessions.begin() as session:
        stmt = (
            select(Case)
            .where(Case.owner_id == owner, Case.id.not_in([uuid.UUID(c) for c in exclude]))
            .options(selectinload(Case.involvements))
            .order_by(Case.registered_at, Case.id)
        )
        case = session.scalars(stmt).first()
        assert case is not None
        order = list(Phase)
        case.phase = phase
        case.early_signalled_on = today - dt.timedelta(days=200)
        case.judgment_requested_on = case.judgment_granted_on = None
        case.eviction_date = case.eviction_outcome = case.bailiff_id = None
        if order.index(phase) >= order.index(Phase.COURT):
            case.judgment_requested_on = today - dt.timedelta(days=60)
        if order.index(phase) >= order.index(Phase.JUDGMENT_SERVED):
            case.judgment_granted_on = today - dt.timedelta(days=30)
        for involvement in case.involvements:
            session.delete(involvement)
        session.flush()
        for partner in involved:
            session.add(
                Involvement(
                    case_id=case.id,
                    partner_id=partner,
                    role=InvolvementRole.OTHER,
                    since=case.registered_at,
                    involved_by=owner,
                )
            )
        return str(case.id)


def evicted_case(
    sessions: sessionmaker[Session],
    owner: str,
    today: dt.date,
    *,
    bailiff: str,
    evicted_on: dt.date | None = None,
    outcome: EvictionOutcome = EvictionOutcome.EXECUTED,
    involved: tuple[str, ...] = (),
    exclude: tuple[str, ...] = (),
) -> str:
    """A demo case of ``owner`` whose eviction ``bailiff`` carried out (on ``evicted_on``,
    default ``today``), with the bailiff involved as such; returns its id."""
    case_id = case_in(
        sessions, owner, Phase.AFTER_EVICTION, today, involved=involved, exclude=exclude
    )
    with sessions.begin() as session:
        case = session.get(Case, uuid.UUID(case_id))
        assert case is not None
        case.eviction_date = evicted_on or today
        case.eviction_outcome = outcome
        case.bailiff_id = bailiff
        session.add(
            Involvement(
                case_id=case.id,
                partner_id=bailiff,
                role=InvolvementRole.BAILIFF,
                since=case.registered_at,
                involved_by=owner,
            )
        )
    return case_id


def involved_case(
    sessions: sessionmaker[Session], partner: str, owner: str, *, phase: Phase | None = None
) -> str:
    """The id of the first-registered case of ``owner`` that ``partner`` is involved in; with
    ``phase``, moved to that phase first (what a partner may read depends on it)."""
    with sessions.begin() as session:
        case = session.scalars(
            select(Case)
            .join(Involvement, Involvement.case_id == Case.id)
            .where(Involvement.partner_id == partner, Case.owner_id == owner)
            .order_by(Case.registered_at)
        ).first()
        assert case is not None, f"no case of {owner} that {partner} is involved in"
        if phase is not None:
            case.phase = phase
        return str(case.id)
