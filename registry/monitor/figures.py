"""The eviction monitor: counts per year and per corporation or municipality, in the shape of
the report's Appendix 3 and the Aedes figures, without exposing individuals.

Each view is one grouped SQL query (``counts``): a UNION ALL of one branch per measure, each
yielding (year, corporation or municipality, measure, the case or agreement counted) once,
each grouped and counted where it is read, in the database. No case is
read into Python. A measure's year is the year of its own date: the early signal, the
request, the judgment, the eviction day, the closure, the agreement's activation or end.
Scheduled and called-off evictions are counted from the outbox's ``eviction.scheduled`` and
``eviction.called_off`` events (a call-off clears the case's date, so the case row alone
cannot tell), and an eviction carried out counts as scheduled in its year too.

Counts from 1 to ``MIN_CELL - 1`` are suppressed (None, and named in ``suppressed``): a small
cell can single out a household.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Integer,
    Select,
    cast,
    extract,
    func,
    literal,
    select,
    union,
    union_all,
)
from sqlalchemy.orm import Session

from policies import Permission, Relation
from registry.errors import InvalidInputError, NotAllowedError
from registry.events import WebhookEventType
from registry.models import (
    AgreementStatus,
    Case,
    ClosureOutcome,
    EvictionOutcome,
    OutboxEvent,
    SecondChanceAgreement,
)

if TYPE_CHECKING:
    from registry.request import RequestScope

#: Counts below this (and above nought) are suppressed.
MIN_CELL = 5
MAX_YEARS = 25

#: The measures, in the order a row and the CSV list them.
MEASURES = (
    "signals",
    "judgments_requested",
    "judgments_granted",
    "evictions_scheduled",
    "evictions_called_off",
    "evictions_executed",
    "households_gone",
    "prevented",
    "agreements_made",
    "agreements_completed",
    "agreements_breached",
    "agreements_ended_otherwise",
)
PREVENTED = tuple(o for o in ClosureOutcome if o.value.startswith("prevented_"))


class MonitorBy(StrEnum):
    """What a row of the monitor is about besides its year."""

    CORPORATION = "corporation"
    MUNICIPALITY = "municipality"


@dataclass(frozen=True)
class MonitorRow:
    """One year of one corporation or municipality: each measure's count, None where
    suppressed (``suppressed`` names those measures)."""

    year: int
    key: str
    counts: dict[str, int | None]
    suppressed: list[str]


def _year(column: Any) -> Any:
    return cast(extract("year", column), Integer)


def _branches(
    by: MonitorBy,
    years: tuple[int, int],
    municipalities: frozenset[str] | None,
    owners: frozenset[str] | None = None,
) -> list[Select[Any]]:
    key = Case.owner_id if by is MonitorBy.CORPORATION else Case.municipality_code
    within: tuple[Any, ...] = ()
    if municipalities is not None:
        within += (Case.municipality_code.in_(sorted(municipalities)),)
    if owners is not None:
        within += (Case.owner_id.in_(sorted(owners)),)

    def _branch(measure: str, key: Any, year_of: Any, item: Any, *where: Any) -> Select[Any]:
        year = _year(year_of)
        return select(
            year.label("year"),
            key.label("key"),
            literal(measure).label("measure"),
            item.label("item"),
        ).where(year_of.is_not(None), year.between(*years), *where)

    case_id = Case.id
    on_day = Case.eviction_outcome.in_([EvictionOutcome.EXECUTED, EvictionOutcome.HOUSEHOLD_GONE])

    def of_case(measure: str, year_of: Any, *where: Any) -> Select[Any]:
        return _branch(measure, key, year_of, case_id, *where, *within)

    def of_outbox(measure: str, event: WebhookEventType) -> Select[Any]:
        return _branch(
            measure, key, OutboxEvent.occurred_at, case_id, OutboxEvent.type == event, *within
        ).join_from(OutboxEvent, Case, Case.id == OutboxEvent.case_id)

    def of_agreement(measure: str, year_of: Any, *where: Any) -> Select[Any]:
        return _branch(measure, key, year_of, SecondChanceAgreement.id, *where, *within).join_from(
            SecondChanceAgreement, Case, Case.id == SecondChanceAgreement.case_id
        )

    def once(*branches: Select[Any]) -> Select[Any]:
        # An event may repeat for one case (a new date is a new ``eviction.scheduled``), and
        # an eviction carried out counts as scheduled from its row too: counted once a year.
        distinct = union(*branches).subquery()
        return select(distinct.c.year, distinct.c.key, distinct.c.measure, distinct.c.item)

    a = SecondChanceAgreement
    return [
        of_case("signals", Case.early_signalled_on),
        of_case("judgments_requested", Case.judgment_requested_on),
        of_case("judgments_granted", Case.judgment_granted_on),
        once(
            of_outbox("evictions_scheduled", WebhookEventType.EVICTION_SCHEDULED),
            of_case("evictions_scheduled", Case.eviction_date, on_day),
        ),
        once(of_outbox("evictions_called_off", WebhookEventType.EVICTION_CALLED_OFF)),
        of_case(
            "evictions_executed",
            Case.eviction_date,
            Case.eviction_outcome == EvictionOutcome.EXECUTED,
        ),
        of_case(
            "households_gone",
            Case.eviction_date,
            Case.eviction_outcome == EvictionOutcome.HOUSEHOLD_GONE,
        ),
        of_case("prevented", Case.closed_on, Case.closure_outcome.in_(PREVENTED)),
        of_agreement("agreements_made", a.activated_at),
        of_agreement("agreements_completed", a.closed_at, a.status == AgreementStatus.COMPLETED),
        of_agreement("agreements_breached", a.closed_at, a.status == AgreementStatus.BREACHED),
        of_agreement(
            "agreements_ended_otherwise", a.closed_at, a.status == AgreementStatus.ENDED_OTHERWISE
        ),
    ]


def _counted(branch: Select[Any]) -> Select[Any]:
    # Each measure is aggregated where it is read (a parallel partial aggregate into a handful
    # of groups), so only the cells travel up, not a row per case and measure.
    items = branch.subquery()
    return select(items.c.year, items.c.key, items.c.measure, func.count().label("n")).group_by(
        items.c.year, items.c.key, items.c.measure
    )


def counting_query(
    by: MonitorBy,
    from_year: int,
    to_year: int,
    municipalities: frozenset[str] | None,
    owners: frozenset[str] | None = None,
) -> Select[Any]:
    """The one query of a view: (year, key, measure, count) for every non-empty cell, each
    measure grouped and counted in the database; of the cases of ``municipalities`` and
    ``owners`` (None: any)."""
    branches = _branches(by, (from_year, to_year), municipalities, owners)
    cells = union_all(*(_counted(b) for b in branches)).subquery("cells")
    return select(cells.c.year, cells.c.key, cells.c.measure, cells.c.n).order_by(
        cells.c.year, cells.c.key, cells.c.measure
    )


def counts(
    session: Session,
    by: MonitorBy,
    from_year: int,
    to_year: int,
    municipalities: frozenset[str] | None = None,
    owners: frozenset[str] | None = None,
) -> dict[tuple[int, str], dict[str, int]]:
    """The raw counts of a view, per (year, key): what ``rows`` suppresses. Not for partners.
    Only cases of ``municipalities`` and of ``owners`` count (None: any)."""
    if from_year > to_year or to_year - from_year >= MAX_YEARS:
        raise InvalidInputError(f"give from 1 to {MAX_YEARS} years, the first not after the last")
    cells: dict[tuple[int, str], dict[str, int]] = {}
    query = counting_query(by, from_year, to_year, municipalities, owners)
    for year, key, measure, n in session.execute(query):
        cells.setdefault((int(year), key), dict.fromkeys(MEASURES, 0))[measure] = int(n)
    return cells


def suppressed(cells: dict[tuple[int, str], dict[str, int]]) -> list[MonitorRow]:
    """The rows as they may be shown: counts from 1 to ``MIN_CELL - 1`` withheld."""
    rows = []
    for (year, key), tally in sorted(cells.items()):
        hidden = [m for m in MEASURES if 0 < tally[m] < MIN_CELL]
        shown = {m: (None if m in hidden else tally[m]) for m in MEASURES}
        rows.append(MonitorRow(year, key, shown, hidden))
    return rows


def monitor(
    scope: RequestScope,
    by: MonitorBy,
    from_year: int,
    to_year: int,
    municipalities: Sequence[str] | None = None,
) -> list[MonitorRow]:
    """The monitor for a partner that reads it, over the municipalities it works in (all of
    them, or those it names): a municipality it does not work in is refused."""
    principal = scope.principal
    scope.require(
        Permission.MONITOR_READ,
        Relation.NONE,
        "read the eviction monitor",
        refusal=f"{principal.partner_id} does not read the eviction monitor",
    )
    wanted = frozenset(municipalities) if municipalities else principal.municipalities
    elsewhere = sorted(wanted - principal.municipalities)
    if elsewhere:
        raise NotAllowedError(f"{principal.partner_id} does not work in {elsewhere[0]!r}")
    return suppressed(counts(scope.session, by, from_year, to_year, wanted))


def to_csv(rows: Iterable[MonitorRow], by: MonitorBy) -> str:
    """The rows as CSV: year, corporation or municipality, then every measure (empty where
    suppressed)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["year", str(by), *MEASURES])
    for row in rows:
        writer.writerow(
            [row.year, row.key, *("" if row.counts[m] is None else row.counts[m] for m in MEASURES)]
        )
    return out.getvalue()
