"""GraphQL types of the eviction monitor."""

from __future__ import annotations

import strawberry

from registry.monitor.figures import MonitorBy

# strawberry.enum decorates the registry's enum itself and returns it (see types/inventory.py).
MonitorByType = strawberry.enum(MonitorBy, name="MonitorBy")


@strawberry.type(
    description=(
        "One year of one corporation or municipality. A count from 1 to 4 is null and named "
        "in `suppressed`: a small cell can single out a household."
    )
)
class MonitorRow:
    year: int
    key: str = strawberry.field(description="The corporation's or municipality's id.")
    signals: int | None = strawberry.field(description="Early signals (by their date).")
    judgments_requested: int | None
    judgments_granted: int | None
    evictions_scheduled: int | None
    evictions_called_off: int | None
    evictions_executed: int | None
    households_gone: int | None = strawberry.field(
        description="Found gone on the eviction day (noorderzon)."
    )
    prevented: int | None = strawberry.field(
        description="Cases closed without an eviction (payment arrangement, debt help, ...)."
    )
    agreements_made: int | None = strawberry.field(
        description="Second-chance agreements that came into force."
    )
    agreements_completed: int | None
    agreements_breached: int | None
    agreements_ended_otherwise: int | None
    suppressed: list[str]
