"""View objects of stored inventories and municipal contacts: what a partner receives, after
disclosure.

Policies name inventory data in a few coarse fields (``inventoryDates`` covers removal, the
copy of the record and the deadlines computed from them); ``INVENTORY_FIELD_READERS`` says
which view attributes each one fills, and ``INVENTORY_FIELD_OF`` which policy field each
GraphQL field of an inventory belongs to. ``withheld`` names policy fields, as for a case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from registry.inventory import periods as storage_periods
from registry.models import (
    ContactOutcome,
    Disposition,
    InventoryStatus,
    MunicipalContact,
    PickupRequest,
    PickupStatus,
    StoredInventory,
)


@dataclass(frozen=True)
class MunicipalContactView:
    """The municipality's task to reach the household again, and its outcome once recorded."""

    id: str
    case_id: str
    inventory_id: str
    pickup_id: str
    municipality: str
    assignee: str | None
    opened_at: dt.datetime
    due_on: dt.date
    overdue: bool
    outcome: ContactOutcome | None
    attempts: int | None
    contacted_on: dt.date | None
    recorded_by: str | None
    recorded_at: dt.datetime | None


@dataclass(frozen=True)
class PickupView:
    """A pickup request: on hold, released, collected or lapsed."""

    id: str
    requested_by: str
    requested_at: dt.datetime
    status: PickupStatus
    released_by: str | None
    released_at: dt.datetime | None
    collected_on: dt.date | None


@dataclass
class InventoryView:
    """A stored inventory as released to one partner: denied fields are None, named in
    ``withheld``."""

    id: str
    case_id: str
    withheld: list[str] = field(default_factory=list)
    status: InventoryStatus | None = None
    storage_provider: str | None = None
    location_code: str | None = None
    description: str | None = None
    volume_m3: Decimal | None = None
    perishable_or_dangerous: bool | None = None
    recorded_by: str | None = None
    recorded_at: dt.datetime | None = None
    removed_on: dt.date | None = None
    record_copy_handed_over_on: dt.date | None = None
    thirteen_weeks_on: dt.date | None = None
    disposable_from: dt.date | None = None
    pickups: list[PickupView] | None = None
    collected_on: dt.date | None = None
    release_authorised: bool | None = None
    contacts: list[MunicipalContactView] | None = None
    disposition: Disposition | None = None
    disposed_on: dt.date | None = None
    proceeds: Decimal | None = None
    claimable_until: dt.date | None = None
    log_indexes: list[int] | None = None


def open_pickup(inventory: StoredInventory) -> PickupRequest | None:
    """The pickup request still open (on hold or released), if any; pickups must be loaded."""
    return next(
        (p for p in inventory.pickups if p.status in {PickupStatus.ON_HOLD, PickupStatus.RELEASED}),
        None,
    )


def release_authorised(inventory: StoredInventory) -> bool:
    """Whether the goods may be handed over now: stored, with a released pickup."""
    pickup = open_pickup(inventory)
    return (
        inventory.status is InventoryStatus.STORED
        and pickup is not None
        and pickup.status is PickupStatus.RELEASED
    )


def disposable_from(inventory: StoredInventory) -> dt.date:
    """The earliest day the goods may be disposed of if nobody collects them."""
    return storage_periods.disposable_from(
        inventory.removed_on,
        inventory.record_copy_handed_over_on,
        perishable_or_dangerous=inventory.perishable_or_dangerous,
    )


def contact_view(
    contact: MunicipalContact, inventory_id: str, today: dt.date
) -> MunicipalContactView:
    """The view of a municipal contact whose release was decided already."""
    return MunicipalContactView(
        id=str(contact.id),
        case_id=str(contact.case_id),
        inventory_id=inventory_id,
        pickup_id=str(contact.pickup_id),
        municipality=contact.municipality_code,
        assignee=contact.assignee_id,
        opened_at=contact.opened_at,
        due_on=contact.due_on,
        overdue=contact.recorded_at is None and contact.due_on < today,
        outcome=contact.outcome,
        attempts=contact.attempts,
        contacted_on=contact.contacted_on,
        recorded_by=contact.recorded_by,
        recorded_at=contact.recorded_at,
    )


def _pickups(inventory: StoredInventory) -> list[PickupView]:
    return [
        PickupView(
            str(p.id),
            p.requested_by,
            p.requested_at,
            p.status,
            p.released_by,
            p.released_at,
            p.collected_on,
        )
        for p in inventory.pickups
    ]


def _contacts(inventory: StoredInventory, today: dt.date) -> list[MunicipalContactView]:
    return [contact_view(p.contact, str(inventory.id), today) for p in inventory.pickups]


Reader = Callable[[StoredInventory, dt.date, Sequence[int]], dict[str, Any]]

#: Per policy field: the view attributes it fills, read from the inventory (pickups and their
#: contacts loaded), the request's day, and the indexes of its audit-log entries.
INVENTORY_FIELD_READERS: dict[str, Reader] = {
    "inventoryStorage": lambda i, _, __: {
        "status": i.status,
        "storage_provider": i.storage_provider_id,
        "location_code": i.location_code,
        "description": i.description,
        "volume_m3": i.volume_m3,
        "perishable_or_dangerous": i.perishable_or_dangerous,
        "recorded_by": i.recorded_by,
        "recorded_at": i.recorded_at,
    },
    "inventoryDates": lambda i, _, __: {
        "removed_on": i.removed_on,
        "record_copy_handed_over_on": i.record_copy_handed_over_on,
        "thirteen_weeks_on": storage_periods.thirteen_weeks_on(i.removed_on),
        "disposable_from": disposable_from(i),
    },
    "inventoryPickup": lambda i, _, __: {"pickups": _pickups(i), "collected_on": i.collected_on},
    "inventoryReleaseAuthorised": lambda i, _, __: {"release_authorised": release_authorised(i)},
    "municipalContact": lambda i, today, __: {"contacts": _contacts(i, today)},
    "inventoryDisposal": lambda i, _, __: {
        "disposition": i.disposition,
        "disposed_on": i.disposed_on,
        "proceeds": i.proceeds,
        "claimable_until": i.claimable_until,
    },
    "inventoryLog": lambda _, __, indexes: {"log_indexes": list(indexes)},
}

ALL_INVENTORY_FIELDS = frozenset(INVENTORY_FIELD_READERS)

#: The view attributes each policy field fills (what its reader returns).
INVENTORY_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "inventoryStorage": (
        "status",
        "storage_provider",
        "location_code",
        "description",
        "volume_m3",
        "perishable_or_dangerous",
        "recorded_by",
        "recorded_at",
    ),
    "inventoryDates": (
        "removed_on",
        "record_copy_handed_over_on",
        "thirteen_weeks_on",
        "disposable_from",
    ),
    "inventoryPickup": ("pickups", "collected_on"),
    "inventoryReleaseAuthorised": ("release_authorised",),
    "municipalContact": ("contacts",),
    "inventoryDisposal": ("disposition", "disposed_on", "proceeds", "claimable_until"),
    "inventoryLog": ("log_indexes",),
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


#: The GraphQL name of each inventory field -> the policy field that releases it.
INVENTORY_FIELD_OF: dict[str, str] = {
    _camel(attr): policy_field
    for policy_field, attrs in INVENTORY_ATTRIBUTES.items()
    for attr in attrs
}


def policy_fields_of(graphql_names: Iterable[str]) -> frozenset[str]:
    """The policy fields behind these GraphQL fields of an inventory (others are ignored)."""
    return frozenset(INVENTORY_FIELD_OF[n] for n in graphql_names if n in INVENTORY_FIELD_OF)
