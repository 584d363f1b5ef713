"""A partner's trace runs from its request to the webhooks the request causes, and, with
OpenTelemetry configured, each request and webhook attempt is a recorded span whose ids are
the ones the registry answers and logs."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from registry.models import AccessLogRecord, Phase
from registry.notifications.delivery import DeliveryWorker
from tests.arrange import case_in
from tests.conftest import AppClient, Clock
from tests.receiver import Receiver

CALLER_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"
CALLER_SPAN = "00f067aa0ba902b7"
SUBSCRIBE = """mutation($url: String!) {
  subscribeWebhook(url: $url, eventTypes: ["eviction.scheduled"]) { secret } }"""
SCHEDULE = """mutation($id: ID!, $date: Date!) {
  scheduleEviction(id: $id, date: $date, bailiff: "flanderijn") { id } }"""


class _WhileTesting(SimpleSpanProcessor):
    """Exports only while a test here asks for spans: OpenTelemetry's tracer provider can be
    set only once per process, and the other tests' spans need not pile up in memory."""

    exporting = False

    def on_end(self, span: ReadableSpan) -> None:
        if self.exporting:
            super().on_end(span)


_EXPORTER = InMemorySpanExporter()
_PROCESSOR = _WhileTesting(_EXPORTER)


@pytest.fixture
def recorded() -> Iterator[InMemorySpanExporter]:
    """Spans recorded in memory, as an operator's OTLP exporter would receive them."""
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        provider = TracerProvider()
        provider.add_span_processor(_PROCESSOR)
        trace.set_tracer_provider(provider)
    _PROCESSOR.exporting = True
    yield _EXPORTER
    _PROCESSOR.exporting = False
    _EXPORTER.clear()


def _post(
    client: AppClient, token: str, query: str, variables: dict[str, str], traceparent: str
) -> str:
    """The traceparent the registry answers."""
    answer = client.post(
        "/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}", "traceparent": traceparent},
    )
    assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
    return answer.headers["traceparent"]


def _schedule_with_a_subscriber(
    client: AppClient,
    token_for: Callable[..., str],
    sessions: sessionmaker[Session],
    clock: Clock,
    receiver: Receiver,
) -> tuple[str, str]:
    """Partners in Welzijn subscribed, then ZOwonen schedules an eviction under the caller's
    trace; the case id and the traceparent the registry answered."""
    case_id = case_in(
        sessions,
        "zowonen",
        Phase.JUDGMENT_SERVED,
        clock.now.date(),
        involved=("partners-in-welzijn",),
    )
    welfare = "partners-in-welzijn"
    created = client.post(
        "/graphql",
        json={"query": SUBSCRIBE, "variables": {"url": receiver.url(welfare)}},
        headers={"Authorization": f"Bearer {token_for(welfare)}"},
    ).json()
    receiver.secrets[welfare] = created["data"]["subscribeWebhook"]["secret"]
    date = (clock.now.date() + dt.timedelta(days=21)).isoformat()
    answered = _post(
        client,
        token_for("zowonen"),
        SCHEDULE,
        {"id": case_id, "date": date},
        f"00-{CALLER_TRACE}-{CALLER_SPAN}-01",
    )
    return case_id, answered


def _deliver(sessions: sessionmaker[Session], clock: Clock) -> None:
    worker = DeliveryWorker(sessions, clock=clock, allow_private_targets=True)
    try:
        worker.run_once()
    finally:
        worker.stop()


def test_a_webhook_continues_the_trace_of_the_request_that_caused_it(
    client: AppClient,
    token_for: Callable[..., str],
    sessions: sessionmaker[Session],
    clock: Clock,
    receiver: Receiver,
) -> None:
    case_id, answered = _schedule_with_a_subscriber(client, token_for, sessions, clock, receiver)
    _deliver(sessions, clock)
    [told] = receiver.at("partners-in-welzijn")
    assert told.verified and told.traceparent is not None
    _, trace_id, parent, _ = told.traceparent.split("-")
    request_span = answered.split("-")[2]
    assert trace_id == CALLER_TRACE  # the partner's own trace, from request to notice
    assert parent not in (CALLER_SPAN, request_span)  # the attempt is a span of its own
    with sessions() as session:
        logged = session.scalars(
            select(AccessLogRecord.span_id).where(
                AccessLogRecord.case_id == uuid.UUID(case_id),
                AccessLogRecord.trace_id == CALLER_TRACE,
            )
        ).all()
    assert request_span in logged  # what the registry answered is what it logged


def test_with_opentelemetry_each_request_and_attempt_is_a_span_with_the_answered_ids(
    recorded: InMemorySpanExporter,
    client: AppClient,
    token_for: Callable[..., str],
    sessions: sessionmaker[Session],
    clock: Clock,
    receiver: Receiver,
) -> None:
    _, answered = _schedule_with_a_subscriber(client, token_for, sessions, clock, receiver)
    _deliver(sessions, clock)
    spans: list[ReadableSpan] = [
        s for s in recorded.get_finished_spans() if s.context.trace_id == int(CALLER_TRACE, 16)
    ]
    [request] = [s for s in spans if s.name == "POST /graphql"]
    [attempt] = [s for s in spans if s.name == "webhook eviction.scheduled"]
    assert request.parent is not None and request.parent.span_id == int(CALLER_SPAN, 16)
    assert f"{request.context.span_id:016x}" == answered.split("-")[2]
    assert request.attributes is not None
    assert request.attributes["graphql.operation.name"] == "scheduleEviction"
    assert request.attributes["http.response.status_code"] == 200
    assert attempt.kind == trace.SpanKind.CLIENT
    assert attempt.parent is not None and attempt.parent.span_id == request.context.span_id
    [told] = receiver.at("partners-in-welzijn")
    assert told.traceparent == f"00-{CALLER_TRACE}-{attempt.context.span_id:016x}-01"
