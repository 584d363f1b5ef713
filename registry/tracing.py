"""W3C Trace Context: honour a partner's ``traceparent`` so its logs and ours line up."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$")


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
