"""The municipality's clocks on stored goods: inventories reaching the end of their 13 weeks,
municipal contacts past their due date, and pickups waiting on hold.

Time is the request's clock, so what is due or overdue is tested by moving that clock, never by
waiting. Lists only hold cases the caller relates to, filtered in SQL, and only what the
policies let it read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import Select

from policies import Permission, Relation
from registry.cases.relations import with_relation
from registry.errors import InvalidInputError
from registry.inventory import contacts as municipal_contacts
from registry.inventory import periods as storage_periods
from registry.inventory import service as inventory
from registry.inventory.views import InventoryView, MunicipalContactView
from registry.models import (
    Case,
    InventoryStatus,
    PickupRequest,
    PickupStatus,
    StoredInventory,
)

if TYPE_CHECKING:
    from registry.request import RequestScope

#: How far ahead "reaching 13 weeks" looks by default, and at most.
WITHIN_DAYS = 14
MAX_WITHIN_DAYS = 366
#: At most this many inventories per list, soonest first.
MAX_LIST = 500


@dataclass(frozen=True)
class InventoryClocks:
    """What needs the municipality's attention on the request's day."""

    today: dt.date
    #: Stored goods whose 13 weeks end within the window or have ended, and perishable or
    #: dangerous goods (which may be disposed of at any time): soonest first.
    reaching_thirteen_weeks: list[InventoryView]
    #: Municipal contacts without an outcome, past their due date: the pickup still waits.
    overdue_contacts: list[MunicipalContactView]
    #: Stored goods with a pickup on hold, waiting for the municipal contact's outcome.
    waiting_pickups: list[InventoryView]


def _views(
    scope: RequestScope, stmt: Select[Any], needed: str, requested: frozenset[str] | None
) -> list[InventoryView]:
    views = []
    for case, rel, stored in scope.session.execute(stmt.limit(MAX_LIST)):
        relation = Relation(rel)
        if needed not in scope.disclosure.readable_of(case, relation):
            continue
        views.append(inventory.view(scope, stored, case, relation, requested))
    return views


def clocks(
    scope: RequestScope,
    *,
    within_days: int = WITHIN_DAYS,
    requested: frozenset[str] | None = None,
) -> InventoryClocks:
    """The clocks for the caller (a municipality): ``within_days`` is how far ahead the end of
    the 13 weeks is looked for; ``requested`` names the inventory policy fields asked for."""
    scope.require(
        Permission.INVENTORY_CLOCKS_READ,
        Relation.NONE,
        "read the inventory clocks: the municipality that stores the goods does",
    )
    if not 0 <= within_days <= MAX_WITHIN_DAYS:
        raise InvalidInputError(f"withinDays must be between 0 and {MAX_WITHIN_DAYS}")
    today = scope.today
    horizon = today + dt.timedelta(days=within_days)
    base = (
        with_relation(select(Case), scope.principal.partner_id)
        .join(StoredInventory, StoredInventory.case_id == Case.id)
        .add_columns(StoredInventory)
        .where(StoredInventory.status == InventoryStatus.STORED)
        .options(selectinload(StoredInventory.pickups).selectinload(PickupRequest.contact))
    )
    # The 13 weeks end by the horizon exactly when the removal was 13 weeks before it.
    removed_by = horizon - dt.timedelta(weeks=storage_periods.STORAGE_WEEKS)
    reaching = base.where(
        or_(StoredInventory.removed_on <= removed_by, StoredInventory.perishable_or_dangerous)
    ).order_by(StoredInventory.removed_on, StoredInventory.id)
    on_hold = select(PickupRequest.inventory_id).where(PickupRequest.status == PickupStatus.ON_HOLD)
    waiting = base.where(StoredInventory.id.in_(on_hold)).order_by(
        StoredInventory.removed_on, StoredInventory.id
    )
    return InventoryClocks(
        today=today,
        reaching_thirteen_weeks=_views(scope, reaching, "inventoryDates", requested),
        overdue_contacts=municipal_contacts.list_contacts(
            scope, overdue_only=True, first=municipal_contacts.MAX_LIST
        ),
        waiting_pickups=_views(scope, waiting, "inventoryPickup", requested),
    )
