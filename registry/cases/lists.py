"""Case lists: a page of the cases a partner relates to, filtered and in registration order, at a
cost that does not grow with the number of cases in the registry.

A partner relates to a case as its owner, as its municipality, or as an involved partner, the
strongest first. Each relation is read by its own index in registration order
(``(owner_id, registered_at, id)``, ``(municipality_code, registered_at, id)``, and the
partner's involvements), as one branch of a ``UNION ALL`` whose branches each stop after a
page; the keyset position is a row-value comparison those indexes bound.

A filter only matches cases whose filtered fields the caller may read, so filtering can never
reveal a withheld value. For the owner and municipality branches that is decided in SQL, from
the policies: a municipality's or owner's decisions differ only where a policy row names it
(``PolicyEngine.named``), so a handful of decisions per request say which municipalities and
owners' cases may match. A branch whose cases may not match at all is not queried, so a filter
on a field the caller may not read costs nothing, however many cases there are. Involved cases
are checked case by case as they come (a partner's own involvements bound that), and every
case is checked again before it is released: the SQL only narrows, the disclosure decides.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import (
    ColumnElement,
    and_,
    exists,
    func,
    literal,
    literal_column,
    select,
    true,
    tuple_,
)
from sqlalchemy.orm import InstrumentedAttribute, Session
from sqlalchemy.sql import Select

from policies import UNNAMED, Relation
from registry.cases import cursors, records
from registry.cases.fields import (
    CONTACT_FIELDS,
    INVOLVEMENT_FIELDS,
    PAUSE_FIELD,
    SIGNAL_FIELD,
)
from registry.cases.records import CaseRecord
from registry.cases.views import CaseView
from registry.errors import InvalidInputError
from registry.models import Case, Involvement, Municipality, Phase

if TYPE_CHECKING:
    from registry.access.disclosure import Disclosure
    from registry.request import RequestScope

MAX_PAGE = 500


@dataclass(frozen=True)
class CaseFilter:
    """List filters. A filter only matches cases whose filtered field the caller may read,
    so filtering can never reveal a withheld value."""

    municipality: str | None = None
    phase: Phase | None = None
    owner: str | None = None
    eviction_from: dt.date | None = None
    eviction_to: dt.date | None = None

    def fields_used(self) -> frozenset[str]:
        """The policy fields this filter looks at."""
        used = {
            "municipality": self.municipality,
            "phase": self.phase,
            "owner": self.owner,
            "evictionDate": self.eviction_from or self.eviction_to,
        }
        return frozenset(name for name, value in used.items() if value is not None)

    def apply(self, stmt: Select) -> Select:  # type: ignore[type-arg]
        """Add the filter's conditions to ``stmt``."""
        if self.eviction_from and self.eviction_to and self.eviction_from > self.eviction_to:
            raise InvalidInputError("evictionFrom is after evictionTo")
        if self.municipality is not None:
            stmt = stmt.where(Case.municipality_code == self.municipality)
        if self.phase is not None:
            stmt = stmt.where(Case.phase == self.phase)
        if self.owner is not None:
            stmt = stmt.where(Case.owner_id == self.owner)
        if self.eviction_from is not None:
            stmt = stmt.where(Case.eviction_date >= self.eviction_from)
        if self.eviction_to is not None:
            stmt = stmt.where(Case.eviction_date <= self.eviction_to)
        return stmt


@dataclass(frozen=True)
class CasePage:
    """One page of a case list, in registration order."""

    cases: list[CaseView]
    end_cursor: str | None
    has_next_page: bool


def _may_match(
    disclosure: Disclosure,
    relation: Relation,
    filtered: frozenset[str],
    column: InstrumentedAttribute[str],
    named: frozenset[str],
    decide: dict[str, tuple[str, str]],
) -> ColumnElement[bool] | None:
    """Which values of ``column`` (municipality or owner) leave ``filtered`` readable under
    ``relation``: decided for the named ones and for all others at once (``UNNAMED``).
    ``decide`` maps a value to the (municipality, owner) to decide it with. None: no value
    does, so no case of this relation can match."""

    def readable(value: str) -> bool:
        return filtered <= disclosure.readable(relation, *decide[value])

    refused = sorted(value for value in named if not readable(value))
    if readable(UNNAMED):
        return column.not_in(refused) if refused else true()
    allowed = sorted(named - set(refused))
    return column.in_(allowed) if allowed else None


def _involved_in(session: Session, partner_id: str, page: int) -> ColumnElement[bool]:
    """The cases ``partner_id`` is involved in, as a condition shaped for the database.

    PostgreSQL plans ``id IN (its involvements)`` as a semi-join that the keyset bounds
    (checked by ``tests/registry/cases/test_lists.py``). SQLite instead looks every involved
    case up and sorts them all, each page: 23 ms a page for a partner in 10,000 cases. For
    such a partner a correlated ``EXISTS``, read in the registration index's order and stopped
    after a page, takes 1 ms; but for a partner in few cases it scans the whole table (11 ms
    for one in 258 of 10,000, where ``IN`` takes 0.6 ms). So on SQLite the partner's number of
    involvements decides: ``EXISTS`` probes about ``page × cases ÷ involvements`` rows before a
    page is full, ``IN`` reads ``involvements`` rows, and the cheaper is taken.
    """
    mine = and_(Involvement.partner_id == partner_id, Involvement.released_at.is_(None))
    if session.get_bind().dialect.name == "sqlite":
        involvements = session.scalar(select(func.count()).select_from(Involvement).where(mine))
        # SQLite keeps its largest rowid at hand: the number of cases, less none deleted.
        cases = session.scalar(select(func.max(literal_column("rowid"))).select_from(Case)) or 0
        if involvements and page * cases < involvements * involvements:
            return exists().where(Involvement.case_id == Case.id, mine)
    return Case.id.in_(select(Involvement.case_id).where(mine))


