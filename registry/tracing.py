"""W3C Trace Context: honour a partner's ``traceparent`` so its logs and ours line up, and
carry the trace on to what a request causes later (its webhooks).

With OpenTelemetry installed (the optional ``otel`` extra) and a tracer provider configured,
by ``configure_from_environment`` (the standard ``OTEL_EXPORTER_OTLP_*`` settings) or by the
operator's own ``opentelemetry-instrument``, each request and each webhook attempt is a
recorded span, and the ids the registry logs and answers are that span's. Without it the
registry makes the ids itself: the access log and the ``traceparent`` it answers are the same.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Literal

try:  # optional: the registry runs without OpenTelemetry
    from opentelemetry import trace as otel
except ImportError:  # pragma: no cover - exercised only where the extra is not installed
    otel = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")
_current: ContextVar[TraceContext | None] = ContextVar("ketenregister_trace", default=None)


@dataclass(frozen=True)
class TraceContext:
    """The trace a request belongs to and this request's own span in it."""

    trace_id: str
    span_id: str
    parent_span_id: str | None = None

    @property
    def traceparent(self) -> str:
        """The ``traceparent`` to pass on downstream (our span as the parent)."""
        return f"00-{self.trace_id}-{self.span_id}-01"


def trace_from_header(header: str | None) -> TraceContext:
    """Continue the caller's trace if its header is valid; start a new trace otherwise."""
    span_id = secrets.token_hex(8)
    if header:
        match = _TRACEPARENT.match(header.strip().lower())
        # All-zero ids are invalid by the spec; such a header is ignored, not an error.
        if match and set(match[1]) != {"0"} and set(match[2]) != {"0"}:
            return TraceContext(match[1], span_id, match[2])
    return TraceContext(secrets.token_hex(16), span_id)


@contextmanager
def span(
    name: str, traceparent: str | None, *, kind: Literal["server", "client"] = "server"
) -> Iterator[TraceContext]:
    """A span named ``name`` under the span ``traceparent`` names (a new trace if none or
    invalid), for the duration of the block: recorded by OpenTelemetry when it is configured.
    The block gets the span's ids: what to log and to pass on."""
    own = trace_from_header(traceparent)
    if otel is None:
        yield own
        return
    parent = None
    if own.parent_span_id is not None:
        remote = otel.SpanContext(
            int(own.trace_id, 16),
            int(own.parent_span_id, 16),
            is_remote=True,
            trace_flags=otel.TraceFlags(otel.TraceFlags.SAMPLED),
        )
        parent = otel.set_span_in_context(otel.NonRecordingSpan(remote))
    span_kind = otel.SpanKind.SERVER if kind == "server" else otel.SpanKind.CLIENT
    tracer = otel.get_tracer("ketenregister")
    with tracer.start_as_current_span(name, context=parent, kind=span_kind) as recorded:
        if not recorded.is_recording():  # no provider configured: our own ids
            yield own
            return
        ids = recorded.get_span_context()
        yield TraceContext(f"{ids.trace_id:032x}", f"{ids.span_id:016x}", own.parent_span_id)


def annotate(**attributes: str | int) -> None:
    """Set attributes on the current span, if one is being recorded."""
    if otel is not None:
        current = otel.get_current_span()
        if current.is_recording():
            current.set_attributes(attributes)


@contextmanager
def within(trace: TraceContext) -> Iterator[None]:
    """Make ``trace`` the current request's for the block (``current``), in this thread."""
    token = _current.set(trace)
    try:
        yield
    finally:
        _current.reset(token)


def current() -> TraceContext | None:
    """The trace of the request this code runs for, if it runs for one."""
    return _current.get()


def configure_from_environment() -> bool:
    """Export spans over OTLP/HTTP when ``OTEL_EXPORTER_OTLP_ENDPOINT`` (or its traces
    variant) is set and the ``otel`` extra is installed; whether it did. The exporter reads
    the rest of its settings (headers, timeout) from the standard variables itself."""
    wanted = os.environ.get("OTEL_EXPORTER_OTLP_ENDPOINT") or os.environ.get(
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
    )
    if not wanted:
        return False
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
        from opentelemetry.sdk.resources import Resource
        from opentelemetry.sdk.trace import TracerProvider
        from opentelemetry.sdk.trace.export import BatchSpanProcessor
    except ImportError:
        log.warning("OTEL_EXPORTER_OTLP_ENDPOINT is set but the 'otel' extra is not installed")
        return False
    provider = TracerProvider(
        resource=Resource.create(
            {"service.name": os.environ.get("OTEL_SERVICE_NAME", "ketenregister")}
        )
    )
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))
    otel.set_tracer_provider(provider)
    return True
