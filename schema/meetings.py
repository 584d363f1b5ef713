"""Case meetings: scheduling, the agenda as each participant sees it, and decisions."""

from __future__ import annotations

import datetime as dt
from typing import cast

import strawberry

from registry.cases import annotations as case_annotations
from registry.meetings import agenda, service
from registry.meetings.views import MeetingView
from registry.models import MeetingKind
from schema.context import Info, scope_of
from schema.types.annotation import ActionItemInput, Annotation
from schema.types.case import Case

MeetingKindType = strawberry.enum(MeetingKind, name="MeetingKind")


@strawberry.type(description="A case on a meeting's agenda, as released to you.")
class AgendaItem:
    id: strawberry.ID
    case: Case
    added_by: str
    decision: strawberry.ID | None = strawberry.field(
        description="The case-conference annotation recording the meeting's decision."
    )


@strawberry.type(description="A case meeting (casusoverleg) you take part in.")
class Meeting:
    id: strawberry.ID
    municipality: str
    kind: MeetingKind
    held_on: dt.date
    chair: str
    participants: list[str]

    @strawberry.field(description="The cases on the agenda you relate to, as released to you.")
    def agenda(self, info: Info) -> list[AgendaItem]:
        return [
            AgendaItem(
                id=strawberry.ID(v.id),
                case=cast(Case, v.case),
                added_by=v.added_by,
                decision=strawberry.ID(v.decision) if v.decision else None,
            )
            for v in agenda.agenda(scope_of(info), str(self.id))
        ]


def _meeting(view: MeetingView) -> Meeting:
    return Meeting(
        id=strawberry.ID(view.id),
        municipality=view.municipality,
        kind=view.kind,
        held_on=view.held_on,
        chair=view.chair,
        participants=view.participants,
    )


@strawberry.input(description="A case meeting of a municipality you work in.")
class ScheduleMeetingInput:
    municipality: str
    kind: MeetingKind
    held_on: dt.date
    chair: str
    participants: list[str]


@strawberry.type
class MeetingQuery:
    @strawberry.field(description="A meeting you take part in (otherwise: NOT_FOUND).")
    def meeting(self, info: Info, id: strawberry.ID) -> Meeting:
        scope = scope_of(info)
        return _meeting(service.view_of(scope.session, service.find_meeting(scope, id)))


@strawberry.type
class MeetingMutation:
    @strawberry.mutation(description="Schedule a case meeting.")
    def schedule_meeting(self, info: Info, input: ScheduleMeetingInput) -> Meeting:
        new = service.NewMeeting(
            input.municipality, input.kind, input.held_on, input.chair, input.participants
        )
        return _meeting(scope_of(info).mutate(service.schedule, new))

    @strawberry.mutation(description="Put a case you may see on the agenda (the chair).")
    def add_agenda_item(
        self, info: Info, meeting_id: strawberry.ID, case_id: strawberry.ID
    ) -> Meeting:
        return _meeting(scope_of(info).mutate(service.add_case, meeting_id, case_id))

    @strawberry.mutation(
        description="Put on the agenda the evictions you may see in the next days (the chair)."
    )
    def add_evictions_to_agenda(
        self, info: Info, meeting_id: strawberry.ID, within_days: int = 42
    ) -> Meeting:
        return _meeting(scope_of(info).mutate(service.add_evictions, meeting_id, within_days))

    @strawberry.mutation(
        description="Record the meeting's decision on a case with its action items (the chair)."
    )
    def record_meeting_decision(
        self,
        info: Info,
        meeting_id: strawberry.ID,
        case_id: strawberry.ID,
        note: str | None = None,
        action_items: list[ActionItemInput] | None = None,
    ) -> Annotation:
        items = [
            case_annotations.NewActionItem(i.description, i.assignee, i.due_on)
            for i in action_items or []
        ]
        view = scope_of(info).mutate(service.record_decision, meeting_id, case_id, note, items)
        return cast(Annotation, view)
