"""The access log (Logboek Dataverwerkingen): every disclosure of case data, one record per
request per case, queryable by case (for the household's right of access) and by partner."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from policies import Permission
from registry.access.disclosure import Disclosure
from registry.access.principal import Principal
from registry.bulkwrite import insert_rows
from registry.errors import InvalidInputError
from registry.lengths import max_length
from registry.models import AccessLogRecord

if TYPE_CHECKING:
    from registry.request import RequestScope

#: The operation is a label the caller chose: a long name is cut to fit, not refused.
_MAX_OPERATION = max_length(AccessLogRecord.operation)


def _outcome(disclosed: set[str], withheld: set[str]) -> str:
    if disclosed:
        return "disclosed"
    # Asked only for fields it may not read, or only for the case's id: still a record, since
    # even confirming that a case exists is processing of the household's data.
    return "withheld" if withheld else "identified"


def write(session: Session, disclosure: Disclosure, operation: str, now: dt.datetime) -> int:
    """Record what ``disclosure`` released in this request; returns the number of records."""
    released = [(r.case_id, r.disclosed, r.withheld) for r in disclosure.released.values()]
    disclosure.released.clear()
    return _insert(session, disclosure.principal, operation, now, released)


def summary(disclosure: Disclosure) -> list[dict[str, Any]]:
    """What ``disclosure`` released so far, as JSON: kept with an idempotent answer, so that
    giving the answer again is logged as the disclosure it is (``write_again``)."""
    return [
        {"case": str(r.case_id), "disclosed": sorted(r.disclosed), "withheld": sorted(r.withheld)}
        for r in disclosure.released.values()
    ]


def write_again(
    session: Session,
    principal: Principal,
    operation: str,
    now: dt.datetime,
    released: Sequence[dict[str, Any]],
) -> int:
    """Record a stored answer given again (a retry under an ``Idempotency-Key``)."""
    rows = [(uuid.UUID(r["case"]), set(r["disclosed"]), set(r["withheld"])) for r in released]
    return _insert(session, principal, operation, now, rows)


def _insert(
    session: Session,
    principal: Principal,
    operation: str,
    now: dt.datetime,
    released: Sequence[tuple[uuid.UUID, set[str], set[str]]],
) -> int:
    rows = [
        {
            "id": uuid.uuid4(),
            "trace_id": principal.trace.trace_id,
            "span_id": principal.trace.span_id,
            "partner_id": principal.partner_id,
            "actor": principal.actor,
            "case_id": case_id,
            "purpose": principal.purpose,
            "operation": operation[:_MAX_OPERATION],
            "fields_disclosed": sorted(disclosed),
            "fields_withheld": sorted(withheld),
            "occurred_at": now,
            "outcome": _outcome(disclosed, withheld),
        }
        for case_id, disclosed, withheld in released
    ]
    # Many rows per statement (COPY on PostgreSQL): a list of 10,000 cases costs one
    # statement, not 10,000.
    insert_rows(session, AccessLogRecord, rows)
    return len(rows)


def for_case(session: Session, case_id: uuid.UUID, limit: int = 500) -> Sequence[AccessLogRecord]:
    """The newest disclosures of one case, newest first."""
    return session.scalars(
        select(AccessLogRecord)
        .where(AccessLogRecord.case_id == case_id)
        .order_by(AccessLogRecord.occurred_at.desc(), AccessLogRecord.id)
        .limit(limit)
    ).all()


def for_partner(session: Session, partner_id: str, limit: int = 500) -> Sequence[AccessLogRecord]:
    """The newest disclosures to one partner, newest first."""
    return session.scalars(
        select(AccessLogRecord)
        .where(AccessLogRecord.partner_id == partner_id)
        .order_by(AccessLogRecord.occurred_at.desc(), AccessLogRecord.id)
        .limit(limit)
    ).all()


def history(scope: RequestScope, case_id: str) -> Sequence[AccessLogRecord]:
    """A case's access history, for its owner and its municipality."""
    case, relation = scope.find_case(case_id, fields=frozenset())
    scope.require(
        Permission.ACCESS_LOG_READ,
        relation,
        "read this case's access history",
        refusal="only the owner and the municipality read a case's access history",
    )
    scope.disclosure.processed(case)  # reading who saw a case is processing of it too
    return for_case(scope.session, case.id)


def received(scope: RequestScope, limit: int) -> Sequence[AccessLogRecord]:
    """What the calling partner itself received: its own side of the log."""
    if not 1 <= limit <= 500:
        raise InvalidInputError("limit must be between 1 and 500")
    return for_partner(scope.session, scope.principal.partner_id, limit)
