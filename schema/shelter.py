"""Queries and mutations on the municipality's shelter task."""

from __future__ import annotations

from typing import cast

import strawberry

from registry.shelter import tasks as shelter_tasks
from schema.context import Info, scope_of
from schema.types.shelter import ReserveShelterInput, ShelterTask


@strawberry.type
class ShelterQuery:
    @strawberry.field(
        description=(
            "A case's shelter task (null when none was opened or you may not read it), if "
            "you relate to the case (otherwise: NOT_FOUND)."
        )
    )
    def shelter_task(self, info: Info, case_id: strawberry.ID) -> ShelterTask | None:
        return cast(ShelterTask | None, shelter_tasks.get(scope_of(info), case_id))

    @strawberry.field(
        description=(
            "The shelter tasks of the cases you relate to, urgent first, then soonest due: "
            "`openOnly` those without a reservation while the eviction is scheduled, "
            "`overdueOnly` those open past their due date. The municipality's work list."
        )
    )
    def shelter_tasks(
        self, info: Info, open_only: bool = True, overdue_only: bool = False, first: int = 100
    ) -> list[ShelterTask]:
        views = shelter_tasks.list_tasks(
            scope_of(info), open_only=open_only, overdue_only=overdue_only, first=first
        )
        return cast(list[ShelterTask], views)


@strawberry.type
class ShelterMutation:
    @strawberry.mutation(
        description=(
            "Record the place reserved for the household before its eviction (the "
            "municipality, or a shelter involved in the case): kind, from when (the eviction "
            "day at the latest), arranged by whom."
        )
    )
    def reserve_shelter(self, info: Info, input: ReserveShelterInput) -> ShelterTask:
        reservation = shelter_tasks.Reservation(
            case_id=input.case_id,
            kind=input.kind,
            reserved_from=input.reserved_from,
            arranged_by=input.arranged_by,
        )
        return cast(ShelterTask, scope_of(info).mutate(shelter_tasks.reserve, reservation))
