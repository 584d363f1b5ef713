"""Scheduling a case meeting, putting cases on its agenda, and recording its decisions.

A meeting belongs to a municipality; its chair and participants work there. Only the chair
puts cases on the agenda, and only cases it may see: a case it cannot see is answered exactly
like one that does not exist. Each case put on an agenda tells the partners who may read its
case-conference decisions (``meeting.scheduled``); a decision is a case-conference annotation
(``registry.cases.annotations``) whose action items are told to their assignees
(``action_item.assigned``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, cast

from sqlalchemy import select
from sqlalchemy.orm import Session

from policies import Permission, Relation
from registry.cases import annotations as case_annotations
from registry.cases.relations import with_relation
from registry.cases.views import AnnotationView
from registry.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from registry.events import Event
from registry.meetings.views import MeetingView
from registry.models import (
    AgendaItem,
    AnnotationKind,
    Case,
    Meeting,
    MeetingKind,
    MeetingParticipant,
    Municipality,
)
from registry.partners.registration import partner_in
from registry.recording import record

if TYPE_CHECKING:
    from registry.request import RequestScope

MAX_PARTICIPANTS = 30
#: Evictions scheduled in the next six weeks: Deventer's six-weekly eviction meeting.
DEFAULT_WINDOW_DAYS = 42
MAX_WINDOW_DAYS = 366


def parse_meeting_id(text: str) -> uuid.UUID:
    """A meeting id from its text form; malformed text is invalid input."""
    try:
        return uuid.UUID(text)
    except (ValueError, AttributeError, TypeError):
        raise InvalidInputError(f"{text!r} is not a meeting id (a UUID)") from None


@dataclass(frozen=True)
class NewMeeting:
    """A meeting as its scheduler plans it."""

    municipality: str
    kind: MeetingKind
    held_on: dt.date
    chair: str
    participants: Sequence[str]


def participants_of(session: Session, meeting_id: uuid.UUID) -> list[str]:
    """The meeting's participants, in name order."""
    return sorted(
        session.scalars(
            select(MeetingParticipant.partner_id).where(MeetingParticipant.meeting_id == meeting_id)
        )
    )


def view_of(session: Session, meeting: Meeting) -> MeetingView:
    """The meeting as its participants see it."""
    return MeetingView(
        str(meeting.id),
        meeting.municipality_code,
        meeting.kind,
        meeting.held_on,
        meeting.chair_id,
        participants_of(session, meeting.id),
    )


def find_meeting(scope: RequestScope, meeting_id: str, *, for_change: bool = False) -> Meeting:
    """A meeting the caller takes part in; any other is not found (no existence oracle)."""
    parsed = parse_meeting_id(meeting_id)
    meeting = scope.session.get(
        Meeting, parsed, with_for_update=for_change, populate_existing=for_change
    )
    missing = NotFoundError(f"meeting {meeting_id} not found")
    if meeting is None:
        raise missing
    taking_part = scope.session.get(MeetingParticipant, (meeting.id, scope.principal.partner_id))
    if taking_part is None:
        raise missing
    return meeting


def schedule(scope: RequestScope, new: NewMeeting) -> MeetingView:
    """Schedule a meeting of a municipality the caller works in."""
    scope.require(
        Permission.MEETING_SCHEDULE,
        Relation.NONE,
        "schedule case meetings",
        refusal="only a municipality, a district team or a care partner schedules case meetings",
    )
    session = scope.session
    if session.get(Municipality, new.municipality) is None:
        raise InvalidInputError(f"unknown municipality {new.municipality!r}")
    if new.municipality not in scope.principal.municipalities:
        raise NotAllowedError(
            f"{scope.principal.partner_id} does not work in municipality {new.municipality!r}"
        )
    if new.held_on < scope.today:
        raise InvalidInputError(f"a meeting on {new.held_on} lies in the past")
    people = sorted({new.chair, *new.participants})
    if len(people) > MAX_PARTICIPANTS:
        raise InvalidInputError(f"a meeting has at most {MAX_PARTICIPANTS} participants")
    for partner in people:
        partner_in(session, partner, new.municipality)
    meeting = Meeting(
        id=uuid.uuid4(),
        municipality_code=new.municipality,
        kind=new.kind,
        held_on=new.held_on,
        chair_id=new.chair,
        scheduled_by=scope.principal.partner_id,
        scheduled_at=scope.now,
    )
    session.add(meeting)
    session.flush()
    session.add_all(MeetingParticipant(meeting_id=meeting.id, partner_id=p) for p in people)
    session.flush()
    return view_of(session, meeting)


