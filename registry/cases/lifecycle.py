"""The case lifecycle: the owner moves a case through the BZK phases by legal transitions only,
records the judgment and the eviction, what followed it, and closes the case with an outcome.

The rules are data. ``TRANSITIONS`` names, for every legal (from, to) pair of phases, the step
that takes it; a step that records something (a judgment date, an eviction date and bailiff)
is the only way through its transition, so a phase never claims what the record lacks.
``CLOSURES`` names from which phases a case may be closed with which outcome. Nothing follows
a closed case. Every change records its events (``registry.recording``) in the same
transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session

from policies import Permission, Relation
from registry.cases.routes import ROUTE_PHASES, Route, route_of
from registry.cases.views import CaseView
from registry.errors import ConflictError, InvalidInputError
from registry.events import Event
from registry.models import (
    Case,
    ClosureOutcome,
    EvictionOutcome,
    HouseholdDestination,
    Involvement,
    InvolvementRole,
    Partner,
    Phase,
)
from registry.partners.registration import partner_in
from registry.recording import record
from registry.shelter import tasks as shelter_tasks

if TYPE_CHECKING:
    from registry.request import RequestScope


class Step(StrEnum):
    """What the owner does to a case; the values are the API's operation names."""

    MOVE = "moveCase"  # a plain move: nothing to record
    REQUEST_JUDGMENT = "requestJudgment"  # to court, with the date of the request
    RECORD_JUDGMENT = "recordJudgment"  # granted and served, with the date
    SCHEDULE_EVICTION = "scheduleEviction"  # a date and a bailiff (again: a new date)
    CALL_OFF_EVICTION = "callOffEviction"
    CARRY_OUT_EVICTION = "carryOutEviction"  # executed, or the household was already gone
    RECORD_AFTERCARE = "recordAftercare"  # where the household went, housing block
    CLOSE = "closeCase"


P = Phase

#: Every legal transition, and the one step that takes it. Anything not listed is illegal.
TRANSITIONS: Mapping[tuple[Phase, Phase], Step] = MappingProxyType(
    {
        (P.ARREARS, P.EARLY_SIGNAL): Step.MOVE,  # the statutory early signal went out
        (P.EARLY_SIGNAL, P.COLLECTION): Step.MOVE,  # help refused or failed: collection resumes
        (P.COLLECTION, P.COURT): Step.REQUEST_JUDGMENT,
        (P.COURT, P.COLLECTION): Step.MOVE,  # the court refused to dissolve the lease
        # Nuisance, fraud or illegal use: from the intervention to court, and back if refused.
        (P.INTERVENTION, P.COURT): Step.REQUEST_JUDGMENT,
        (P.COURT, P.INTERVENTION): Step.MOVE,
        (P.COURT, P.JUDGMENT_SERVED): Step.RECORD_JUDGMENT,
        (P.JUDGMENT_SERVED, P.EVICTION): Step.SCHEDULE_EVICTION,
        (P.EVICTION, P.EVICTION): Step.SCHEDULE_EVICTION,  # a new date for the eviction
        (P.EVICTION, P.JUDGMENT_SERVED): Step.CALL_OFF_EVICTION,  # the judgment still stands
        (P.EVICTION, P.AFTER_EVICTION): Step.CARRY_OUT_EVICTION,
        (P.AFTER_EVICTION, P.AFTER_EVICTION): Step.RECORD_AFTERCARE,
    }
)

_BEFORE_EVICTION = frozenset(
    {P.ARREARS, P.EARLY_SIGNAL, P.COLLECTION, P.INTERVENTION, P.COURT, P.JUDGMENT_SERVED}
)

#: From which phases a case may be closed with each outcome. An eviction that is scheduled is
#: called off or carried out first, so the record says what happened on the day.
CLOSURES: Mapping[ClosureOutcome, frozenset[Phase]] = MappingProxyType(
    {
        ClosureOutcome.PREVENTED_PAYMENT_ARRANGEMENT: _BEFORE_EVICTION,
        ClosureOutcome.PREVENTED_DEBT_HELP: _BEFORE_EVICTION,
        ClosureOutcome.PREVENTED_MOVED_VOLUNTARILY: _BEFORE_EVICTION,
        ClosureOutcome.PREVENTED_SECOND_CHANCE: _BEFORE_EVICTION,
        ClosureOutcome.EVICTED: frozenset({P.AFTER_EVICTION}),
        ClosureOutcome.HOUSEHOLD_GONE: frozenset({P.AFTER_EVICTION}),
    }
)

