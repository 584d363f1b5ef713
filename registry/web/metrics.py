"""What operators watch, in Prometheus's text format at ``GET /metrics``: requests and their
latency per operation and answer code, token refusals by reason, request slots and the
connection pool in use, the webhook backlog and failed deliveries, the signed log's size.

Counts and sizes only: no partner-supplied text becomes a label (an operation is named by its
first root field, a name of the schema), and nothing of a case is in here.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Iterator
from typing import Any

from graphql import GraphQLError, GraphQLSchema
from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import Response

from registry.auditlog.sequencer import read_state
from registry.models import DeliveryStatus, WebhookDelivery
from registry.web.exchange import NO_OPERATION, Answer
from registry.web.slots import RequestSlots, busy_text, is_busy

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

# The code label of an answer that carries no GraphQL error to name it, by its HTTP status.
_CODE_OF_STATUS = {
    400: "BAD_REQUEST",
    401: "UNAUTHENTICATED",
    405: "BAD_REQUEST",
    413: "BAD_REQUEST",
    422: "CONFLICT",
    429: "RATE_LIMITED",
    500: "INTERNAL_ERROR",
    503: "UNAVAILABLE",
}

# Latency buckets around what a partner system notices: a read in ms, a page in 100s of ms.
_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class _StateCollector(Collector):
    """Gauges read when scraped: pool, backlog, failed deliveries, log size."""

    def __init__(self, sessions: sessionmaker[Session], slots_in_use: Callable[[], int]) -> None:
        self.sessions = sessions
        self.slots_in_use = slots_in_use

    def collect(self) -> Iterator[GaugeMetricFamily]:
        yield GaugeMetricFamily(
            "ketenregister_request_slots_in_use",
            "Requests running in this process now.",
            value=self.slots_in_use(),
        )
        pool = self.sessions.kw["bind"].pool
        checked_out = getattr(pool, "checkedout", None)
        if callable(checked_out):
            yield GaugeMetricFamily(
                "ketenregister_db_connections_in_use",
                "Database connections checked out of this process's pool.",
                value=checked_out(),
            )
        with self.sessions() as session:
            by_status = dict(
                session.execute(
                    select(WebhookDelivery.status, func.count())
                    .where(
                        WebhookDelivery.status.in_([DeliveryStatus.PENDING, DeliveryStatus.FAILED])
                    )
                    .group_by(WebhookDelivery.status)
                ).all()
            )
            size = read_state(session).size
        yield GaugeMetricFamily(
            "ketenregister_webhook_backlog",
            "Webhook deliveries waiting to be posted or retried.",
            value=by_status.get(DeliveryStatus.PENDING, 0),
        )
        yield GaugeMetricFamily(
            "ketenregister_webhook_failed",
            "Webhook deliveries given up after every retry.",
            value=by_status.get(DeliveryStatus.FAILED, 0),
        )
        yield GaugeMetricFamily(
            "ketenregister_audit_log_size", "Entries in the signed audit log.", value=size
        )


class Metrics:
    """One process's metrics, in a registry of its own (so several apps in one process, as in
    the tests, do not collide)."""

    def __init__(self, sessions: sessionmaker[Session], slots_in_use: Callable[[], int]) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "ketenregister_requests",
            "GraphQL requests answered, by first root field and answer code.",
            ["operation", "code"],
            registry=self.registry,
        )
        self.latency = Histogram(
            "ketenregister_request_seconds",
            "Time to answer a GraphQL request, waiting for a slot included.",
            ["operation"],
            buckets=_BUCKETS,
            registry=self.registry,
        )
        self.token_refusals = Counter(
            "ketenregister_token_refusals",
            "Partner tokens refused, by reason.",
            ["reason"],
            registry=self.registry,
        )
        self.registry.register(_StateCollector(sessions, slots_in_use))

    def answered(self, operation: str, code: str, seconds: float) -> None:
        """Count one answered request."""
        self.requests.labels(operation, code).inc()
        self.latency.labels(operation).observe(seconds)

    def exposition(self) -> bytes:
        """The text format, scraped now (the state gauges read the database: call it in a
        worker thread)."""
        return generate_latest(self.registry)


def root_fields(schema: GraphQLSchema) -> frozenset[str]:
    """The names of the schema's query and mutation fields: the only operation labels."""
    return frozenset(
        name
        for root in (schema.query_type, schema.mutation_type)
        if root is not None
        for name in root.fields
    )


def operation_of(
    known: frozenset[str], data: dict[str, Any] | None, errors: Iterable[GraphQLError] | None
) -> str:
    """The metrics' name of what a request asked: its first root field, by the data or else by
    the first error's path (none when it reached no resolver); ``known`` are the root fields."""
    paths = [e.path[0] for e in errors or () if e.path]
    first = next(iter(data or {}), None) or next(iter(paths), None)
    if first is None:
        return NO_OPERATION
    if str(first).startswith("__"):
        return "introspection"
    # An alias is the partner's own text and never becomes a label.
    return str(first) if first in known else "aliased"


def answer_code(answer: Answer) -> str | None:
    """The code label of an answer: its first error's ``extensions.code``, ``OK`` for a 200
    without errors, and None for any other status (``status_code`` names it)."""
    errors = answer.payload.get("errors")
    if errors:
        return str(errors[0].get("extensions", {}).get("code", "UNKNOWN"))
    return "OK" if answer.status == 200 else None


def status_code(status: int) -> str:
    """The code label of an HTTP status the GraphQL layer did not answer itself."""
    return _CODE_OF_STATUS.get(status, "OK")


def endpoint(metrics: Metrics, slots: RequestSlots) -> Callable[[Request], Awaitable[Response]]:
    """The ``GET /metrics`` endpoint of ``metrics``, scraped in one of ``slots``."""

    async def metrics_text(_request: Request) -> Response:
        """GET /metrics: Prometheus's text format (counts and sizes, nothing of a case; put
        it behind the deployment's own network rules like any operations endpoint)."""
        try:
            body = await slots.run("", metrics.exposition)
        except Exception as exc:
            if is_busy(exc):
                return busy_text()
            raise
        return Response(body, media_type=CONTENT_TYPE)

    return metrics_text
