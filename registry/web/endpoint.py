"""``POST /graphql`` over HTTP: the body read and checked, the ``Idempotency-Key`` parsed, the
partner's rate limit and a request slot taken, then the request executed in a worker thread,
its answer sent back as JSON and counted in the metrics. The GraphiQL page on ``GET``, when
enabled.

What a refusal looks like is the GraphQL layer's business: the composition root passes in
its error body (``error_body(code, message)``) and its masked message, so that every answer
has one shape.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from registry import tracing
from registry.db import is_transient
from registry.errors import RateLimitedError, RegistryError
from registry.tracing import TraceContext
from registry.web import idempotency, request_body
from registry.web.exchange import NO_OPERATION, Answer, GraphQLRequest
from registry.web.metrics import Metrics, answer_code, status_code
from registry.web.ratelimit import PartnerLimits
from registry.web.slots import BUSY, RETRY_AFTER, NoSlotError, RequestSlots, issuer_hint

log = logging.getLogger(__name__)


class GraphQLEndpoint:
    """``/graphql`` of one process: ``execute`` answers a request in a worker thread (it
    authenticates, runs and commits); the rest is what this endpoint does around it."""

    def __init__(
        self,
        execute: Callable[[GraphQLRequest], Answer],
        *,
        error_body: Callable[[str, str], dict[str, Any]],
        masked: str,
        limits: PartnerLimits,
        slots: RequestSlots,
        metrics: Metrics,
        max_body_bytes: int,
        ide_html: str | None,
    ) -> None:
        self.execute = execute
        self.error_body = error_body
        self.masked = masked
        self.limits = limits
        self.slots = slots
        self.metrics = metrics
        self.max_body_bytes = max_body_bytes
        #: The GraphiQL page served on GET (None: GET is refused).
        self.ide_html = ide_html

    def _refusal(self, status: int, code: str, message: str, headers: dict[str, str]) -> Response:
        return JSONResponse(self.error_body(code, message), status, headers)

    def unavailable(self, headers: dict[str, str]) -> Response:
        """503 with ``Retry-After``: the request did nothing; the same request may be sent
        again (with the same ``Idempotency-Key``, if it had one)."""
        return self._refusal(503, "UNAVAILABLE", BUSY, {**headers, "Retry-After": RETRY_AFTER})

    async def handle(self, request: Request) -> Response:
        """POST /graphql (and the GraphiQL page on GET, when enabled), counted and timed."""
        started = time.monotonic()
        response = await self._handle(request)
        if request.method == "POST":
            operation, code = getattr(request.state, "measured", (NO_OPERATION, None))
            code = code or status_code(response.status_code)
            self.metrics.answered(operation, code, time.monotonic() - started)
        return response

    async def _read(
        self, request: Request, trace: TraceContext, headers: dict[str, str]
    ) -> GraphQLRequest | Response:
        """The request to execute, or the refusal of a malformed one."""
        try:
            body = await request_body.read(request, self.max_body_bytes)
        except request_body.BadBodyError as exc:
            return self._refusal(exc.status, "BAD_REQUEST", exc.message, headers)
        key_header = request.headers.get("idempotency-key")
        try:
            key = None if key_header is None else idempotency.parse_key(key_header)
        except RegistryError as exc:
            return self._refusal(400, "BAD_REQUEST", exc.message, headers)
        return GraphQLRequest(
            request.headers.get("authorization"),
            body.query,
            body.variables,
            body.operation_name,
            trace,
            key,
        )

    async def _handle(self, request: Request) -> Response:
        if request.method == "GET":
            if self.ide_html is not None:
                return HTMLResponse(self.ide_html)
            return JSONResponse(self.error_body("BAD_REQUEST", "use POST"), status_code=405)
        with tracing.span("POST /graphql", request.headers.get("traceparent")) as trace:
            response = await self._answer(request, trace)
            tracing.annotate(**{"http.response.status_code": response.status_code})
            return response

    async def run(
        self, graphql_request: GraphQLRequest, headers: dict[str, str]
    ) -> Answer | Response:
        """Execute ``graphql_request`` within the partner's rate and a request slot: its
        answer, or the refusal to send instead (429, 503, or a masked 500). An export runs its
        own fixed document through here, so it is limited and answered as /graphql is."""
        partner = issuer_hint(graphql_request.authorization)
        try:
            self.limits.check(partner)
        except RateLimitedError as exc:
            headers["Retry-After"] = str(exc.retry_after)
            return self._refusal(429, exc.code, exc.message, headers)
        try:
            return await self.slots.run(partner, self.execute, graphql_request)
        except NoSlotError:
            log.warning("no request slot free within %ss", self.slots.deadline)
            return self.unavailable(headers)
        except Exception as exc:
            if is_transient(exc):
                log.warning("database unavailable: %s", type(exc).__name__)
                return self.unavailable(headers)
            log.exception("request failed")
            return self._refusal(500, "INTERNAL_ERROR", self.masked, headers)

    async def _answer(self, request: Request, trace: TraceContext) -> Response:
        headers = {"traceparent": trace.traceparent}
        read = await self._read(request, trace, headers)
        if isinstance(read, Response):
            return read
        answer = await self.run(read, headers)
        if isinstance(answer, Response):
            return answer
        request.state.measured = (answer.operation, answer_code(answer))
        tracing.annotate(**{"graphql.operation.name": answer.operation})
        if answer.replayed:
            headers["Idempotent-Replayed"] = "true"
        if answer.retry_after is not None:
            headers["Retry-After"] = str(answer.retry_after)
        return JSONResponse(answer.payload, answer.status, headers)
