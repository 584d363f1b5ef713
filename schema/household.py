"""The household found by an exact value: the front desk's lookup by address (issue 14,
part 6) and the household's access report across its cases (issue 16, part 5)."""

from __future__ import annotations

import base64
from typing import cast

import strawberry
from strawberry.scalars import JSON

from registry.privacy import household, lookup, report_pdf
from schema.context import Info, scope_of, selected_fields
from schema.privacy import access_report_of
from schema.types.case import Case
from schema.types.privacy import HouseholdAccessReport


@strawberry.type
class HouseholdQuery:
    @strawberry.field(
        description=(
            "The front desk's lookup: the cases at this exact address (postal code, house "
            "number and addition, all exact; no partial matches) that you may find there: as "
            "the case's municipality or an involved partner, when your policies release the "
            "case's address and postal code. A case you may not find is left out, exactly as "
            "if none lived there. Access-logged with your purpose. Newest first, at most 20."
        )
    )
    def cases_at_address(
        self,
        info: Info,
        postal_code: str,
        house_number: int,
        house_number_addition: str | None = None,
    ) -> list[Case]:
        found = lookup.cases_at_address(
            scope_of(info), postal_code, house_number, house_number_addition
        )
        return cast(list[Case], found)

    @strawberry.field(
        description=(
            "The household's access report across its cases, found by its registered name and "
            "its home's exact address (owner or municipality: the cases you may read the "
            "access report of). A household with none of those is NOT_FOUND, as a missing "
            "case is. An erased case is no longer found this way; ask `accessReport` by its id."
        )
    )
    def household_access_report(
        self,
        info: Info,
        name: str,
        postal_code: str,
        house_number: int,
        house_number_addition: str | None = None,
    ) -> HouseholdAccessReport:
        found = household.household_report(
            scope_of(info), name, postal_code, house_number, house_number_addition
        )
        pdf = report_pdf.to_pdf(found) if "pdfBase64" in selected_fields(info) else None
        return HouseholdAccessReport(
            made_at=found.made_at,
            requested_by=found.requested_by,
            requested_by_actor=found.requested_by_actor,
            cases=[access_report_of(r) for r in found.cases],
            json=cast(JSON, found.as_json()),
            pdf_base64=None if pdf is None else base64.b64encode(pdf).decode(),
        )