def _chaired(scope: RequestScope, meeting_id: str) -> Meeting:
    meeting = find_meeting(scope, meeting_id, for_change=True)
    if meeting.chair_id != scope.principal.partner_id:
        raise NotAllowedError(f"only the chair ({meeting.chair_id}) sets the agenda")
    return meeting


def _put_on_agenda(scope: RequestScope, meeting: Meeting, case: Case) -> None:
    scope.session.add(
        AgendaItem(
            id=uuid.uuid4(),
            meeting_id=meeting.id,
            case_id=case.id,
            added_by=scope.principal.partner_id,
            added_at=scope.now,
        )
    )
    record(scope.session, Event.MEETING_SCHEDULED, case.id, scope.now)


def _on_agenda(session: Session, meeting: Meeting) -> set[uuid.UUID]:
    return set(
        session.scalars(select(AgendaItem.case_id).where(AgendaItem.meeting_id == meeting.id))
    )


def add_case(scope: RequestScope, meeting_id: str, case_id: str) -> MeetingView:
    """Put a case the chair may see on the agenda."""
    meeting = _chaired(scope, meeting_id)
    case, _ = scope.find_case(case_id, fields=frozenset())  # one it cannot see: not found
    if case.municipality_code != meeting.municipality_code:
        raise InvalidInputError(
            f"case {case.id} is not a case of municipality {meeting.municipality_code}"
        )
    if case.id in _on_agenda(scope.session, meeting):
        raise ConflictError(f"case {case.id} is on the agenda already")
    _put_on_agenda(scope, meeting, case)
    # Putting a case before a meeting's participants is processing of it: access-logged.
    scope.disclosure.processed(case)
    scope.session.flush()
    return view_of(scope.session, meeting)


def add_evictions(
    scope: RequestScope, meeting_id: str, within_days: int = DEFAULT_WINDOW_DAYS
) -> MeetingView:
    """Put on the agenda every case the chair may see, of the meeting's municipality, whose
    eviction is scheduled from today until ``within_days`` on; cases on it already stay."""
    if not 1 <= within_days <= MAX_WINDOW_DAYS:
        raise InvalidInputError(f"withinDays must be between 1 and {MAX_WINDOW_DAYS}")
    meeting = _chaired(scope, meeting_id)
    until = scope.today + dt.timedelta(days=within_days)
    rows = scope.session.execute(
        with_relation(select(Case), scope.principal.partner_id)
        .where(
            Case.municipality_code == meeting.municipality_code,
            Case.eviction_date >= scope.today,
            Case.eviction_date <= until,
        )
        .order_by(Case.eviction_date, Case.id)
    ).all()
    present = _on_agenda(scope.session, meeting)
    # ``with_relation`` adds the relation as a second column (typed loosely there).
    for case, rel in cast(Sequence[tuple[Case, str]], rows):
        # Chosen by a field the chair must be able to read, as a filtered list is.
        if "evictionDate" not in scope.disclosure.readable_of(case, Relation(rel)):
            continue
        if case.id not in present:
            _put_on_agenda(scope, meeting, case)
    scope.session.flush()
    return view_of(scope.session, meeting)


def record_decision(
    scope: RequestScope,
    meeting_id: str,
    case_id: str,
    note: str | None,
    action_items: Sequence[case_annotations.NewActionItem],
) -> AnnotationView:
    """Record the meeting's decision on a case of its agenda (the chair): a case-conference
    annotation with its action items, each told to its assignee."""
    meeting = _chaired(scope, meeting_id)
    case, _ = scope.find_case(case_id, fields=frozenset())
    item = scope.session.scalar(
        select(AgendaItem)
        .where(AgendaItem.meeting_id == meeting.id, AgendaItem.case_id == case.id)
        .with_for_update()
    )
    if item is None:
        raise InvalidInputError(f"case {case.id} is not on this meeting's agenda")
    if item.decision_id is not None:
        raise ConflictError(
            f"the decision on case {case.id} was recorded already ({item.decision_id}): "
            "correct it instead"
        )
    decision = case_annotations.add(
        scope,
        case_annotations.NewAnnotation(
            case_id=str(case.id),
            kind=AnnotationKind.CASE_CONFERENCE,
            occurred_on=meeting.held_on if meeting.held_on <= scope.today else scope.today,
            note=note,
            action_items=action_items,
        ),
    )
    item.decision_id = uuid.UUID(decision.id)
    for assigned in action_items:
        record(
            scope.session,
            Event.ACTION_ITEM_ASSIGNED,
            case.id,
            scope.now,
            addressee=assigned.assignee,
        )
    scope.session.flush()
    return decision