#: A closure after an eviction must say what the record says happened on the day.
_CLOSURE_AFTER: Mapping[ClosureOutcome, EvictionOutcome] = MappingProxyType(
    {
        ClosureOutcome.EVICTED: EvictionOutcome.EXECUTED,
        ClosureOutcome.HOUSEHOLD_GONE: EvictionOutcome.HOUSEHOLD_GONE,
    }
)

#: Where a household has a roof arranged by someone (``shelterArranged`` follows from it).
_SHELTER = frozenset(
    {
        HouseholdDestination.CRISIS_SHELTER,
        HouseholdDestination.SOCIAL_SHELTER,
        HouseholdDestination.WAITING_ROOM_HOME,
    }
)


def allowed_from(phase: Phase, route: Route = Route.RENT_ARREARS) -> list[str]:
    """What may follow ``phase`` on ``route``, as the owner's engineer reads it in an error
    message."""
    on_route = ROUTE_PHASES[route]
    moves = [
        f"{step} to {to}"
        for (source, to), step in TRANSITIONS.items()
        if source is phase and source in on_route and to in on_route
    ]
    outcomes = [str(outcome) for outcome, phases in CLOSURES.items() if phase in phases]
    if outcomes:
        moves.append(f"{Step.CLOSE} as {' or '.join(outcomes)}")
    return moves


def _refuse(case: Case, attempted: str) -> ConflictError:
    allowed = allowed_from(case.phase, route_of(case.reasons))
    return ConflictError(
        f"illegal transition: {attempted} is not allowed from phase {case.phase}; allowed: "
        + ("; ".join(allowed) if allowed else "nothing")
    )


def _owned_open_case(scope: RequestScope, case_id: str) -> tuple[Case, Relation]:
    case, relation = scope.find_case(case_id, for_change=True)
    scope.require(
        Permission.LIFECYCLE_MANAGE,
        relation,
        "move this case through its lifecycle: only its owner does",
    )
    if case.closed_on is not None:
        raise ConflictError(
            f"case {case.id} was closed on {case.closed_on} ({case.closure_outcome}); "
            "nothing follows a closed case"
        )
    return case, relation


def _enter(case: Case, step: Step, to: Phase) -> None:
    """Refuse unless ``step`` is the step that takes the case from its phase to ``to``."""
    on_route = ROUTE_PHASES[route_of(case.reasons)]
    if TRANSITIONS.get((case.phase, to)) is not step or not {case.phase, to} <= on_route:
        raise _refuse(case, f"{step} to {to}")


def eviction_event(case: Case, event: Event) -> dict[str, object]:
    """What an eviction event records of ``case`` in the signed audit log besides the case: the
    date and bailiff (scheduled) or the outcome (called off, carried out). Sealed like every
    event (``auditlog.sealing``): the leaf every partner reads holds a salted commitment to
    it, and the event is shown only to partners that may read those fields of the case."""
    if event is Event.EVICTION_SCHEDULED:
        assert case.eviction_date is not None and case.bailiff_id is not None  # just scheduled
        return {"evictionDate": case.eviction_date.isoformat(), "bailiff": case.bailiff_id}
    return {"outcome": str(case.eviction_outcome)}


def _changed(
    scope: RequestScope, case: Case, relation: Relation, before: Phase, events: list[Event]
) -> CaseView:
    """End every step alike: bump the record's version and record its events (a phase change
    first), all in the caller's transaction; the case as the caller may see it (what it
    selected of it)."""
    session, now, submitter = scope.session, scope.now, scope.principal.partner_id
    case.updated_at = now
    case.version += 1
    if case.phase is not before:
        events.insert(0, Event.CASE_PHASE_CHANGED)
    for event in events:
        logged = eviction_event(case, event) if event.logged_as is not None else None
        record(session, event, case.id, now, submitter=submitter, payload=logged)
    session.flush()
    return scope.disclosure.case_view(case, relation, scope.selection)


