"""The municipality's clocks on stored goods: inventories reaching the end of their 13 weeks,
municipal contacts past their due date, and pickups waiting on hold.

Time is the request's clock, so what is due or overdue is tested by moving that clock, never by
waiting. Lists only hold cases the caller relates to, filtered in SQL, and only what the
policies let it read.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import Select

from policies import Permission, Relation, permits
from registry.access.disclosure import Disclosure
from registry.cases.relations import with_relation
from registry.errors import InvalidInputError, NotAllowedError
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
    session: Session,
    disclosure: Disclosure,
    stmt: Select[Any],
    needed: str,
    now: dt.datetime,
    requested: frozenset[str] | None,
) -> list[InventoryView]:
    views = []
    for case, rel, stored in session.execute(stmt.limit(MAX_LIST)):
        relation = Relation(rel)
        if needed not in disclosure.readable_of(case, relation):
            continue
        views.append(inventory.view(session, disclosure, stored, case, relation, now, requested))
    return views


def clocks(
    session: Session,
    disclosure: Disclosure,
    now: dt.datetime,
    *,
    within_days: int = WITHIN_DAYS,
    requested: frozenset[str] | None = None,
) -> InventoryClocks:
    """The clocks for the caller (a municipality): ``within_days`` is how far ahead the end of
    the 13 weeks is looked for; ``requested`` names the inventory policy fields asked for."""
    principal = disclosure.principal
    if not permits(principal.kind, Relation.NONE, Permission.INVENTORY_CLOCKS_READ):
        raise NotAllowedError(
            f"{principal.partner_id} may not read the inventory clocks: the municipality that "
            "stores the goods does"
        )
    if not 0 <= within_days <= MAX_WITHIN_DAYS:
        raise InvalidInputError(f"withinDays must be between 0 and {MAX_WITHIN_DAYS}")
    today = now.date()
    horizon = today + dt.timedelta(days=within_days)
    base = (
        with_relation(select(Case), principal.partner_id)
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
        reaching_thirteen_weeks=_views(
            session, disclosure, reaching, "inventoryDates", now, requested
        ),
        overdue_contacts=municipal_contacts.list_contacts(
            session, disclosure, now, overdue_only=True, first=municipal_contacts.MAX_LIST
        ),
        waiting_pickups=_views(session, disclosure, waiting, "inventoryPickup", now, requested),
    )
