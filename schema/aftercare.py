"""Queries and mutations of aftercare after an eviction."""

from __future__ import annotations

from typing import cast

import strawberry

from registry.aftercare import contact as aftercare_contact
from registry.aftercare import followups
from registry.models import FollowUpOutcome
from schema.context import Info, scope_of
from schema.types.aftercare import (
    AftercareContact,
    FollowUp,
    RecordAftercareContactInput,
    ScheduleFollowUpInput,
)


@strawberry.type
class AftercareQuery:
    @strawberry.field(
        description=(
            "Where the household can be reached after its eviction, per field as the policies "
            "release it (null when none was recorded), if you relate to the case (otherwise: "
            "NOT_FOUND)."
        )
    )
    def aftercare_contact(self, info: Info, case_id: strawberry.ID) -> AftercareContact | None:
        return cast(AftercareContact | None, aftercare_contact.get(scope_of(info), case_id))

    @strawberry.field(
        description=(
            "The follow-ups after a case's eviction you may read (those assigned to you or "
            "scheduled by you always), soonest due first, if you relate to the case."
        )
    )
    def follow_ups(self, info: Info, case_id: strawberry.ID) -> list[FollowUp]:
        return cast(list[FollowUp], followups.for_case(scope_of(info), case_id))

    @strawberry.field(
        description=(
            "Your aftercare work list: follow-ups of the cases you relate to, soonest due "
            "first; `openOnly` those not done, `overdueOnly` those open past their due date, "
            "`assignedToMe` those you are to do."
        )
    )
    def follow_up_list(
        self,
        info: Info,
        open_only: bool = True,
        overdue_only: bool = False,
        assigned_to_me: bool = False,
        first: int = 100,
    ) -> list[FollowUp]:
        views = followups.list_follow_ups(
            scope_of(info),
            open_only=open_only,
            overdue_only=overdue_only,
            assigned_to_me=assigned_to_me,
            first=first,
        )
        return cast(list[FollowUp], views)


@strawberry.type
class AftercareMutation:
    @strawberry.mutation(
        description=(
            "Record (or replace) where the household can be reached after its eviction, "
            "with how it consented to sharing it (the municipality, or a district team, "
            "welfare organisation or shelter involved in the case). Sealed like its identity."
        )
    )
    def record_aftercare_contact(
        self, info: Info, input: RecordAftercareContactInput
    ) -> AftercareContact:
        details = aftercare_contact.NewContactDetails(
            case_id=input.case_id,
            consent=input.consent,
            phone=input.phone,
            email=input.email,
            postal_address=input.postal_address,
        )
        view = scope_of(info).mutate(aftercare_contact.record, details)
        return cast(AftercareContact, view)

    @strawberry.mutation(
        description=(
            "Schedule a follow-up after a case's eviction for a partner (the municipality, or "
            "a district team involved in the case); the assignee is told."
        )
    )
    def schedule_follow_up(self, info: Info, input: ScheduleFollowUpInput) -> FollowUp:
        new = followups.NewFollowUp(
            case_id=input.case_id, kind=input.kind, assignee=input.assignee, due_on=input.due_on
        )
        return cast(FollowUp, scope_of(info).mutate(followups.schedule, new))

    @strawberry.mutation(
        description=(
            "Record a follow-up done with its outcome (its assignee, or the municipality); once."
        )
    )
    def record_follow_up_done(
        self, info: Info, id: strawberry.ID, outcome: FollowUpOutcome
    ) -> FollowUp:
        view = scope_of(info).mutate(followups.record_done, id, outcome)
        return cast(FollowUp, view)