def move(scope: RequestScope, case_id: str, to: Phase) -> CaseView:
    """A plain move to the next phase (the early signal, collection, or back to collection
    when the court refused). Moves that record something have their own step."""
    case, relation = _owned_open_case(scope, case_id)
    step = TRANSITIONS.get((case.phase, to))
    if step is not None and step is not Step.MOVE:
        raise ConflictError(f"from {case.phase} to {to} is not a plain move: use {step}")
    _enter(case, Step.MOVE, to)
    before, case.phase = case.phase, to
    return _changed(scope, case, relation, before, [])


def _not_future(day: dt.date, name: str, scope: RequestScope) -> None:
    if day > scope.today:
        raise InvalidInputError(f"{name} {day} lies in the future")


def request_judgment(scope: RequestScope, case_id: str, requested_on: dt.date) -> CaseView:
    """The corporation asked the sub-district court to dissolve the lease: to court."""
    case, relation = _owned_open_case(scope, case_id)
    _enter(case, Step.REQUEST_JUDGMENT, P.COURT)
    _not_future(requested_on, "requestedOn", scope)
    if case.early_signalled_on is not None and requested_on < case.early_signalled_on:
        raise InvalidInputError(
            f"requestedOn {requested_on} is before the early signal of {case.early_signalled_on}"
        )
    before = case.phase
    case.judgment_requested_on, case.judgment_granted_on = requested_on, None
    case.phase = P.COURT
    return _changed(scope, case, relation, before, [])


def record_judgment(scope: RequestScope, case_id: str, granted_on: dt.date) -> CaseView:
    """The court granted the dissolution and the judgment was served."""
    case, relation = _owned_open_case(scope, case_id)
    _enter(case, Step.RECORD_JUDGMENT, P.JUDGMENT_SERVED)
    _not_future(granted_on, "grantedOn", scope)
    if case.judgment_requested_on is not None and granted_on < case.judgment_requested_on:
        raise InvalidInputError(
            f"grantedOn {granted_on} is before the request of {case.judgment_requested_on}"
        )
    before = case.phase
    case.judgment_granted_on = granted_on
    case.phase = P.JUDGMENT_SERVED
    return _changed(scope, case, relation, before, [])


def _bailiff(session: Session, case: Case, bailiff_id: str) -> Partner:
    return partner_in(
        session,
        bailiff_id,
        case.municipality_code,
        able_to=Permission.EVICTION_CARRY_OUT,
        refusal="does not carry out evictions: name a bailiff",
    )


def schedule_eviction(
    scope: RequestScope, case_id: str, date: dt.date, bailiff_id: str
) -> CaseView:
    """Schedule the eviction (or move it to a new date) with the bailiff who carries it out.
    The bailiff is involved in the case if it was not already, so it is told as well."""
    case, relation = _owned_open_case(scope, case_id)
    _enter(case, Step.SCHEDULE_EVICTION, P.EVICTION)
    if date < scope.today:
        raise InvalidInputError(f"the eviction date {date} lies in the past")
    if case.judgment_granted_on is None:
        raise ConflictError("no judgment is recorded: recordJudgment first")
    if date < case.judgment_granted_on:
        raise InvalidInputError(
            f"the eviction date {date} is before the judgment of {case.judgment_granted_on}"
        )
    bailiff = _bailiff(scope.session, case, bailiff_id)
    before = case.phase
    case.eviction_date, case.eviction_outcome, case.bailiff_id = date, None, bailiff.id
    if not any(i.partner_id == bailiff.id and i.released_at is None for i in case.involvements):
        case.involvements.append(
            Involvement(
                case_id=case.id,
                partner_id=bailiff.id,
                role=InvolvementRole.BAILIFF,
                since=scope.now,
                involved_by=scope.principal.partner_id,
            )
        )
    case.phase = P.EVICTION
    # The municipality must now arrange shelter before the day (the report's section 4.2).
    shelter_tasks.open_for(scope, case)
    return _changed(scope, case, relation, before, [Event.EVICTION_SCHEDULED])


def call_off_eviction(scope: RequestScope, case_id: str) -> CaseView:
    """The eviction will not take place on its date; the judgment still stands."""
    case, relation = _owned_open_case(scope, case_id)
    _enter(case, Step.CALL_OFF_EVICTION, P.JUDGMENT_SERVED)
    before = case.phase
    # The date is cleared, not kept: a partner allowed only the date (ZOwonen's restriction)
    # must not go on seeing an eviction that will not happen.
    case.eviction_date, case.eviction_outcome = None, EvictionOutcome.CALLED_OFF
    case.phase = P.JUDGMENT_SERVED
    return _changed(scope, case, relation, before, [Event.EVICTION_CALLED_OFF])


