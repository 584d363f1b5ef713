"""Queries and mutations on stored inventories, pickups and the municipal contact."""

from __future__ import annotations

import datetime as dt
from typing import cast

import strawberry

from registry.inventory import clocks as inventory_clocks
from registry.inventory import contacts as municipal_contacts
from registry.inventory import disposal as inventory_disposal
from registry.inventory import pickup_codes
from registry.inventory import service as inventory
from registry.inventory.fields import policy_fields_of
from registry.models import ContactOutcome
from schema.context import Info, requested_fields, scope_of, selected_fields
from schema.types.inventory import (
    Inventory,
    InventoryClocks,
    MunicipalContact,
    PickupCodeCheck,
    RecordDisposalInput,
    RecordInventoryInput,
)


def _requested(info: Info) -> frozenset[str]:
    return policy_fields_of(selected_fields(info))


@strawberry.type
class InventoryQuery:
    @strawberry.field(
        description=(
            "A case's stored inventory (null when none was recorded), if you relate to the "
            "case (otherwise: NOT_FOUND)."
        )
    )
    def inventory(self, info: Info, case_id: strawberry.ID) -> Inventory | None:
        return cast(Inventory | None, inventory.get(scope_of(info), case_id, _requested(info)))

    @strawberry.field(
        description=(
            "Municipal contacts of the cases you relate to, soonest due first: `openOnly` "
            "those without an outcome, `overdueOnly` those past their due date. The "
            "municipality's system polls this if it takes no webhooks."
        )
    )
    def municipal_contacts(
        self, info: Info, open_only: bool = True, overdue_only: bool = False, first: int = 100
    ) -> list[MunicipalContact]:
        views = municipal_contacts.list_contacts(
            scope_of(info), open_only=open_only, overdue_only=overdue_only, first=first
        )
        return cast(list[MunicipalContact], views)

    @strawberry.field(
        description=(
            "The municipality's clocks: stored goods reaching 13 weeks within `withinDays`, "
            "municipal contacts overdue, pickups waiting."
        )
    )
    def inventory_clocks(self, info: Info, within_days: int = 14) -> InventoryClocks:
        result = inventory_clocks.clocks(
            scope_of(info),
            within_days=within_days,
            requested=policy_fields_of(requested_fields(info)),
        )
        return cast(InventoryClocks, result)


@strawberry.type
class InventoryMutation:
    @strawberry.mutation(
        description=(
            "Record that a case's goods were removed at its eviction and stored (the bailiff "
            "involved, or the municipality). The storage provider becomes involved in the case."
        )
    )
    def record_inventory(self, info: Info, input: RecordInventoryInput) -> Inventory:
        new = inventory.NewInventory(
            case_id=input.case_id,
            storage_provider=input.storage_provider,
            location_code=input.location_code,
            description=input.description,
            removed_on=input.removed_on,
            record_copy_handed_over_on=input.record_copy_handed_over_on,
            perishable_or_dangerous=input.perishable_or_dangerous,
            volume_m3=input.volume_m3,
        )
        return cast(Inventory, scope_of(info).mutate(inventory.record, new))

    @strawberry.mutation(
        description=(
            "The household asks to pick up its goods (storage provider, bailiff or "
            "municipality): the pickup is on hold and the municipality gets a contact task."
        )
    )
    def request_pickup(self, info: Info, case_id: strawberry.ID) -> Inventory:
        return cast(Inventory, scope_of(info).mutate(municipal_contacts.request_pickup, case_id))

    @strawberry.mutation(
        description=(
            "Record the outcome of a municipal contact (the municipality); `NOT_REACHED` "
            "after at least three attempts."
        )
    )
    def record_municipal_contact(
        self,
        info: Info,
        id: strawberry.ID,
        outcome: ContactOutcome,
        attempts: int,
        contacted_on: dt.date,
    ) -> MunicipalContact:
        view = scope_of(info).mutate(
            municipal_contacts.record_outcome, id, outcome, attempts, contacted_on
        )
        return cast(MunicipalContact, view)

    @strawberry.mutation(
        description=(
            "Authorise the release of the goods for pickup (the municipality), once the "
            "municipal contact has its outcome."
        )
    )
    def release_pickup(self, info: Info, case_id: strawberry.ID) -> Inventory:
        return cast(Inventory, scope_of(info).mutate(inventory.release_pickup, case_id))

    @strawberry.mutation(
        description=(
            "A new one-time pickup code for a released pickup (the municipality), shown in "
            "this answer only: the old code stops working and the wrong attempts start afresh."
        )
    )
    def issue_pickup_code(self, info: Info, case_id: strawberry.ID) -> Inventory:
        return cast(Inventory, scope_of(info).mutate(pickup_codes.reissue, case_id))

    @strawberry.mutation(
        description=(
            "Check the code the person collecting the goods shows (storage provider, "
            "municipality): accepted once; after 10 wrong codes for these goods every check "
            "is refused until the municipality issues a new code."
        )
    )
    def verify_pickup_code(self, info: Info, case_id: strawberry.ID, code: str) -> PickupCodeCheck:
        check = scope_of(info).mutate(pickup_codes.verify, case_id, code)
        return cast(PickupCodeCheck, check)

    @strawberry.mutation(
        description=(
            "The goods were handed over on a released pickup (storage provider, municipality)."
        )
    )
    def record_collection(
        self, info: Info, case_id: strawberry.ID, collected_on: dt.date
    ) -> Inventory:
        view = scope_of(info).mutate(inventory.record_collection, case_id, collected_on)
        return cast(Inventory, view)

    @strawberry.mutation(
        description=(
            "Record what became of uncollected goods (the municipality): sold with proceeds, "
            "given away or destroyed; not before `disposableFrom`."
        )
    )
    def record_disposal(self, info: Info, input: RecordDisposalInput) -> Inventory:
        new = inventory_disposal.NewDisposal(
            case_id=input.case_id,
            disposition=input.disposition,
            disposed_on=input.disposed_on,
            proceeds=input.proceeds,
        )
        return cast(Inventory, scope_of(info).mutate(inventory_disposal.record_disposal, new))
