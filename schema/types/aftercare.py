"""GraphQL types of aftercare after an eviction: the household's new contact details and the
follow-ups of the partners that continue."""

from __future__ import annotations

import datetime as dt

import strawberry

from registry.models import ConsentManner, FollowUpKind, FollowUpOutcome
from schema.types.agreement import ConsentMannerType

__all__ = [
    "AftercareContact",
    "ConsentMannerType",
    "FollowUp",
    "RecordAftercareContactInput",
    "ScheduleFollowUpInput",
]


@strawberry.type(
    description=(
        "Where the household can be reached after its eviction, as it gave it, and how it "
        "consented to sharing it. Each value is null where you may not read it; `withheld` "
        "names those policy fields (aftercareContactPhone, aftercareContactEmail, "
        "aftercareContactAddress, aftercareContactConsent)."
    )
)
class AftercareContact:
    case_id: strawberry.ID
    withheld: list[str]
    phone: str | None
    email: str | None
    postal_address: str | None = strawberry.field(
        description="A postal address where the household can be reached (a shelter, family, "
        "a post-box address)."
    )
    consent_manner: ConsentManner | None = strawberry.field(
        description="How the household consented: in person, on paper or digitally."
    )
    recorded_by: str | None
    recorded_at: dt.datetime | None


@strawberry.input(
    description=(
        "Where the household can be reached after its eviction (at least one way), given "
        "with its consent."
    )
)
class RecordAftercareContactInput:
    case_id: strawberry.ID
    consent: ConsentManner = strawberry.field(
        description="How the household consented to sharing these details."
    )
    phone: str | None = None
    email: str | None = None
    postal_address: str | None = None


# strawberry.enum decorates the registry's enum itself and returns it (see types/inventory.py).
FollowUpKindType = strawberry.enum(FollowUpKind, name="FollowUpKind")
FollowUpOutcomeType = strawberry.enum(FollowUpOutcome, name="FollowUpOutcome")


@strawberry.type(
    description=(
        "A follow-up after the eviction: what, by which partner, by when; `overdue` when not "
        "done by its due date; once done, by whom and with what outcome."
    )
)
class FollowUp:
    id: strawberry.ID
    case_id: strawberry.ID
    kind: FollowUpKind
    assignee: str = strawberry.field(description="The partner that is to do it.")
    due_on: dt.date
    scheduled_by: str
    scheduled_at: dt.datetime
    done_at: dt.datetime | None
    done_by: str | None
    outcome: FollowUpOutcome | None
    overdue: bool


@strawberry.input(description="A follow-up to schedule after the eviction.")
class ScheduleFollowUpInput:
    case_id: strawberry.ID
    kind: FollowUpKind
    assignee: str = strawberry.field(
        description="The partner that is to do it (working in the case's municipality)."
    )
    due_on: dt.date = strawberry.field(description="By when: today or later.")
