"""The stored-inventory service (*opgeslagen inboedel*, art. 556 lid 3 Rv): after an eviction
the bailiff or the municipality records that the goods were removed and stored; a pickup
request puts them on hold and makes the municipality reach out to the household again
(``municipal_contacts``); the municipality releases the pickup once that contact has an
outcome, and the storage provider records the collection. Goods nobody collects are disposed
of under the periods of ``storage_periods`` (``inventory_disposal``).

Every step is checked for the caller's kind and relation to the case (``RequestScope.require``),
appends its event to the signed audit log, and writes its notification to the outbox, all in
the caller's transaction. Every read goes through ``Disclosure``. A case is addressed by its
id, and one the caller has no relation to is answered as one that does not exist.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from policies import Permission, Relation
from registry import recording
from registry.auditlog import proofs
from registry.errors import ConflictError, InvalidInputError
from registry.events import Event
from registry.inventory import codes
from registry.inventory.views import InventoryView, open_pickup
from registry.lengths import max_length
from registry.models import (
    Case,
    EvictionOutcome,
    InventoryStatus,
    Involvement,
    InvolvementRole,
    Partner,
    PickupRequest,
    PickupStatus,
    StoredInventory,
)
from registry.partners.registration import partner_in

if TYPE_CHECKING:
    from registry.request import RequestScope

#: The eviction outcomes after which goods can have been removed: carried out, or the
#: household was found gone ("noorderzon") and left its goods behind.
CARRIED_OUT = frozenset({EvictionOutcome.EXECUTED, EvictionOutcome.HOUSEHOLD_GONE})
MAX_DESCRIPTION = max_length(StoredInventory.description)
MAX_VOLUME_M3 = Decimal("10000")
#: A storage location is a code of the storage provider's own (hall, row, bay: ``ZD-H12-04``),
#: never a name or an address: capitals, digits and hyphens only, so a household's name typed
#: into it is refused rather than stored (it is shown to every partner that reads
#: ``inventoryStorage``). The signed log does not hold it at all. Shorter than its column.
MAX_LOCATION_CODE = 32
_LOCATION_CODE = re.compile(rf"[A-Z0-9][A-Z0-9-]{{0,{MAX_LOCATION_CODE - 1}}}")
# What personal data in a description most often looks like. Not a guarantee: a safeguard
# against the obvious slip, with the household's own name and address checked besides.
_PERSONAL_DATA = (
    (re.compile(r"[^\s@]+@[^\s@]+\.[^\s@]+"), "an e-mail address"),
    (re.compile(r"(?:\+|\b)\d(?:[\s-]?\d){8,}\b"), "a phone number"),
    (re.compile(r"\b[1-9]\d{3}\s?[A-Z]{2}\b"), "a postal code"),
)


def log_subject(inventory: StoredInventory) -> str:
    """How the audit log names an inventory (``AuditLogEntry.subject``): every event of the
    inventory, its pickups and their contacts is filed under it."""
    return f"inventory:{inventory.id}"


def _loaded() -> list[object]:
    return [selectinload(StoredInventory.pickups).selectinload(PickupRequest.contact)]


def inventory_of(
    session: Session, case_id: uuid.UUID, *, for_update: bool = False
) -> StoredInventory | None:
    """The case's stored inventory with its pickups and their contacts, if one was recorded.
    ``for_update`` locks its row until the transaction ends (PostgreSQL; SQLite's one writer
    is serialised already), so two steps on one inventory never both pass a check such as
    "no pickup open yet"."""
    stmt = (
        select(StoredInventory).where(StoredInventory.case_id == case_id).options(*_loaded())  # type: ignore[arg-type]
    )
    if for_update:
        stmt = stmt.with_for_update(of=StoredInventory).execution_options(populate_existing=True)
    return session.scalars(stmt).first()


def stored(
    scope: RequestScope,
    case_id: str,
    permission: Permission,
    what: str,
    *,
    case_fields: frozenset[str] = frozenset(),
) -> tuple[Case, Relation, StoredInventory]:
    """The case, the caller's relation and the case's inventory, for a step the caller must be
    permitted; ``ConflictError`` when no inventory was recorded for the case."""
    case, relation = scope.find_case(case_id, fields=case_fields)
    scope.require(permission, relation, what)
    inventory = inventory_of(scope.session, case.id, for_update=True)
    if inventory is None:
        raise ConflictError(
            f"case {case.id} has no stored inventory: recordInventory first (after the eviction)"
        )
    return case, relation, inventory


def require_stored(inventory: StoredInventory) -> None:
    """Refuse unless the goods are still in storage."""
    if inventory.status is not InventoryStatus.STORED:
        when = inventory.collected_on or inventory.disposed_on
        raise ConflictError(
            f"the goods are no longer stored: they were {inventory.status} on {when}"
        )


def view(
    scope: RequestScope,
    inventory: StoredInventory,
    case: Case,
    relation: Relation,
    requested: frozenset[str] | None = None,
) -> InventoryView:
    """The inventory as the caller may see it (``requested``: policy field names)."""
    wants_log = requested is None or "inventoryLog" in requested
    indexes = proofs.indexes_of(scope.session, log_subject(inventory)) if wants_log else ()
    return scope.disclosure.inventory_view(
        inventory, case, relation, scope.today, requested, log_indexes=indexes
    )


def get(
    scope: RequestScope, case_id: str, requested: frozenset[str] | None
) -> InventoryView | None:
    """A case's stored inventory, if one was recorded and the caller relates to the case
    (``requested``: policy field names)."""
    case, relation = scope.find_case(case_id, fields=frozenset())
    inventory = inventory_of(scope.session, case.id)
    if inventory is None:
        return None
    return view(scope, inventory, case, relation, requested)


def record_step(
    session: Session,
    event: Event,
    inventory: StoredInventory,
    payload: dict[str, object],
    submitter: str,
    now: dt.datetime,
    *,
    addressee: str | None = None,
) -> None:
    """Record an inventory step (``registry.recording``): its log entry holds ``payload`` (ids,
    codes and dates only) and names the inventory and its case (so that the case's policies
    decide who is shown it); its webhook tells the case's partners, and ``addressee``."""
    recording.record(
        session,
        event,
        inventory.case_id,
        now,
        submitter=submitter,
        payload={"inventory": str(inventory.id), **payload},
        addressee=addressee,
    )


