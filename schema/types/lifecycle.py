"""GraphQL types of the case lifecycle: its transition table and the aftercare input."""

from __future__ import annotations

import datetime as dt

import strawberry

from registry.models import HouseholdDestination, Phase


@strawberry.type(
    description="A legal transition: from a phase, the operation that leads to a phase."
)
class LifecycleTransition:
    source: Phase
    target: Phase
    operation: str


@strawberry.type(description="From which phases a case may be closed with an outcome.")
class LifecycleClosure:
    outcome: str
    phases: list[Phase]


@strawberry.input(
    description=(
        "What is known after the eviction; omitted fields stay as they are. A housing block "
        "lasts until a date, until the debt is settled, or both: until the date and after it "
        "until the debt is settled (three years and until the debt is paid)."
    )
)
class AftercareInput:
    destination: HouseholdDestination | None = None
    arranged_by: str | None = strawberry.field(
        default=None, description="The partner who arranged where the household went."
    )
    children_involved: bool | None = None
    housing_block_until: dt.date | None = None
    housing_block_until_debt_settled: bool | None = None
