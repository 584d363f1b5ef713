"""Queries of the eviction monitor."""

from __future__ import annotations

import strawberry

from registry.monitor import figures
from registry.monitor.figures import MonitorBy
from schema.context import Info, scope_of
from schema.types.monitor import MonitorRow


@strawberry.type
class MonitorQuery:
    @strawberry.field(
        description=(
            "The eviction monitor per year and per corporation or municipality, over the "
            "municipalities you work in (or those of them you name; another: NOT_ALLOWED). "
            "Municipalities, corporations and Bureau Woonkans read it."
        )
    )
    def eviction_monitor(
        self,
        info: Info,
        by: MonitorBy,
        from_year: int,
        to_year: int,
        municipalities: list[str] | None = None,
    ) -> list[MonitorRow]:
        rows = figures.monitor(scope_of(info), by, from_year, to_year, municipalities)
        return [
            MonitorRow(year=r.year, key=r.key, suppressed=r.suppressed, **r.counts) for r in rows
        ]
