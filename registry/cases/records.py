"""Case records: a page of cases read as plain rows, for the disclosure choke point to release.

A list of 10,000 cases spent about a third of its time making ORM entities of them: identity
map, instance state, and the collections of their involvements appended one by one (issue 17).
A list changes nothing, so it needs none of that. Here a page is read with Core selects: the
case columns in one, and each kind of related row a selection asks for (involvements, contact
details, signals, collection pauses) in one more per page, keyed by case id. Each case becomes
a ``CaseRecord``, which carries every attribute the case's field readers
(``registry.cases.fields.CASE_FIELDS``) read of a ``Case``, so the choke point releases a record
exactly as it releases an entity: the same policies decide, the same readers read, the same
access-log record is written. A test compares both, field for field.

The household's contact details are opened here under the case's data key, through the same
per-session key cache the ORM's sealed attributes use (``registry.models.sealing``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import Row, Select, select
from sqlalchemy.orm import Session

from registry.models import (
    Case,
    CaseContact,
    ClosureOutcome,
    CollectionPause,
    EvictionOutcome,
    HouseholdComposition,
    HouseholdDestination,
    Involvement,
    Phase,
)
from registry.models.sealing import SealedText, case_cipher
from registry.models.signal import CaseSignal

if TYPE_CHECKING:
    from sqlalchemy import Subquery

#: Case ids per ``IN (...)`` of a related-rows query: well under every database's limit on
#: bound parameters, whatever page size a caller allows itself.
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class ContactRecord:
    """The household's identity and contact details of one case, opened."""

    name: str
    address: str
    postal_code: str
    phone: str | None
    email: str | None


@dataclass(slots=True, eq=False)
class CaseRecord:
    """One case of a list as plain values: the columns of ``Case`` that its field readers
    read, and its related rows (Core rows with the same attribute names as the ORM's, or
    empty when the selection asks for nothing of them)."""

    id: uuid.UUID
    municipality_code: str
    owner_id: str
    phase: Phase
    reasons: list[str]
    household_composition: HouseholdComposition
    children_involved: bool
    arrears_amount: Decimal | None
    arrears_months: int | None
    contact_attempted: bool
    debt_help_referred: bool
    reminder_sent: bool
    tenant_did_not_object: bool
    early_signalled_on: dt.date | None
    judgment_requested_on: dt.date | None
    judgment_granted_on: dt.date | None
    eviction_date: dt.date | None
    eviction_outcome: EvictionOutcome | None
    shelter_arranged: bool | None
    housing_block_until: dt.date | None
    bailiff_id: str | None
    household_destination: HouseholdDestination | None
    destination_arranged_by: str | None
    housing_block_until_debt_settled: bool | None
    closed_on: dt.date | None
    coordinator_id: str | None
    closure_outcome: ClosureOutcome | None
    registered_at: dt.datetime
    data_key: bytes | None
    involvements: list[Any] = field(default_factory=list)
    contact: ContactRecord | None = None
    signals: list[Any] = field(default_factory=list)
    collection_pauses: list[Any] = field(default_factory=list)


#: A case as the choke point reads it: an ORM entity, or a list's plain record.
CaseLike = Case | CaseRecord

#: The case columns a record holds, in the order of its fields.
_TABLE = Case.__table__
_COLUMNS = tuple(_TABLE.c[name] for name in CaseRecord.__dataclass_fields__ if name in _TABLE.c)


def page_statement(page: Subquery) -> Select[Any]:
    """The case columns of the cases in ``page`` (a subquery of ``id`` and ``relation``), and
    each one's relation, in registration order."""
    return (
        select(*_COLUMNS, page.c.relation)
        .join_from(_TABLE, page, page.c.id == _TABLE.c.id)
        .order_by(_TABLE.c.registered_at, _TABLE.c.id)
    )


def cases(rows: Sequence[Row[Any]]) -> list[tuple[CaseRecord, str]]:
    """Each row of ``page_statement`` as a record, with its relation; related rows not yet
    loaded (``load_related``)."""
    width = len(_COLUMNS)
    return [(CaseRecord(*row[:width]), row[width]) for row in rows]


def load_related(
    session: Session,
    listed: Sequence[CaseRecord],
    *,
    involvements: bool,
    contact: bool,
    signals: bool,
    pauses: bool,
) -> None:
    """Load the related rows of ``listed`` that their release reads, in one query per kind
    and page: the current involvements, the contact details, the signals, the collection
    pauses."""
    by_id = {record.id: record for record in listed}
    ids = list(by_id)
    if not ids:
        return
    if involvements:
        # Released involvements are read by no case field: only the current ones are loaded.
        table = Involvement.__table__
        current = table.c.released_at.is_(None)
        for case_id, rows_of in _related(session, table, ids, (table.c.since, table.c.id), current):
            by_id[case_id].involvements = rows_of
    if signals:
        table = CaseSignal.__table__
        order = (table.c.signalled_on, table.c.recorded_at, table.c.id)
        for case_id, rows_of in _related(session, table, ids, order):
            by_id[case_id].signals = rows_of
    if pauses:
        table = CollectionPause.__table__
        for case_id, rows_of in _related(session, table, ids, (table.c.paused_from, table.c.id)):
            by_id[case_id].collection_pauses = rows_of
    if contact:
        _contacts(session, by_id)


def _related(
    session: Session, table: Any, ids: list[uuid.UUID], order: Iterable[Any], *where: Any
) -> Iterable[tuple[uuid.UUID, list[Row[Any]]]]:
    """The rows of ``table`` of these cases, grouped by case, each case's in ``order`` (the
    order of its ORM relationship). Without their own ids, which no case field reads (a
    page's rows cost their conversion)."""
    columns = [c for c in table.c if c.name != "id"]
    grouped: dict[uuid.UUID, list[Row[Any]]] = defaultdict(list)
    for start in range(0, len(ids), _CHUNK):
        stmt = (
            select(*columns)
            .where(table.c.case_id.in_(ids[start : start + _CHUNK]), *where)
            .order_by(*order)
        )
        for row in session.execute(stmt):
            grouped[row.case_id].append(row)
    return grouped.items()


def _contacts(session: Session, by_id: dict[uuid.UUID, CaseRecord]) -> None:
    # The sealed attributes of the ORM class: each opens its stored column as the ORM would.
    sealed: tuple[SealedText[Any], ...] = (
        CaseContact.name,
        CaseContact.address,
        CaseContact.postal_code,
        CaseContact.phone,
        CaseContact.email,
    )
    columns = [CaseContact.case_id, *(getattr(CaseContact, a.stored) for a in sealed)]
    ids = list(by_id)
    for start in range(0, len(ids), _CHUNK):
        stmt = select(*columns).where(CaseContact.case_id.in_(ids[start : start + _CHUNK]))
        for case_id, *values in session.execute(stmt):
            record = by_id[case_id]
            cipher = case_cipher(session, case_id, record.data_key)
            opened = [a.open_with(cipher, value) for a, value in zip(sealed, values, strict=True)]
            record.contact = ContactRecord(*opened)
