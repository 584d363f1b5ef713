"""The eviction monitor as CSV for one partner (``GET /monitor.csv``): of the caller's own
municipalities' cases, or, for a corporation, of its own cases only, with small cells
suppressed as in the GraphQL monitor (``figures.suppressed``).

The operator's command line (``ketenregister monitor``) covers every municipality; a partner
fetching the CSV over HTTP gets no more than its own part. Which part is decided by the
permissions (``policies``), not by the caller's kind here. Every export is access-logged
(``MonitorExportRecord``): aggregate figures name no case, so not in the per-case access log.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from sqlalchemy.orm import Session

from policies import Permission, Relation, permits
from registry.access.principal import Principal
from registry.errors import InvalidInputError, NotAllowedError
from registry.models import MonitorExportRecord
from registry.monitor import figures
from registry.monitor.figures import MonitorBy

OPERATION = "GET /monitor.csv"


@dataclass(frozen=True)
class ExportRequest:
    """What a partner asks for: the view and the years (the last defaults to the first)."""

    by: MonitorBy
    from_year: int
    to_year: int


def parse(by: str | None, from_year: str | None, to_year: str | None) -> ExportRequest:
    """The request from the route's query parameters; ``InvalidInputError`` naming the one
    that is wrong."""
    view = by or str(MonitorBy.CORPORATION)
    if view not in {str(b) for b in MonitorBy}:
        raise InvalidInputError(
            f"by must be one of {', '.join(str(b) for b in MonitorBy)}, not {view!r}"
        )
    if from_year is None:
        raise InvalidInputError("fromYear is required (a year, such as 2021)")
    first = _year("fromYear", from_year)
    last = first if to_year is None else _year("toYear", to_year)
    return ExportRequest(MonitorBy(view), first, last)


def _year(name: str, text: str) -> int:
    if not text.isdigit() or len(text) != 4:
        raise InvalidInputError(f"{name} must be a year of four digits, not {text[:20]!r}")
    return int(text)


def _scope(principal: Principal) -> dict[str, list[str]]:
    """The cases the caller's export counts: its municipalities' or its own."""
    kind = principal.kind
    if permits(kind, Relation.NONE, Permission.MONITOR_EXPORT_MUNICIPALITY):
        return {"municipalities": sorted(principal.municipalities)}
    if permits(kind, Relation.NONE, Permission.MONITOR_EXPORT_OWN_CASES):
        return {"owners": [principal.partner_id]}
    raise NotAllowedError(
        f"{principal.partner_id} does not export the eviction monitor: a municipality exports "
        "its own, a corporation that of its own cases"
    )


def export_csv(
    session: Session, principal: Principal, request: ExportRequest, now: dt.datetime
) -> str:
    """The CSV of the caller's part of the monitor, access-logged in the caller's
    transaction."""
    scope = _scope(principal)
    municipalities = scope.get("municipalities")
    owners = scope.get("owners")
    cells = figures.counts(
        session,
        request.by,
        request.from_year,
        request.to_year,
        frozenset(municipalities) if municipalities is not None else None,
        frozenset(owners) if owners is not None else None,
    )
    rows = figures.suppressed(cells)
    session.add(
        MonitorExportRecord(
            id=uuid.uuid4(),
            trace_id=principal.trace.trace_id,
            span_id=principal.trace.span_id,
            partner_id=principal.partner_id,
            actor=principal.actor,
            purpose=principal.purpose,
            operation=OPERATION,
            view=str(request.by),
            from_year=request.from_year,
            to_year=request.to_year,
            scope=scope,
            rows=len(rows),
            suppressed_cells=sum(len(r.suppressed) for r in rows),
            occurred_at=now,
        )
    )
    session.flush()
    return figures.to_csv(rows, request.by)
