"""The household's access report (AVG art. 15; NEN 7513's view of who accessed what): per
case, every organisation and staff member that received its data, when, which fields, for
which purpose, through which channel; and whether and when the household was erased.

For the case's owner and its municipality, as the access history is; a case the caller cannot
see is answered like a missing one. Built from the access log, which keeps ids, field names
and purposes only, so it outlives an erasure. Reading the report is processing of the case
too, and is access-logged like any read.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from policies import Permission
from registry.models import AccessLogRecord, Case

if TYPE_CHECKING:
    from registry.request import RequestScope

#: Report format, in the JSON export: a new format gets a new name.
FORMAT = "ketenregister/access-report/1"


@dataclass(frozen=True)
class Recipient:
    """One organisation that received the household's data, summed over its requests."""

    partner: str
    actors: tuple[str, ...]
    first_at: dt.datetime
    last_at: dt.datetime
    fields: tuple[str, ...]
    purposes: tuple[str, ...]
    channels: tuple[str, ...]
    requests: int


@dataclass(frozen=True)
class AccessReport:
    """Who received the data of one case, and whether its household was erased."""

    case_id: uuid.UUID
    erased_at: dt.datetime | None
    recipients: tuple[Recipient, ...]
    records: tuple[AccessLogRecord, ...]

    def as_json(self) -> dict[str, Any]:
        """The report as a JSON document (the export a municipality hands the household)."""
        return {
            "format": FORMAT,
            "case": str(self.case_id),
            "erasedAt": self.erased_at.isoformat() if self.erased_at else None,
            "recipients": [
                {
                    "partner": r.partner,
                    "actors": list(r.actors),
                    "firstAt": r.first_at.isoformat(),
                    "lastAt": r.last_at.isoformat(),
                    "fields": list(r.fields),
                    "purposes": list(r.purposes),
                    "channels": list(r.channels),
                    "requests": r.requests,
                }
                for r in self.recipients
            ],
            "records": [
                {
                    "partner": r.partner_id,
                    "actor": r.actor,
                    "at": r.occurred_at.isoformat(),
                    "fields": list(r.fields_disclosed),
                    "withheld": list(r.fields_withheld),
                    "purpose": r.purpose,
                    "channel": r.operation,
                    "outcome": r.outcome,
                    "traceId": r.trace_id,
                }
                for r in self.records
            ],
        }


def build(session: Session, case: Case) -> AccessReport:
    """The report of ``case`` from its access-log records, oldest first."""
    records = session.scalars(
        select(AccessLogRecord)
        .where(AccessLogRecord.case_id == case.id)
        .order_by(AccessLogRecord.occurred_at, AccessLogRecord.id)
    ).all()
    return AccessReport(case.id, case.erased_at, _recipients(records), tuple(records))


def _recipients(records: Sequence[AccessLogRecord]) -> tuple[Recipient, ...]:
    by_partner: dict[str, list[AccessLogRecord]] = {}
    for record in records:
        by_partner.setdefault(record.partner_id, []).append(record)
    return tuple(
        Recipient(
            partner=partner,
            actors=tuple(sorted({r.actor for r in rows if r.actor})),
            first_at=rows[0].occurred_at,
            last_at=rows[-1].occurred_at,
            fields=tuple(sorted({f for r in rows for f in r.fields_disclosed})),
            purposes=tuple(sorted({r.purpose for r in rows})),
            channels=tuple(sorted({r.operation for r in rows})),
            requests=len(rows),
        )
        for partner, rows in sorted(by_partner.items())
    )


def report(scope: RequestScope, case_id: str) -> AccessReport:
    """The access report of ``case_id`` for its owner or its municipality (also once its
    household was erased); any other partner is refused, one that cannot see the case is
    told it does not exist."""
    case, relation = scope.find_case(case_id, fields=frozenset(), include_erased=True)
    scope.require(
        Permission.ACCESS_LOG_READ,
        relation,
        "read this case's access report",
        refusal="only the owner and the municipality read a case's access report",
    )
    scope.disclosure.processed(case)
    return build(scope.session, case)