def carry_out_eviction(scope: RequestScope, case_id: str, outcome: EvictionOutcome) -> CaseView:
    """What happened on the day: the eviction was executed, or the household was already gone
    ("noorderzon"). A called-off eviction is ``callOffEviction``."""
    case, relation = _owned_open_case(scope, case_id)
    _enter(case, Step.CARRY_OUT_EVICTION, P.AFTER_EVICTION)
    if outcome is EvictionOutcome.CALLED_OFF:
        raise InvalidInputError(
            "an eviction that did not take place is called off: callOffEviction"
        )
    if case.eviction_date is not None and case.eviction_date > scope.today:
        raise ConflictError(
            f"the eviction is scheduled for {case.eviction_date}: it cannot be carried out before"
        )
    before = case.phase
    case.eviction_outcome = outcome
    case.phase = P.AFTER_EVICTION
    return _changed(scope, case, relation, before, [Event.EVICTION_CARRIED_OUT])


@dataclass(frozen=True)
class Aftercare:
    """What is known after the eviction; None leaves a field as it is."""

    destination: HouseholdDestination | None = None
    arranged_by: str | None = None
    children_involved: bool | None = None
    housing_block_until: dt.date | None = None
    housing_block_until_debt_settled: bool | None = None


def record_aftercare(scope: RequestScope, case_id: str, aftercare: Aftercare) -> CaseView:
    """Record where the household went, who arranged it, whether children are involved, and
    the housing block: until a date, until the debt is settled, or both (until the date and
    then until the debt is settled, as Ieder1 blocks an evicted tenant for three years and
    after that until the debt is paid)."""
    case, relation = _owned_open_case(scope, case_id)
    _enter(case, Step.RECORD_AFTERCARE, P.AFTER_EVICTION)
    if (
        aftercare.arranged_by is not None
        and scope.session.get(Partner, aftercare.arranged_by) is None
    ):
        raise InvalidInputError(f"unknown partner {aftercare.arranged_by!r}")
    until = aftercare.housing_block_until
    if until is not None and case.eviction_date is not None and until <= case.eviction_date:
        raise InvalidInputError(
            f"a housing block until {until} ends before the eviction of {case.eviction_date}"
        )
    if aftercare.destination is not None:
        case.household_destination = aftercare.destination
        case.shelter_arranged = (
            None
            if aftercare.destination is HouseholdDestination.UNKNOWN
            else aftercare.destination in _SHELTER
        )
    if aftercare.arranged_by is not None:
        case.destination_arranged_by = aftercare.arranged_by
    if aftercare.children_involved is not None:
        case.children_involved = aftercare.children_involved
    if until is not None:
        # A date alone replaces an earlier block; with the debt as well it is Ieder1's rule:
        # blocked until the date, and after it until the debt is settled.
        case.housing_block_until = until
        case.housing_block_until_debt_settled = bool(aftercare.housing_block_until_debt_settled)
    elif aftercare.housing_block_until_debt_settled is not None:
        case.housing_block_until_debt_settled = aftercare.housing_block_until_debt_settled
        if aftercare.housing_block_until_debt_settled:
            case.housing_block_until = None
    return _changed(scope, case, relation, case.phase, [])


def close(scope: RequestScope, case_id: str, outcome: ClosureOutcome) -> CaseView:
    """Close the case with its outcome; nothing follows a closed case."""
    case, relation = _owned_open_case(scope, case_id)
    if case.phase not in CLOSURES[outcome]:
        raise _refuse(case, f"{Step.CLOSE} as {outcome}")
    expected = _CLOSURE_AFTER.get(outcome)
    if expected is not None and case.eviction_outcome is not expected:
        raise ConflictError(
            f"closing as {outcome} needs the eviction recorded as {expected}, "
            f"not {case.eviction_outcome}"
        )
    case.closed_on, case.closure_outcome = scope.today, outcome
    return _changed(scope, case, relation, case.phase, [Event.CASE_CLOSED])
