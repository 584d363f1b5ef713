"""One exchange at ``POST /graphql``: the request as the HTTP layer read it, and the answer
the registry gives (a status and a JSON body), before either becomes HTTP again."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from registry.tracing import TraceContext

#: The operation label of a request that reached no resolver (refused before, or invalid).
NO_OPERATION = "none"


@dataclass(frozen=True)
class GraphQLRequest:
    """One POST /graphql, as the HTTP layer read it."""

    authorization: str | None
    query: str
    variables: dict[str, Any] | None
    operation_name: str | None
    trace: TraceContext
    idempotency_key: str | None = None


@dataclass(frozen=True)
class Answer:
    """What the registry answers: a status, a JSON body, and whether it is a stored one."""

    status: int
    payload: dict[str, Any]
    replayed: bool = False
    retry_after: int | None = None
    #: The first root field the request asked for (a name of the schema), for the metrics.
    operation: str = NO_OPERATION
