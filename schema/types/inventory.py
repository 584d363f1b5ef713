"""GraphQL types of stored inventories, pickups, municipal contacts and the municipality's
clocks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import strawberry

from registry.models import ContactOutcome, Disposition, InventoryStatus, PickupStatus

# strawberry.enum decorates the registry's enum itself and returns it, and strawberry would
# register an undecorated enum under its class name on first use anyway: fields are annotated
# with the registry's enums. The names below are those same classes, for resolvers' imports.
InventoryStatusType = strawberry.enum(InventoryStatus, name="InventoryStatus")
PickupStatusType = strawberry.enum(PickupStatus, name="PickupStatus")
ContactOutcomeType = strawberry.enum(ContactOutcome, name="ContactOutcome")
DispositionType = strawberry.enum(Disposition, name="Disposition")


@strawberry.type(
    description=(
        "The municipality's task to reach the household again, triggered by a pickup request; "
        "`overdue` when it has no outcome after its due date."
    )
)
class MunicipalContact:
    id: strawberry.ID
    case_id: strawberry.ID
    inventory_id: strawberry.ID
    pickup_id: strawberry.ID
    municipality: str
    assignee: str | None = strawberry.field(
        description="The partner that speaks for the municipality."
    )
    opened_at: dt.datetime
    due_on: dt.date
    overdue: bool
    outcome: ContactOutcome | None
    attempts: int | None
    contacted_on: dt.date | None
    recorded_by: str | None
    recorded_at: dt.datetime | None


@strawberry.type(description="A pickup request: on hold, released, collected or lapsed.")
class Pickup:
    id: strawberry.ID
    requested_by: str
    requested_at: dt.datetime
    status: PickupStatus
    released_by: str | None
    released_at: dt.datetime | None
    collected_on: dt.date | None


@strawberry.type(
    description=(
        "An evicted household's stored goods (art. 556 lid 3 Rv) as released to you. Fields "
        "the access policies withhold are null; `withheld` names their policy fields "
        "(inventoryStorage, inventoryDates, inventoryPickup, inventoryReleaseAuthorised, "
        "municipalContact, inventoryDisposal, inventoryLog)."
    )
)
class Inventory:
    id: strawberry.ID
    case_id: strawberry.ID
    withheld: list[str]
    status: InventoryStatus | None
    storage_provider: str | None
    location_code: str | None
    description: str | None = strawberry.field(
        description="Nature and size of the goods; never personal data."
    )
    volume_m3: Decimal | None
    perishable_or_dangerous: bool | None
    recorded_by: str | None
    recorded_at: dt.datetime | None
    removed_on: dt.date | None
    record_copy_handed_over_on: dt.date | None
    thirteen_weeks_on: dt.date | None = strawberry.field(
        description="The day the 13 weeks after removal have passed."
    )
    disposable_from: dt.date | None = strawberry.field(
        description=(
            "The earliest day uncollected goods may be sold, given away or destroyed: after "
            "13 weeks and two weeks after the copy of the record, unless perishable or "
            "dangerous."
        )
    )
    pickups: list[Pickup] | None
    collected_on: dt.date | None
    release_authorised: bool | None = strawberry.field(
        description="Whether the goods may be handed over now: a released pickup, still stored."
    )
    contacts: list[MunicipalContact] | None
    disposition: Disposition | None
    disposed_on: dt.date | None
    proceeds: Decimal | None = strawberry.field(description="Proceeds of a sale, in euros.")
    claimable_until: dt.date | None = strawberry.field(
        description="The last day the former owner may claim the proceeds (three years)."
    )
    log_indexes: list[int] | None = strawberry.field(
        description="The indexes of this inventory's entries in the signed audit log."
    )
    pickup_code: str | None = strawberry.field(
        default=None,
        description=(
            "The household's one-time pickup code: only in the answer to `releasePickup` or "
            "`issuePickupCode`, the one time it is shown. Pass it on to the household."
        ),
    )


@strawberry.type(description="What checking a pickup code tells: whether it was accepted.")
class PickupCodeCheck:
    accepted: bool = strawberry.field(
        description="The code is the household's and was not used before: hand the goods over."
    )


@strawberry.type(description="What needs the municipality's attention on the request's day.")
class InventoryClocks:
    today: dt.date
    reaching_thirteen_weeks: list[Inventory] = strawberry.field(
        description=(
            "Stored goods whose 13 weeks end within `withinDays` or have ended, and perishable "
            "or dangerous goods; soonest first."
        )
    )
    overdue_contacts: list[MunicipalContact] = strawberry.field(
        description="Municipal contacts past their due date without an outcome."
    )
    waiting_pickups: list[Inventory] = strawberry.field(
        description="Stored goods with a pickup on hold for the municipal contact."
    )


@strawberry.input(
    description=(
        "Goods removed at an eviction and stored: the storage provider (a partner), a location "
        "code, the nature and size without personal data, and the dates of removal and of "
        "handing over the copy of the official record."
    )
)
class RecordInventoryInput:
    case_id: strawberry.ID
    storage_provider: str
    location_code: str = strawberry.field(
        description="The storage provider's code for where the goods are: 1 to 32 capital "
        "letters, digits and hyphens (ZD-H12-04); never a name or an address."
    )
    description: str
    removed_on: dt.date
    record_copy_handed_over_on: dt.date
    perishable_or_dangerous: bool = False
    volume_m3: Decimal | None = None


@strawberry.input(description="What became of uncollected goods; `proceeds` only for SOLD.")
class RecordDisposalInput:
    case_id: strawberry.ID
    disposition: Disposition
    disposed_on: dt.date
    proceeds: Decimal | None = None
