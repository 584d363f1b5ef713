"""The shelter task (the report's section 4.2: the municipality takes responsibility for
shelter; Ieder1 reserves a place before the eviction; with children, shelter is always
arranged).

Scheduling an eviction opens a task for the case's municipality (``open_for``, called by the
lifecycle in the same transaction), due the day before the eviction and urgent when children
are involved; a new date moves it. The task is pushed as a webhook (``shelter_task.opened``,
addressed to the municipality) and listed (``list_tasks``); an overdue task is announced once
(``announce_overdue``, run by the delivery worker). The municipality (or a shelter involved in
the case) records the reservation: what kind of place, from when, arranged by whom; a place
from after the eviction day is no shelter for that day and is refused.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from policies import Permission, Relation
from registry import recording
from registry.cases.relations import with_relation
from registry.errors import ConflictError, InvalidInputError
from registry.events import Event
from registry.models import (
    Case,
    HouseholdComposition,
    Municipality,
    Phase,
    ShelterKind,
    ShelterTask,
)
from registry.notifications import outbox
from registry.partners.registration import partner_in
from registry.shelter.views import ShelterTaskView

if TYPE_CHECKING:
    from registry.request import RequestScope

MAX_LIST = 500
#: Compositions that mean children live in the home, whatever the flag says.
_WITH_CHILDREN = frozenset({HouseholdComposition.SINGLE_PARENT, HouseholdComposition.FAMILY})


def children_involved(case: Case) -> bool:
    """Whether children are involved: the case's flag, or a composition with children."""
    return case.children_involved or case.household_composition in _WITH_CHILDREN


def _task_of(
    session: Session, case_id: uuid.UUID, *, for_update: bool = False
) -> ShelterTask | None:
    stmt = select(ShelterTask).where(ShelterTask.case_id == case_id)
    if for_update:
        # Locked (PostgreSQL; SQLite's one writer is serialised already) so that two
        # reservations at once cannot both find the task open.
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return session.scalars(stmt).first()


def open_for(scope: RequestScope, case: Case) -> None:
    """Open (or, for a new eviction date, move) the shelter task of ``case``, whose eviction
    was just scheduled; in the caller's transaction. A task already fulfilled keeps its
    reservation; only its due date follows the new eviction date."""
    session, now = scope.session, scope.now
    assert case.eviction_date is not None  # just scheduled
    due = case.eviction_date - dt.timedelta(days=1)
    task = _task_of(session, case.id)
    if task is not None:
        task.due_on, task.urgent = due, children_involved(case)
        task.overdue_announced_at = None  # a new due date may fall due again
        task.version += 1
        return
    authority = session.scalar(
        select(Municipality.authority_id).where(Municipality.code == case.municipality_code)
    )
    task = ShelterTask(
        id=uuid.uuid4(),
        case_id=case.id,
        municipality_code=case.municipality_code,
        assignee_id=authority,
        opened_at=now,
        due_on=due,
        urgent=children_involved(case),
    )
    session.add(task)
    session.flush()
    recording.record(session, Event.SHELTER_TASK_OPENED, case.id, now, addressee=authority)


@dataclass(frozen=True)
class Reservation:
    """A place reserved for the household: what kind, from when, arranged by whom."""

    case_id: str
    kind: ShelterKind
    reserved_from: dt.date
    arranged_by: str


