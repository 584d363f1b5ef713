"""Follow-ups after an eviction: what the partners that continue aftercare agreed to do, by
when ("contact after two weeks, again after three months"), and what came of it.

The municipality (or a district team involved in the case) schedules a follow-up for a
partner working in the case's municipality, due on a day not yet past; the assignee is told
(``aftercare.follow_up_scheduled``). A partner named in a follow-up continues aftercare: if
it is not involved in the case yet, it is involved in the role ``aftercare``, so the case stays
in its view after the eviction and the case's closing, with what the covenant grants that role
(the report's section 3.2.4: after an eviction the household drops out of sight).

The assignee (or the municipality) records it done with an outcome code, once: the signed log
records the code, never free text. An open follow-up past its due date is listed
(``list_follow_ups``) and announced once to its assignee (``announce_overdue``, run by the
delivery worker).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from policies import Permission, Relation, permits
from registry.aftercare.views import FollowUpView

# Before ``registry.recording``, which imports the cases service and is imported back by it.
from registry.cases import service as _cases  # noqa: F401
from registry.cases.involvements import add_involvement
from registry.cases.relations import with_relation
from registry.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from registry.events import Event
from registry.models import (
    AftercareFollowUp,
    Case,
    FollowUpKind,
    FollowUpOutcome,
    InvolvementRole,
    Phase,
)
from registry.partners.registration import partner_in
from registry.recording import record

if TYPE_CHECKING:
    from registry.request import RequestScope

MAX_LIST = 500
#: The case field whose rows scheduling reads: who is involved already.
_INVOLVEMENTS = frozenset({"involvements"})


@dataclass(frozen=True)
class NewFollowUp:
    """A follow-up to schedule: what, for which partner, by when."""

    case_id: str
    kind: FollowUpKind
    assignee: str
    due_on: dt.date


def schedule(scope: RequestScope, new: NewFollowUp) -> FollowUpView:
    """Schedule a follow-up after the eviction of a case (also once the case is closed:
    aftercare goes on after it)."""
    session, me, now = scope.session, scope.principal.partner_id, scope.now
    case, relation = scope.find_case(new.case_id, fields=_INVOLVEMENTS, for_change=True)
    scope.require(
        Permission.AFTERCARE_FOLLOW_UP_SCHEDULE,
        relation,
        "schedule aftercare follow-ups for this case",
    )
    if case.phase is not Phase.AFTER_EVICTION:
        raise ConflictError(
            f"case {case.id} is in phase {case.phase}: follow-ups are scheduled after the eviction"
        )
    if new.due_on < scope.today:
        raise InvalidInputError(f"a follow-up's due date {new.due_on} lies in the past")
    assignee = partner_in(session, new.assignee.strip(), case.municipality_code)
    if not any(i.partner_id == assignee.id and i.released_at is None for i in case.involvements):
        # Named in a follow-up, a partner continues aftercare: involved in that role, it keeps
        # the case in view (after its closing too), reads what the covenant grants the role,
        # and is told of its follow-ups.
        add_involvement(scope, case, assignee.id, InvolvementRole.AFTERCARE)
    item = AftercareFollowUp(
        id=uuid.uuid4(),
        case_id=case.id,
        kind=new.kind,
        assignee_id=assignee.id,
        due_on=new.due_on,
        scheduled_by=me,
        scheduled_at=now,
    )
    session.add(item)
    session.flush()
    record(session, Event.AFTERCARE_FOLLOW_UP_SCHEDULED, case.id, now, addressee=assignee.id)
    found = scope.disclosure.follow_up_view(item, case, relation, scope.today)
    assert found is not None  # scheduled by the caller: its own (Disclosure.follow_up_view)
    return found


def _parse_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except (ValueError, AttributeError, TypeError):
        raise InvalidInputError(f"{text!r} is not a follow-up id (a UUID)") from None


def record_done(scope: RequestScope, follow_up_id: str, outcome: FollowUpOutcome) -> FollowUpView:
    """Record a follow-up done with its outcome: its assignee, or the case's municipality.
    Once: a second time is a conflict, also when two arrive at once (the case's row is
    locked before the follow-up is read)."""
    session, me, now = scope.session, scope.principal.partner_id, scope.now
    parsed = _parse_id(follow_up_id)
    case_id = session.scalar(
        select(AftercareFollowUp.case_id).where(AftercareFollowUp.id == parsed)
    )
    missing = NotFoundError(f"follow-up {parsed} not found")
    if case_id is None:
        raise missing
    try:
        case, relation = scope.find_case(case_id, fields=frozenset(), for_change=True)
    except NotFoundError:
        raise missing from None  # a follow-up of a case one may not see does not exist
    item = session.scalars(
        select(AftercareFollowUp)
        .where(AftercareFollowUp.id == parsed)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    mine = item.assignee_id == me
    if not mine and not permits(
        scope.principal.kind, relation, Permission.AFTERCARE_FOLLOW_UP_RECORD
    ):
        raise NotAllowedError(
            f"{me} may not record this follow-up: its assignee {item.assignee_id} or the "
            "municipality does"
        )
    if item.done_at is not None:
        raise ConflictError(
            f"the follow-up was recorded done already on {item.done_at:%Y-%m-%d} by "
            f"{item.done_by} ({item.outcome})"
        )
    item.done_at, item.done_by, item.outcome = now, me, outcome
    item.version += 1
    session.flush()
    record(
        session,
        Event.AFTERCARE_FOLLOW_UP_DONE,
        case.id,
        now,
        submitter=me,
        payload={"followUp": str(item.id), "kind": str(item.kind), "outcome": str(outcome)},
    )
    found = scope.disclosure.follow_up_view(item, case, relation, scope.today)
    assert found is not None  # the assignee's own, or the municipality's (it may record it)
    return found


def for_case(scope: RequestScope, case_id: str) -> list[FollowUpView]:
    """The follow-ups of one case the caller may read, soonest due first."""
    case, relation = scope.find_case(case_id, fields=frozenset())
    items = scope.session.scalars(
        select(AftercareFollowUp)
        .where(AftercareFollowUp.case_id == case.id)
        .order_by(AftercareFollowUp.due_on, AftercareFollowUp.id)
    )
    views = (scope.disclosure.follow_up_view(i, case, relation, scope.today) for i in items)
    return [v for v in views if v is not None]


def list_follow_ups(
    scope: RequestScope,
    *,
    open_only: bool = True,
    overdue_only: bool = False,
    assigned_to_me: bool = False,
    first: int = 100,
) -> list[FollowUpView]:
    """The follow-ups of cases the caller relates to and may read them of (or that are its
    own), soonest due first: its work list. Open means not done; overdue, open past its due
    date."""
    if not 1 <= first <= MAX_LIST:
        raise InvalidInputError(f"first must be between 1 and {MAX_LIST}")
    me, today = scope.principal.partner_id, scope.today
    stmt = with_relation(select(Case), me).add_columns(AftercareFollowUp)
    stmt = stmt.join(AftercareFollowUp, AftercareFollowUp.case_id == Case.id)
    stmt = stmt.where(Case.erased_at.is_(None))
    if open_only or overdue_only:
        stmt = stmt.where(AftercareFollowUp.done_at.is_(None))
    if overdue_only:
        stmt = stmt.where(AftercareFollowUp.due_on < today)
    if assigned_to_me:
        stmt = stmt.where(AftercareFollowUp.assignee_id == me)
    stmt = stmt.order_by(AftercareFollowUp.due_on, AftercareFollowUp.id)
    views = []
    for case, rel, item in scope.session.execute(stmt):
        found = scope.disclosure.follow_up_view(item, case, Relation(rel), today)
        if found is not None:
            views.append(found)
            if len(views) == first:
                break
    return views


def announce_overdue(session: Session, now: dt.datetime) -> int:
    """Write an ``aftercare.follow_up_overdue`` event, addressed to its assignee, for every
    open follow-up past its due date not announced yet; returns how many. A compare-and-set
    on ``overdue_announced_at`` keeps two workers from both announcing one."""
    due = session.scalars(
        select(AftercareFollowUp)
        .where(
            AftercareFollowUp.done_at.is_(None),
            AftercareFollowUp.due_on < now.date(),
            AftercareFollowUp.overdue_announced_at.is_(None),
        )
        .order_by(AftercareFollowUp.due_on, AftercareFollowUp.id)
        .limit(100)
    ).all()
    announced = 0
    for item in due:
        taken = session.execute(
            update(AftercareFollowUp)
            .where(
                AftercareFollowUp.id == item.id,
                AftercareFollowUp.overdue_announced_at.is_(None),
            )
            .values(overdue_announced_at=now)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            continue  # another worker announced it first
        record(
            session,
            Event.AFTERCARE_FOLLOW_UP_OVERDUE,
            item.case_id,
            now,
            addressee=item.assignee_id,
        )
        announced += 1
    session.flush()
    return announced
