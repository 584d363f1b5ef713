"""``GET /monitor.csv``: the eviction monitor as CSV for the partner the bearer token names,
of its own municipalities' cases (or, for a corporation, of its own cases), small cells
suppressed (``registry.monitor.export``).

Authenticated as ``/graphql`` is: the same signed partner token, spent once, the partner's rate
limit and a request slot; the export and its access-log record commit together with the spent
token. Query parameters: ``by`` (``corporation``, the default, or ``municipality``),
``fromYear`` and ``toYear`` (default: ``fromYear``). Refusals are JSON in the shape of GraphQL
errors (``error_body``), with the status an HTTP client expects.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from registry import tracing
from registry.access import auth
from registry.config import Settings
from registry.errors import AuthenticationError, RateLimitedError, RegistryError
from registry.monitor import export
from registry.tracing import TraceContext
from registry.web.ratelimit import PartnerLimits
from registry.web.slots import BUSY, RETRY_AFTER, RequestSlots, is_busy, issuer_hint

log = logging.getLogger(__name__)

#: The HTTP status of each expected refusal (anything else expected: 409).
_STATUS = {"INVALID_INPUT": 400, "NOT_ALLOWED": 403, "NOT_FOUND": 404}


class MonitorCsvEndpoint:
    """``GET /monitor.csv`` of one process."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        settings: Settings,
        keyring: auth.Keyring,
        limits: PartnerLimits,
        slots: RequestSlots,
        clock: Callable[[], dt.datetime],
        error_body: Callable[[str, str], dict[str, Any]],
        masked: str,
    ) -> None:
        self.sessions = sessions
        self.settings = settings
        self.keyring = keyring
        self.limits = limits
        self.slots = slots
        self.clock = clock
        self.error_body = error_body
        self.masked = masked

    def _refusal(self, status: int, code: str, message: str, headers: dict[str, str]) -> Response:
        return JSONResponse(self.error_body(code, message), status, headers)

    async def handle(self, request: Request) -> Response:
        """GET /monitor.csv: the caller's part of the monitor, or a refusal."""
        with tracing.span("GET /monitor.csv", request.headers.get("traceparent")) as trace:
            headers = {"traceparent": trace.traceparent}
            authorization = request.headers.get("authorization")
            partner = issuer_hint(authorization)
            try:
                self.limits.check(partner)
                return await self.slots.run(
                    partner, self._export, authorization, dict(request.query_params), trace
                )
            except RateLimitedError as exc:
                headers["Retry-After"] = str(exc.retry_after)
                return self._refusal(429, exc.code, exc.message, headers)
            except Exception as exc:
                if is_busy(exc):
                    headers["Retry-After"] = RETRY_AFTER
                    return self._refusal(503, "UNAVAILABLE", BUSY, headers)
                log.exception("monitor export failed")
                return self._refusal(500, "INTERNAL_ERROR", self.masked, headers)

    def _export(
        self, authorization: str | None, params: dict[str, str], trace: TraceContext
    ) -> Response:
        """Authenticate, export and commit (sync: runs in a worker thread)."""
        headers = {"traceparent": trace.traceparent}
        now = self.clock()
        with tracing.within(trace), self.sessions() as session:
            try:
                who = auth.authenticate(
                    session, authorization, self.settings, trace, now, self.keyring
                )
            except AuthenticationError as exc:
                return self._refusal(401, exc.code, exc.message, headers)
            try:
                self.limits.admit(who.principal.partner_id)
            except RateLimitedError as exc:
                headers["Retry-After"] = str(exc.retry_after)
                return self._refusal(429, exc.code, exc.message, headers)
            answer: Response
            try:
                wanted = export.parse(
                    params.get("by"), params.get("fromYear"), params.get("toYear")
                )
                text = export.export_csv(session, who.principal, wanted, now)
            except RegistryError as exc:
                session.rollback()  # nothing of a refused export stays but the spent token
                answer = self._refusal(_STATUS.get(exc.code, 409), exc.code, exc.message, headers)
            else:
                name = f"monitor-{wanted.by}-{wanted.from_year}-{wanted.to_year}.csv"
                answer = Response(
                    text,
                    media_type="text/csv; charset=utf-8",
                    headers={
                        **headers,
                        "Content-Disposition": f'attachment; filename="{name}"',
                        "Cache-Control": "no-store",
                    },
                )
            try:
                auth.spend(session, who.token)
            except AuthenticationError as exc:  # the same token carried another request
                session.rollback()
                return self._refusal(401, exc.code, exc.message, headers)
            session.commit()
            return answer