def reserve(scope: RequestScope, reservation: Reservation) -> ShelterTaskView:
    """Record the reservation that fulfils a case's shelter task (the municipality, or a
    shelter involved in the case). The place must be available from the eviction day at the
    latest."""
    session, me, now = scope.session, scope.principal.partner_id, scope.now
    case, relation = scope.find_case(reservation.case_id, fields=frozenset())
    scope.require(Permission.SHELTER_RESERVE, relation, "reserve shelter for this case")
    task = _task_of(session, case.id, for_update=True)
    if task is None:
        raise ConflictError(
            f"case {case.id} has no shelter task: it opens when an eviction is scheduled"
        )
    if task.reserved_at is not None:
        raise ConflictError(
            f"shelter was reserved already on {task.reserved_at:%Y-%m-%d} "
            f"({task.shelter_kind} from {task.reserved_from}, arranged by {task.arranged_by})"
        )
    if case.phase is not Phase.EVICTION or case.eviction_date is None:
        raise ConflictError(f"no eviction is scheduled for case {case.id} (phase {case.phase})")
    if reservation.reserved_from > case.eviction_date:
        raise InvalidInputError(
            f"reservedFrom {reservation.reserved_from} is after the eviction on "
            f"{case.eviction_date}: the household needs a place from that day"
        )
    arranger = partner_in(session, reservation.arranged_by.strip(), case.municipality_code)
    task.shelter_kind, task.reserved_from = reservation.kind, reservation.reserved_from
    task.arranged_by, task.reserved_by, task.reserved_at = arranger.id, me, now
    task.version += 1
    session.flush()
    recording.record(
        session,
        Event.SHELTER_RESERVED,
        case.id,
        now,
        submitter=me,
        payload={
            "shelterTask": str(task.id),
            "kind": str(reservation.kind),
            "reservedFrom": reservation.reserved_from.isoformat(),
            "arrangedBy": arranger.id,
        },
    )
    found = scope.disclosure.shelter_task_view(task, case, relation, scope.today)
    assert found is not None  # the reserver's own task now (Disclosure.shelter_task_view)
    return found


def get(scope: RequestScope, case_id: str) -> ShelterTaskView | None:
    """A case's shelter task (None: none was opened, or the caller may not read it), if the
    caller relates to the case."""
    case, relation = scope.find_case(case_id, fields=frozenset())
    task = _task_of(scope.session, case.id)
    if task is None:
        return None
    return scope.disclosure.shelter_task_view(task, case, relation, scope.today)


def list_tasks(
    scope: RequestScope,
    *,
    open_only: bool = True,
    overdue_only: bool = False,
    first: int = 100,
) -> list[ShelterTaskView]:
    """The shelter tasks of cases the caller relates to and may read them of (the
    municipality: its own), urgent first, then soonest due: its work list. Open means no
    reservation yet while the eviction is still scheduled; overdue, open past its due date."""
    if not 1 <= first <= MAX_LIST:
        raise InvalidInputError(f"first must be between 1 and {MAX_LIST}")
    today = scope.today
    stmt = with_relation(select(Case), scope.principal.partner_id).add_columns(ShelterTask)
    stmt = stmt.join(ShelterTask, ShelterTask.case_id == Case.id)
    if open_only or overdue_only:
        stmt = stmt.where(ShelterTask.reserved_at.is_(None), Case.phase == Phase.EVICTION)
    if overdue_only:
        stmt = stmt.where(ShelterTask.due_on < today)
    stmt = stmt.order_by(ShelterTask.urgent.desc(), ShelterTask.due_on, ShelterTask.id)
    views = []
    for case, rel, task in scope.session.execute(stmt):
        found = scope.disclosure.shelter_task_view(task, case, Relation(rel), today)
        if found is not None:
            views.append(found)
            if len(views) == first:
                break
    return views


def announce_overdue(session: Session, now: dt.datetime) -> int:
    """Write a ``shelter_task.overdue`` event, addressed to the municipality, for every open
    task past its due date not announced yet; returns how many. A compare-and-set on
    ``overdue_announced_at`` keeps two workers from both announcing one."""
    due = session.scalars(
        select(ShelterTask)
        .join(Case, Case.id == ShelterTask.case_id)
        .where(
            ShelterTask.reserved_at.is_(None),
            ShelterTask.due_on < now.date(),
            ShelterTask.overdue_announced_at.is_(None),
            Case.phase == Phase.EVICTION,
        )
        .order_by(ShelterTask.due_on, ShelterTask.id)
        .limit(100)
    ).all()
    announced = 0
    for task in due:
        if not outbox.claim_overdue_announcement(session, ShelterTask, task.id, now):
            continue
        recording.record(
            session, Event.SHELTER_TASK_OVERDUE, task.case_id, now, addressee=task.assignee_id
        )
        announced += 1
    session.flush()
    return announced
