"""Erasure of a household's personal data (AVG art. 17), on request or when its retention
period ends, everywhere the registry stores it, while the signed log stays valid.

What is erased is found, not listed: every table with a foreign key to the case record,
directly or through another such table (an agreement's parties, a pickup's municipal
contact), read from the SQLAlchemy metadata, so a table a feature adds later is erased with
the rest. Its rows are deleted, children first. Tables that name a case without a foreign key
are kept only when ``KEPT`` says why (a test fails for any other).

The case record itself stays as a tombstone of ids and codes (what the access log and the
signed log name), its descriptive dates and amounts cleared, and its data key destroyed:
anything still sealed under that key (a backup, a WAL page) can no longer be opened by anyone.
The erasure is recorded in the signed log as an event holding ids only.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from types import MappingProxyType
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, Table, and_, delete, exists, or_, select
from sqlalchemy.orm import Session

from policies import Permission
from registry.db import Base
from registry.events import Event
from registry.models import Case, HouseholdComposition, IdempotentRequest
from registry.models.sealing import forget_key
from registry.recording import record

if TYPE_CHECKING:
    from registry.request import RequestScope

#: Who the signed log names as the submitter of an erasure the operator made from the command
#: line (no partner asked: the household asked the operator, or a retention period ended).
OPERATOR = "registry-operator"

CASE_TABLE = Case.__tablename__

#: Tables that name a case without a foreign key, kept on erasure, and why that is right.
KEPT: Mapping[str, str] = MappingProxyType(
    {
        "access_log": (
            "who received the household's data: ids, field names, purposes and times, no "
            "values; the household's right of access and the partners' accountability need "
            "it after the erasure too (it has its own retention period)"
        ),
        "outbox_event": (
            "thin webhook events already sent: a type, a case id and a time, no personal data"
        ),
        "audit_log_opening": (
            "openings of the signed log's commitments: ids, codes and dates, no personal "
            "data; partners' proofs of what they were shown rest on them"
        ),
    }
)


def _refers_to(table: Table, names: set[str]) -> bool:
    """Whether ``table`` has a foreign key to one of the tables ``names`` (not to itself)."""
    return any(
        c.referred_table.name in names and c.referred_table is not table
        for c in table.foreign_key_constraints
    )


def case_tables() -> list[Table]:
    """Every table whose rows belong to a case through foreign keys (directly or through
    another such table), children before parents: the order they are erased in."""
    belonging: set[str] = {CASE_TABLE}
    changed = True
    while changed:
        changed = False
        for table in Base.metadata.tables.values():
            if table.name not in belonging and _refers_to(table, belonging):
                belonging.add(table.name)
                changed = True
    ordered = [t for t in Base.metadata.sorted_tables if t.name in belonging - {CASE_TABLE}]
    return list(reversed(ordered))


def naming_a_case_without_a_key() -> set[str]:
    """Tables with a ``case_id`` column but no foreign key to the case: erasure cannot find
    their rows by the metadata, so each must be in ``KEPT`` (or get a foreign key)."""
    by_key = {t.name for t in case_tables()}
    return {
        t.name
        for t in Base.metadata.tables.values()
        if "case_id" in t.c and t.name not in by_key and t.name != CASE_TABLE
    }


def _rows_of(table: Table, case_id: uuid.UUID, belonging: set[str]) -> ColumnElement[bool]:
    """The condition selecting the rows of ``table`` that belong to case ``case_id``: through
    any of its foreign keys to a table in ``belonging`` (the case's tables)."""
    if table.name == CASE_TABLE:
        return table.c.id == case_id
    conditions = []
    for constraint in table.foreign_key_constraints:
        parent = constraint.referred_table
        if parent.name not in belonging or parent is table:
            continue
        joined = and_(*(element.column == element.parent for element in constraint.elements))
        within = _rows_of(parent, case_id, belonging)
        conditions.append(exists(select(1).select_from(parent).where(joined, within)))
    return or_(*conditions)


@dataclass(frozen=True)
class ErasureResult:
    """What one erasure removed: rows per table, and when."""

    case_id: uuid.UUID
    erased_at: dt.datetime
    rows: Mapping[str, int]


def erase_case(session: Session, case: Case, now: dt.datetime, submitter: str) -> ErasureResult:
    """Erase the household of ``case`` (locked by the caller) in the caller's transaction:
    delete every row belonging to it, clear the case record to a tombstone, destroy its
    data key, drop stored idempotent answers that disclosed it, and record the erasure in the
    signed log as submitted by ``submitter``."""
    session.flush()
    removed: dict[str, int] = {}
    tables = case_tables()
    belonging = {t.name for t in tables} | {CASE_TABLE}
    for table in tables:
        result = session.execute(delete(table).where(_rows_of(table, case.id, belonging)))
        removed[table.name] = result.rowcount or 0  # type: ignore[attr-defined]
    removed[IdempotentRequest.__tablename__] = _forget_answers(session, case.id)
    session.expire_all()  # deleted rows must not linger in this session's identity map
    record(session, Event.CASE_ERASED, case.id, now, submitter=submitter, payload={})
    _tombstone(case, now)
    forget_key(session, case.id)
    session.flush()
    return ErasureResult(case.id, now, MappingProxyType(removed))


def erase(scope: RequestScope, case_id: str) -> ErasureResult:
    """Erase the household of ``case_id`` at the request of its owner or its municipality.

    A case the caller does not relate to is not found; one it relates to otherwise may not be
    erased by it. Erasing an erased case again answers the first erasure (a retry is safe).
    """
    case, relation = scope.find_case(
        case_id, fields=frozenset(), for_change=True, include_erased=True
    )
    scope.require(
        Permission.CASE_ERASE,
        relation,
        "erase this household's data",
        refusal="only the case's owner and its municipality erase its household's data",
    )
    scope.disclosure.processed(case)  # erasing is processing too: the access report shows it
    if case.erased_at is not None:
        return ErasureResult(case.id, case.erased_at, MappingProxyType({}))
    return erase_case(scope.session, case, scope.now, scope.principal.partner_id)


def _tombstone(case: Case, now: dt.datetime) -> None:
    """Keep ids and codes (what the logs name); clear what describes the household."""
    case.data_key = None  # crypto-shredding: whatever remains sealed under it is noise now
    case.erased_at = now
    case.reasons = []
    case.household_composition = HouseholdComposition.OTHER
    case.children_involved = False
    case.arrears_amount = Decimal("0.00")
    case.arrears_months = 0
    case.early_signalled_on = case.judgment_requested_on = case.judgment_granted_on = None
    case.eviction_date = case.housing_block_until = None
    case.household_destination = None
    case.destination_arranged_by = None
    case.housing_block_until_debt_settled = None
    case.shelter_arranged = None
    case.updated_at = now
    case.version += 1


def _forget_answers(session: Session, case_id: uuid.UUID) -> int:
    """Delete stored idempotent answers that disclosed the case: they may hold its personal
    data as it was answered (the table is small: answers live a day)."""
    text = str(case_id)
    keys = [
        (row.partner_id, row.key)
        for row in session.scalars(select(IdempotentRequest))
        if any(d.get("case") == text for d in row.disclosures or [])
        or text in str(row.response or "")
    ]
    for partner_id, key in keys:
        session.execute(
            delete(IdempotentRequest).where(
                IdempotentRequest.partner_id == partner_id, IdempotentRequest.key == key
            )
        )
    return len(keys)
