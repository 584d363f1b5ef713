"""The fields of a stored inventory a policy can release, each declared once: the stored goods
after an eviction (art. 556 lid 3 Rv), the pickups asked for, the municipal contact a pickup
triggers, and what became of uncollected goods.

Policies name inventory data in a few coarse fields: ``inventoryDates`` fills removal, the copy
of the record and the deadlines computed from them. Readers get the inventory (pickups and
their contacts loaded) and an ``InventoryReading``: the request's day and the indexes of the
inventory's entries in the signed audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import NamedTuple

from registry.access.fields import ReleasedField, ReleasedFields
from registry.inventory import periods as storage_periods
from registry.inventory.views import (
    MunicipalContactView,
    PickupView,
    contact_view,
    disposable_from,
    release_authorised,
)
from registry.models import StoredInventory

#: The one inventory field the corporation's own-case rule leaves out (``registry.access.
#: vocabulary``): how the household answered the municipality is none of the landlord's business.
MUNICIPAL_CONTACT = "municipalContact"


class InventoryReading(NamedTuple):
    """What inventory readers need besides the inventory."""

    today: dt.date
    log_indexes: Sequence[int]


def _pickups(inventory: StoredInventory, _: InventoryReading) -> list[PickupView]:
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


def _contacts(inventory: StoredInventory, reading: InventoryReading) -> list[MunicipalContactView]:
    return [contact_view(p.contact, str(inventory.id), reading.today) for p in inventory.pickups]


#: A case's stored inventory, its pickups, the municipal contact and the goods' fate.
INVENTORY_FIELDS: ReleasedFields[StoredInventory, InventoryReading] = ReleasedFields(
    ReleasedField(
        "inventoryStorage",
        "the stored goods: storage provider, location code, nature and size, "
        "perishable or dangerous, and whether they are stored, collected or disposed of",
        {
            "status": lambda i, _: i.status,
            "storage_provider": lambda i, _: i.storage_provider_id,
            "location_code": lambda i, _: i.location_code,
            "description": lambda i, _: i.description,
            "volume_m3": lambda i, _: i.volume_m3,
            "perishable_or_dangerous": lambda i, _: i.perishable_or_dangerous,
            "recorded_by": lambda i, _: i.recorded_by,
            "recorded_at": lambda i, _: i.recorded_at,
        },
        description_nl=(
            "de opgeslagen inboedel: opslagbedrijf, locatiecode, aard en omvang, bederfelijk of "
            "gevaarlijk, en of de goederen zijn opgeslagen, opgehaald of afgevoerd"
        ),
    ),
    ReleasedField(
        "inventoryDates",
        "removal, the copy of the official record handed over, the end of the "
        "13 weeks and the earliest day the goods may be disposed of",
        {
            "removed_on": lambda i, _: i.removed_on,
            "record_copy_handed_over_on": lambda i, _: i.record_copy_handed_over_on,
            "thirteen_weeks_on": lambda i, _: storage_periods.thirteen_weeks_on(i.removed_on),
            "disposable_from": lambda i, _: disposable_from(i),
        },
        description_nl=(
            "de ontruiming, de overhandiging van het afschrift van het proces-verbaal, het einde "
            "van de 13 weken en de eerste dag waarop de goederen mogen worden afgevoerd"
        ),
    ),
    ReleasedField(
        "inventoryPickup",
        "pickup requests: when, by whom, on hold, released or collected",
        {"pickups": _pickups, "collected_on": lambda i, _: i.collected_on},
        description_nl="ophaalverzoeken: wanneer, door wie, aangehouden, vrijgegeven of opgehaald",
    ),
    ReleasedField(
        "inventoryReleaseAuthorised",
        "whether the municipality authorised the release of the "
        "goods for pickup (all a storage provider needs)",
        {"release_authorised": lambda i, _: release_authorised(i)},
        description_nl=(
            "of de gemeente de vrijgave van de goederen voor ophalen heeft goedgekeurd (alles wat "
            "een opslagbedrijf nodig heeft)"
        ),
    ),
    # How the household answered the municipality's offer of help: social-domain data.
    ReleasedField(
        MUNICIPAL_CONTACT,
        "the municipal contact a pickup triggers: due date, attempts, outcome",
        {"contacts": _contacts},
        sensitive=True,
        description_nl=(
            "het gemeentelijk contact dat een ophaalverzoek in gang zet: uiterste datum, pogingen,"
            " uitkomst"
        ),
    ),
    ReleasedField(
        "inventoryDisposal",
        "what became of uncollected goods: sold (proceeds and until when they "
        "may be claimed), given away or destroyed",
        {
            "disposition": lambda i, _: i.disposition,
            "disposed_on": lambda i, _: i.disposed_on,
            "proceeds": lambda i, _: i.proceeds,
            "claimable_until": lambda i, _: i.claimable_until,
        },
        description_nl=(
            "wat er met niet-opgehaalde goederen is gebeurd: verkocht (opbrengst en tot wanneer "
            "die kan worden opgeëist), weggegeven of vernietigd"
        ),
    ),
    ReleasedField(
        "inventoryLog",
        "where the inventory's events are in the signed audit log",
        {"log_indexes": lambda _, reading: list(reading.log_indexes)},
        description_nl="waar de gebeurtenissen van de inboedel in het ondertekende auditlog staan",
    ),
)

#: The policy fields behind the GraphQL fields selected of an inventory.
policy_fields_of = INVENTORY_FIELDS.policy_fields_of