def not_future(day: dt.date, name: str, scope: RequestScope) -> None:
    """Refuse a date after the request's day."""
    if day > scope.today:
        raise InvalidInputError(f"{name} {day} lies in the future")


@dataclass(frozen=True)
class NewInventory:
    """What the bailiff or the municipality records when the goods were removed and stored:
    no personal data, the description says what and how much, never whose."""

    case_id: str
    storage_provider: str
    location_code: str
    description: str
    removed_on: dt.date
    record_copy_handed_over_on: dt.date
    perishable_or_dangerous: bool = False
    volume_m3: Decimal | None = None


def _check_description(case: Case, text: str) -> str:
    text = text.strip()
    if not text:
        raise InvalidInputError("describe the nature and size of the goods")
    if len(text) > MAX_DESCRIPTION:
        raise InvalidInputError(f"the description is longer than {MAX_DESCRIPTION} characters")
    for pattern, what in _PERSONAL_DATA:
        if pattern.search(text):
            raise InvalidInputError(
                f"the description must hold no personal data, and it contains what looks like "
                f"{what}: say what and how much is stored, never whose"
            )
    # Never echoed: the caller may not be allowed to read the household's details.
    contact = case.contact
    if contact is not None:
        street = contact.address.split(",")[0].strip()
        lowered = text.casefold()
        if any(part and part.casefold() in lowered for part in (contact.name.strip(), street)):
            raise InvalidInputError(
                "the description must hold no personal data, and it names the household or "
                "its address: say what and how much is stored, never whose"
            )
    return text


def _check_dates(case: Case, new: NewInventory, scope: RequestScope) -> None:
    not_future(new.removed_on, "removedOn", scope)
    not_future(new.record_copy_handed_over_on, "recordCopyHandedOverOn", scope)
    if case.eviction_date is not None and new.removed_on < case.eviction_date:
        raise InvalidInputError(
            f"removedOn {new.removed_on} is before the eviction of {case.eviction_date}"
        )
    if new.record_copy_handed_over_on < new.removed_on:
        raise InvalidInputError(
            f"recordCopyHandedOverOn {new.record_copy_handed_over_on} is before the removal "
            f"on {new.removed_on}: the copy is of the record made at the removal"
        )


def _storage_provider(session: Session, case: Case, partner_id: str) -> Partner:
    return partner_in(
        session,
        partner_id,
        case.municipality_code,
        able_to=Permission.INVENTORY_KEEP,
        refusal="does not keep stored goods: name a storage provider",
    )


