"""The household found by an exact value: the front desk's lookup by address (issue 14,
part 6) and the household's access report across its cases (issue 16, part 5)."""

from __future__ import annotations

from typing import cast

import strawberry

from registry.privacy import lookup
from schema.context import Info, scope_of
from schema.types.case import Case


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
