"""The household's rights through the API: erasure (owner or municipality)."""

from __future__ import annotations

from typing import cast

import strawberry
from strawberry.scalars import JSON

from registry.privacy import erasure, report
from schema.cases import access_log_entry
from schema.context import Info, scope_of
from schema.types.privacy import AccessRecipient, AccessReport, Erasure


def _erasure(result: erasure.ErasureResult) -> Erasure:
    return Erasure(
        case_id=strawberry.ID(str(result.case_id)),
        erased_at=result.erased_at,
        rows_removed=sum(result.rows.values()),
    )


def access_report_of(found: report.AccessReport) -> AccessReport:
    """The GraphQL type of one case's access report."""
    return AccessReport(
        case_id=strawberry.ID(str(found.case_id)),
        erased_at=found.erased_at,
        recipients=[
            AccessRecipient(
                partner=r.partner,
                actors=list(r.actors),
                first_at=r.first_at,
                last_at=r.last_at,
                fields=list(r.fields),
                purposes=list(r.purposes),
                channels=list(r.channels),
                requests=r.requests,
            )
            for r in found.recipients
        ],
        records=[access_log_entry(r) for r in found.records],
        json=cast(JSON, found.as_json()),
    )


@strawberry.type
class PrivacyQuery:
    @strawberry.field(
        description=(
            "Who received this case's data, when, which fields, for which purpose, through "
            "which channel; and whether its household was erased (owner or municipality, also "
            "after an erasure). A case you cannot see is NOT_FOUND."
        )
    )
    def access_report(self, info: Info, case_id: strawberry.ID) -> AccessReport:
        return access_report_of(report.report(scope_of(info), case_id))


@strawberry.type
class PrivacyMutation:
    @strawberry.mutation(
        description=(
            "Erase the household's personal data of a case (owner or municipality; AVG art. "
            "17): contact details, annotations, agreements, inventory and its data key. The "
            "signed log records the erasure with ids only; every proof stays valid. A case you "
            "cannot see is NOT_FOUND; erasing it again answers the first erasure."
        )
    )
    def erase_household(self, info: Info, case_id: strawberry.ID) -> Erasure:
        return _erasure(scope_of(info).mutate(erasure.erase, case_id))