def record(scope: RequestScope, new: NewInventory) -> InventoryView:
    """Record that a case's goods were removed at its eviction and stored with a storage
    provider. The provider is involved in the case (role storage) if it was not already, so it
    relates to the case, and sees of it what its covenant releases."""
    session, me, now = scope.session, scope.principal.partner_id, scope.now
    # The case is locked: two recordings at once must not both find no inventory yet.
    case, relation = scope.find_case(
        new.case_id, fields=frozenset({"involvements", "contactName"}), for_change=True
    )
    scope.require(Permission.INVENTORY_RECORD, relation, "record this case's inventory")
    if case.eviction_outcome not in CARRIED_OUT:
        raise ConflictError(
            f"no eviction was carried out for case {case.id} (eviction outcome: "
            f"{case.eviction_outcome or 'none'}): goods are stored only after an eviction"
        )
    if inventory_of(session, case.id) is not None:
        raise ConflictError(f"case {case.id} has a stored inventory already")
    provider = _storage_provider(session, case, new.storage_provider)
    location = new.location_code.strip()
    if not _LOCATION_CODE.fullmatch(location):
        raise InvalidInputError(
            f"locationCode is a storage location code of 1 to {MAX_LOCATION_CODE} capital "
            "letters, digits and hyphens, such as ZD-H12-04: never a name or an address"
        )
    description = _check_description(case, new.description)
    if new.volume_m3 is not None and not Decimal(0) < new.volume_m3 <= MAX_VOLUME_M3:
        raise InvalidInputError(f"volumeM3 must be above 0 and at most {MAX_VOLUME_M3}")
    _check_dates(case, new, scope)
    inventory = StoredInventory(
        id=uuid.uuid4(),
        case_id=case.id,
        municipality_code=case.municipality_code,
        storage_provider_id=provider.id,
        location_code=location,
        description=description,
        volume_m3=new.volume_m3,
        perishable_or_dangerous=new.perishable_or_dangerous,
        removed_on=new.removed_on,
        record_copy_handed_over_on=new.record_copy_handed_over_on,
        recorded_by=me,
        recorded_at=now,
        status=InventoryStatus.STORED,
    )
    inventory.pickups = []
    session.add(inventory)
    if not any(i.partner_id == provider.id and i.released_at is None for i in case.involvements):
        case.involvements.append(
            Involvement(
                case_id=case.id,
                partner_id=provider.id,
                role=InvolvementRole.STORAGE,
                since=now,
                involved_by=me,
            )
        )
    session.flush()
    record_step(
        session,
        Event.INVENTORY_STORED,
        inventory,
        {
            "storageProvider": provider.id,
            "perishableOrDangerous": new.perishable_or_dangerous,
            "removedOn": new.removed_on.isoformat(),
            "recordCopyHandedOverOn": new.record_copy_handed_over_on.isoformat(),
        },
        me,
        now,
    )
    return view(scope, inventory, case, relation)


def release_pickup(scope: RequestScope, case_id: str) -> InventoryView:
    """The municipality authorises the release of the goods for pickup: only once the contact
    the pickup triggered has its outcome. The answer holds the household's pickup code."""
    session, me, now = scope.session, scope.principal.partner_id, scope.now
    case, relation, inventory = stored(
        scope, case_id, Permission.PICKUP_RELEASE, "release this case's goods"
    )
    require_stored(inventory)
    pickup = open_pickup(inventory)
    if pickup is None:
        raise ConflictError("no pickup was requested: there is nothing to release")
    if pickup.status is PickupStatus.RELEASED:
        raise ConflictError(f"the pickup was released already on {pickup.released_at:%Y-%m-%d}")
    if pickup.contact.recorded_at is None:
        raise ConflictError(
            "the municipal contact for this pickup has no outcome yet (due on "
            f"{pickup.contact.due_on}): record it with recordMunicipalContact before the "
            "release"
        )
    pickup.status = PickupStatus.RELEASED
    pickup.released_by, pickup.released_at = me, now
    # The household's one-time code, shown to the municipality in this answer only.
    code = codes.issue(inventory, pickup, now)
    inventory.version += 1
    session.flush()
    record_step(
        session,
        Event.INVENTORY_PICKUP_RELEASED,
        inventory,
        {"pickup": str(pickup.id), "contact": str(pickup.contact.id)},
        me,
        now,
    )
    released = view(scope, inventory, case, relation)
    released.pickup_code = code
    return released


def record_collection(scope: RequestScope, case_id: str, collected_on: dt.date) -> InventoryView:
    """The storage provider (or the municipality) handed the goods over on a released pickup."""
    session, me, now = scope.session, scope.principal.partner_id, scope.now
    case, relation, inventory = stored(
        scope,
        case_id,
        Permission.COLLECTION_RECORD,
        "record the collection of this case's goods",
    )
    require_stored(inventory)
    pickup = open_pickup(inventory)
    if pickup is None or pickup.status is not PickupStatus.RELEASED:
        raise ConflictError(
            "the goods may not be handed over: no pickup release is authorised"
            + ("" if pickup is None else " (the pickup is on hold for the municipal contact)")
        )
    not_future(collected_on, "collectedOn", scope)
    assert pickup.released_at is not None  # a released pickup has its time
    if collected_on < pickup.released_at.date():
        raise InvalidInputError(
            f"collectedOn {collected_on} is before the release on {pickup.released_at:%Y-%m-%d}"
        )
    pickup.status, pickup.collected_on, pickup.collection_recorded_by = (
        PickupStatus.COLLECTED,
        collected_on,
        me,
    )
    inventory.status, inventory.collected_on = InventoryStatus.COLLECTED, collected_on
    inventory.version += 1
    session.flush()
    record_step(
        session,
        Event.INVENTORY_COLLECTED,
        inventory,
        {"pickup": str(pickup.id), "collectedOn": collected_on.isoformat()},
        me,
        now,
    )
    return view(scope, inventory, case, relation)
