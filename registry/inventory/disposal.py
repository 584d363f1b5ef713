"""What becomes of goods nobody collected: the municipality records that it sold them (with the
proceeds, which the former owner may claim for three years), gave them away or destroyed them.

Only after the periods of ``storage_periods``: 13 weeks after removal and two weeks after the
copy of the official record was handed over, unless the goods were recorded as perishable or
dangerous. Goods a household asked to pick up are not uncollected while that pickup waits for
the municipal contact.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from policies import Permission
from registry.errors import ConflictError, InvalidInputError
from registry.events import Event
from registry.inventory import periods as storage_periods
from registry.inventory import service as inventory
from registry.inventory.views import InventoryView, disposable_from, open_pickup
from registry.models import (
    Disposition,
    InventoryStatus,
    PickupStatus,
    StoredInventory,
)

if TYPE_CHECKING:
    from registry.request import RequestScope

MAX_PROCEEDS = Decimal("1000000")


@dataclass(frozen=True)
class NewDisposal:
    """What became of uncollected goods; ``proceeds`` (euros) only for a sale."""

    case_id: str
    disposition: Disposition
    disposed_on: dt.date
    proceeds: Decimal | None = None


def proceeds_sha256(stored: StoredInventory) -> str | None:
    """The salted SHA-256 of the proceeds as the log holds it: the amount stays out of the log,
    and the registry can still show that the amount it keeps is the one it logged."""
    if stored.proceeds is None or stored.proceeds_nonce is None:
        return None
    text = f"{stored.proceeds_nonce}:{stored.proceeds:.2f}"
    return hashlib.sha256(text.encode()).hexdigest()


def _check_proceeds(new: NewDisposal) -> Decimal | None:
    if new.disposition is not Disposition.SOLD:
        if new.proceeds is not None:
            raise InvalidInputError(f"goods {new.disposition} have no proceeds: only a sale does")
        return None
    if new.proceeds is None:
        raise InvalidInputError("a sale records its proceeds (0 when they did not cover costs)")
    if not Decimal(0) <= new.proceeds <= MAX_PROCEEDS:
        raise InvalidInputError(f"proceeds must be between 0 and {MAX_PROCEEDS:,} euros")
    if new.proceeds.as_tuple().exponent < -2:  # type: ignore[operator]
        raise InvalidInputError("proceeds have at most two decimals (cents)")
    return new.proceeds


def _check_periods(stored: StoredInventory, disposed_on: dt.date) -> None:
    earliest = disposable_from(stored)
    if disposed_on >= earliest:
        return
    if stored.perishable_or_dangerous:  # earliest is the removal itself
        raise InvalidInputError(
            f"disposedOn {disposed_on} is before the removal on {stored.removed_on}"
        )
    thirteen = storage_periods.thirteen_weeks_on(stored.removed_on)
    copy_wait = storage_periods.copy_wait_ends_on(stored.record_copy_handed_over_on)
    why = (
        f"13 weeks after the removal on {stored.removed_on} end on {thirteen}"
        if thirteen >= copy_wait
        else f"the copy of the official record was handed over on "
        f"{stored.record_copy_handed_over_on}, and two weeks must pass after that"
    )
    raise ConflictError(
        f"uncollected goods may be sold, given away or destroyed from {earliest}, not on "
        f"{disposed_on}: {why} (unless they were recorded as perishable or dangerous)"
    )


def record_disposal(scope: RequestScope, new: NewDisposal) -> InventoryView:
    """Record what became of uncollected goods (the municipality). A released pickup nobody
    came for lapses; a pickup on hold refuses it: the household came forward."""
    session, me, now = scope.session, scope.principal.partner_id, scope.now
    case, relation, stored = inventory.stored(
        scope,
        new.case_id,
        Permission.DISPOSAL_RECORD,
        "record what became of this case's goods",
    )
    inventory.require_stored(stored)
    pickup = open_pickup(stored)
    if pickup is not None and pickup.status is PickupStatus.ON_HOLD:
        raise ConflictError(
            f"a pickup was requested on {pickup.requested_at:%Y-%m-%d} and waits for the "
            "municipal contact: the goods are not uncollected"
        )
    proceeds = _check_proceeds(new)
    inventory.not_future(new.disposed_on, "disposedOn", scope)
    _check_periods(stored, new.disposed_on)
    if pickup is not None:
        pickup.status = PickupStatus.LAPSED
    stored.status = InventoryStatus.DISPOSED
    stored.disposition, stored.disposed_on = new.disposition, new.disposed_on
    stored.proceeds = proceeds
    stored.proceeds_nonce = secrets.token_hex(16) if proceeds is not None else None
    stored.claimable_until = (
        storage_periods.claimable_until(new.disposed_on)
        if new.disposition is Disposition.SOLD
        else None
    )
    stored.disposal_recorded_by, stored.disposal_recorded_at = me, now
    stored.version += 1
    session.flush()
    payload: dict[str, object] = {
        "disposition": str(new.disposition),
        "disposedOn": new.disposed_on.isoformat(),
    }
    if stored.claimable_until is not None:
        payload["claimableUntil"] = stored.claimable_until.isoformat()
        payload["proceedsSha256"] = proceeds_sha256(stored)
    if pickup is not None:
        payload["lapsedPickup"] = str(pickup.id)
    inventory.record_step(session, Event.INVENTORY_DISPOSED, stored, payload, me, now)
    return inventory.view(scope, stored, case, relation)
