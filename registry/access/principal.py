"""Who is asking: the authenticated partner of one request."""

from __future__ import annotations

from dataclasses import dataclass

from registry.tracing import TraceContext

#: The purpose logged when a token names none (the registry's one processing activity).
DEFAULT_PURPOSE = "eviction_prevention"


@dataclass(frozen=True)
class Principal:
    """An authenticated partner system, and the person acting through it if the token says."""

    partner_id: str
    kind: str
    municipalities: frozenset[str]
    actor: str | None
    purpose: str
    trace: TraceContext
