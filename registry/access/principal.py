"""Who is asking: the authenticated partner of one request."""

from __future__ import annotations

from dataclasses import dataclass

from registry.tracing import TraceContext

#: The purpose logged for what the registry does of itself (a thin webhook names none).
DEFAULT_PURPOSE = "eviction_prevention"


@dataclass(frozen=True)
class Principal:
    """An authenticated partner system, and the person acting through it if the token says."""

    partner_id: str
    kind: str
    municipalities: frozenset[str]
    actor: str | None
    #: The processing activity the request names (the token's ``purpose`` claim), or
    #: ``policies.NO_PURPOSE``: it decides what grants release, and is in every access-log
    #: record.
    purpose: str
    trace: TraceContext
