"""View objects of stored inventories and municipal contacts: what a partner receives, after
disclosure.

Policies name inventory data in a few coarse fields (``inventoryDates`` covers removal, the
copy of the record and the deadlines computed from them); ``registry.inventory.fields``
declares which view attributes each one fills. ``withheld`` names policy fields, as for a
case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from registry.access.fields import ReleasedView
from registry.inventory import periods as storage_periods
from registry.models import (
    ContactOutcome,
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


class InventoryView(ReleasedView):
    """A stored inventory as released to one partner, with its case; the released attributes
    are those ``registry.inventory.fields.INVENTORY_FIELDS`` declares."""

    case_id: str
    #: The household's one-time pickup code: set only in the answer to the release (or the
    #: new code) that made it, the one time it is shown (``registry.inventory.pickup_codes``).
    pickup_code: str | None = None

    def __init__(
        self, id: str, case_id: str, withheld: list[str], values: Mapping[str, Any]
    ) -> None:
        super().__init__(id, withheld, values)
        self.case_id = case_id


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