def _branches(
    scope: RequestScope, case_filter: CaseFilter, authority_for: list[str], page: int
) -> list[tuple[Relation, ColumnElement[bool]]]:
    """Each relation's cases, as a condition, leaving out the relations whose cases cannot
    match the filter; ``page``: how many rows a page reads."""
    me = scope.principal.partner_id
    filtered = case_filter.fields_used()
    named_municipalities, named_owners = scope.disclosure.engine.named()
    branches: list[tuple[Relation, ColumnElement[bool]]] = []
    owned = (
        _may_match(
            scope.disclosure,
            Relation.OWNER,
            filtered,
            Case.municipality_code,
            named_municipalities,
            {m: (m, me) for m in (*named_municipalities, UNNAMED)},
        )
        if filtered
        else true()
    )
    if owned is not None:
        branches.append((Relation.OWNER, and_(Case.owner_id == me, owned)))
    for municipality in authority_for:
        theirs = (
            _may_match(
                scope.disclosure,
                Relation.MUNICIPALITY,
                filtered,
                Case.owner_id,
                named_owners,
                {o: (municipality, o) for o in (*named_owners, UNNAMED)},
            )
            if filtered
            else true()
        )
        if theirs is not None:
            # The strongest relation wins: the municipality's own cases as owner are above.
            where = and_(Case.municipality_code == municipality, Case.owner_id != me, theirs)
            branches.append((Relation.MUNICIPALITY, where))
    involved = _involved_in(scope.session, me, page)
    where = and_(involved, Case.owner_id != me, Case.municipality_code.not_in(authority_for))
    branches.append((Relation.INVOLVED, where))
    return branches


def _page_statement(
    branches: list[tuple[Relation, ColumnElement[bool]]],
    case_filter: CaseFilter,
    position: tuple[dt.datetime, object] | None,
    limit: int,
) -> Select:  # type: ignore[type-arg]
    # Each branch stops after a page, read in index order; the union is ordered once more.
    parts = []
    for relation, where in branches:
        part = (
            case_filter.apply(
                select(Case.id, Case.registered_at, literal(str(relation)).label("relation"))
            )
            .where(where)
            .where(Case.erased_at.is_(None))  # an erased household is in no list
        )
        if position is not None:
            part = part.where(tuple_(Case.registered_at, Case.id) > tuple_(*position))
        parts.append(select(part.order_by(Case.registered_at, Case.id).limit(limit).subquery()))
    union = parts[0].union_all(*parts[1:]).subquery() if len(parts) > 1 else parts[0].subquery()
    page = (
        select(union.c.id, union.c.relation)
        .order_by(union.c.registered_at, union.c.id)
        .limit(limit)
        .subquery()
    )
    # Plain rows, not entities: a list changes nothing (``registry.cases.records``).
    return records.page_statement(page)


def list_cases(
    scope: RequestScope, case_filter: CaseFilter, *, first: int, after: str | None
) -> CasePage:
    """A page of the cases the caller relates to (what it selected of them), filtered in SQL,
    keyset-paginated."""
    if not 1 <= first <= MAX_PAGE:
        raise InvalidInputError(f"first must be between 1 and {MAX_PAGE}")
    session, disclosure, requested = scope.session, scope.disclosure, scope.selection
    me = scope.principal.partner_id
    case_filter.apply(select(Case))  # refuse a bad filter before anything is read
    authority_for = list(
        session.scalars(
            select(Municipality.code)
            .where(Municipality.authority_id == me)
            .order_by(Municipality.code)
        )
    )
    branches = _branches(scope, case_filter, authority_for, first + 1)
    filtered = case_filter.fields_used()
    position = cursors.decode(after) if after else None
    chosen: list[tuple[CaseRecord, Relation]] = []
    has_next = False
    while branches:
        stmt = _page_statement(branches, case_filter, position, first + 1)
        rows = session.execute(stmt).all()
        batch = records.cases(rows)
        disclosure.expect([case.id for case, rel in batch if rel == Relation.INVOLVED])
        for case, rel in batch:
            relation = Relation(rel)
            position = (case.registered_at, case.id)
            if not filtered <= disclosure.readable_of(case, relation):
                continue  # it matched on a field the caller may not read: not a match
            if len(chosen) == first:
                has_next = True
                break
            chosen.append((case, relation))
        if has_next or len(rows) <= first:
            break
    # Related rows only of the cases released, and only when the caller asked for fields
    # that live there: one query per kind and page, never one per case.
    records.load_related(
        session,
        [case for case, _ in chosen],
        involvements=requested is None or bool(requested & INVOLVEMENT_FIELDS),
        contact=requested is None or bool(requested & CONTACT_FIELDS),
        signals=requested is None or SIGNAL_FIELD in requested,
        pauses=requested is None or PAUSE_FIELD in requested,
    )
    views = [disclosure.case_view(case, relation, requested) for case, relation in chosen]
    last = chosen[-1][0] if chosen else None
    end_cursor = cursors.encode(last.registered_at, last.id) if last else None
    return CasePage(views, end_cursor, has_next)
