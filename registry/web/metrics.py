"""What operators watch, in Prometheus's text format at ``GET /metrics``: requests and their
latency per operation and answer code, token refusals by reason, request slots and the
connection pool in use, the webhook backlog and failed deliveries, the signed log's size.

Counts and sizes only: no partner-supplied text becomes a label (an operation is named by its
first root field, a name of the schema), and nothing of a case is in here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from registry.auditlog.sequencer import read_state
from registry.models import DeliveryStatus, WebhookDelivery

#: The operation label of a request that reached no resolver (refused before, or invalid).
NO_OPERATION = "none"
CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"

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
