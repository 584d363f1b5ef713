"""GraphQL types of the municipality's shelter task and its reservation."""

from __future__ import annotations

import datetime as dt

import strawberry

from registry.models import ShelterKind

# strawberry.enum decorates the registry's enum itself and returns it (see types/inventory.py).
ShelterKindType = strawberry.enum(ShelterKind, name="ShelterKind")


@strawberry.type(
    description=(
        "The municipality's task to arrange a place for the household before its eviction "
        "day: due the day before, `urgent` when children are involved, `overdue` when no "
        "reservation was recorded by its due date."
    )
)
class ShelterTask:
    id: strawberry.ID
    case_id: strawberry.ID
    municipality: str
    assignee: str | None = strawberry.field(
        description="The partner that speaks for the municipality."
    )
    opened_at: dt.datetime
    due_on: dt.date
    urgent: bool
    overdue: bool
    shelter_kind: ShelterKind | None
    reserved_from: dt.date | None
    arranged_by: str | None = strawberry.field(description="Who arranged the place.")
    reserved_by: str | None
    reserved_at: dt.datetime | None


@strawberry.input(description="A place reserved for the household before its eviction day.")
class ReserveShelterInput:
    case_id: strawberry.ID
    kind: ShelterKind
    reserved_from: dt.date = strawberry.field(
        description="From when the place is available: the eviction day at the latest."
    )
    arranged_by: str = strawberry.field(description="The partner that arranged the place.")
