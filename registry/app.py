"""The composition root: the ASGI application that serves the registry over HTTP.

Request flow (DESIGN.md): HTTP → body and batching limits → authentication → GraphQL
execution in one database session → access-log records → commit → response. The commit
happens before the response is sent, so an acknowledged write is durable.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from strawberry.http.ides import get_graphql_ide_html

from registry import accesslog
from registry.auditlog import checkpoints
from registry.auditlog.signer import LogSigner
from registry.auth import authenticate
from registry.coltypes import utcnow
from registry.config import Settings
from registry.db import make_engine, make_session_factory
from registry.disclosure import Disclosure
from registry.errors import AuthenticationError, RegistryError
from registry.notifications.delivery import DeliveryWorker
from registry.policystore import PolicyCache
from registry.request import RequestScope
from registry.tracing import TraceContext, trace_from_header
from schema.build import build_schema
from schema.errors import MASKED, error_response, format_error

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]


class _BodyTooLargeError(Exception):
    pass


class Registry:
    """One registry deployment: settings, database, policy cache and schema."""

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Clock = utcnow,
        session_factory: sessionmaker[Session] | None = None,
        delivery_worker: bool = False,
    ) -> None:
        self.settings = settings
        self.clock = clock
        if session_factory is None:
            session_factory = make_session_factory(make_engine(settings.database_url))
        self.sessions = session_factory
        self.policies = PolicyCache()
        #: The webhook delivery worker this process runs while it serves (``serve``, ``demo``).
        self.worker = (
            DeliveryWorker(
                session_factory,
                clock=clock,
                policies=self.policies,
                allow_private_targets=settings.webhook_allow_private,
            )
            if delivery_worker
            else None
        )
        # Read once at startup: a missing or wrong key file stops the app here, not later.
        self.log_signer = (
            LogSigner.from_file(settings.log_key_file, settings.log_origin)
            if settings.log_key_file
            else None
        )
        self.schema = build_schema(
            introspection=settings.introspection,
            max_depth=settings.max_query_depth,
            max_aliases=settings.max_aliases,
            max_tokens=settings.max_tokens,
        )

    def execute(
        self,
        authorization: str | None,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
        trace: TraceContext,
    ) -> tuple[int, dict[str, Any]]:
        """Run one GraphQL request for the partner the token names (sync: runs in a thread)."""
        now = self.clock()
        with self.sessions() as session:
            try:
                principal = authenticate(
                    session, self.sessions, authorization, self.settings, trace, now
                )
            except AuthenticationError as exc:
                return 401, error_response(exc.code, exc.message)
            disclosure = Disclosure(self.policies.engine(session), principal)
            scope = RequestScope(session, principal, disclosure, now, self.log_signer)
            result = self.schema.execute_sync(
                query,
                variable_values=variables,
                context_value=scope,
                operation_name=operation_name,
            )
            accesslog.write(session, disclosure, operation_name or "anonymous", now)
            session.commit()
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [format_error(e) for e in result.errors]
        return 200, payload

    async def graphql(self, request: Request) -> Response:
        """POST /graphql (and the GraphiQL page on GET, when enabled)."""
        if request.method == "GET":
            if self.settings.graphiql:
                return HTMLResponse(get_graphql_ide_html(graphql_ide="graphiql"))
            return JSONResponse(error_response("BAD_REQUEST", "use POST"), status_code=405)
        trace = trace_from_header(request.headers.get("traceparent"))
        headers = {"traceparent": trace.traceparent}
        try:
            body = await self._read_body(request)
            document = json.loads(body)
        except _BodyTooLargeError:
            message = f"request body over {self.settings.max_body_bytes} bytes"
            return JSONResponse(error_response("BAD_REQUEST", message), 413, headers)
        except (ValueError, UnicodeDecodeError):
            return JSONResponse(error_response("BAD_REQUEST", "body is not JSON"), 400, headers)
        if isinstance(document, list):
            message = "batched requests are not supported: send one operation per request"
            return JSONResponse(error_response("BAD_REQUEST", message), 400, headers)
        if not isinstance(document, dict) or not isinstance(document.get("query"), str):
            message = "expected a JSON object with a 'query' string"
            return JSONResponse(error_response("BAD_REQUEST", message), 400, headers)
        variables = document.get("variables")
        operation_name = document.get("operationName")
        if variables is not None and not isinstance(variables, dict):
            return JSONResponse(
                error_response("BAD_REQUEST", "variables must be an object"), 400, headers
            )
        if operation_name is not None and not isinstance(operation_name, str):
            return JSONResponse(
                error_response("BAD_REQUEST", "operationName must be a string"), 400, headers
            )
        try:
            status, payload = await run_in_threadpool(
                self.execute,
                request.headers.get("authorization"),
                document["query"],
                variables,
                operation_name,
                trace,
            )
        except Exception:
            log.exception("request failed")
            return JSONResponse(error_response("INTERNAL_ERROR", MASKED), 500, headers)
        return JSONResponse(payload, status, headers)

    async def _read_body(self, request: Request) -> bytes:
        limit = self.settings.max_body_bytes
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            raise _BodyTooLargeError
        chunks: list[bytes] = []
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise _BodyTooLargeError
            chunks.append(chunk)
        return b"".join(chunks)

    def _latest_checkpoint(self) -> str:
        with self.sessions() as session:
            checkpoint = checkpoints.latest(session, self.log_signer, self.clock())
            session.commit()
            return checkpoint.note

    async def checkpoint(self, _request: Request) -> Response:
        """GET /checkpoint: the log's latest signed checkpoint, as plain text for any tool.

        Public on purpose: a checkpoint holds a size and a hash, and monitors must be able to
        fetch it without an account.
        """
        if self.log_signer is None:
            return PlainTextResponse("this registry has no log signing key configured\n", 503)
        try:
            note = await run_in_threadpool(self._latest_checkpoint)
        except RegistryError as exc:  # e.g. entries were removed: it signs nothing smaller
            log.error("no checkpoint signed: %s", exc.message)
            return PlainTextResponse(f"{exc.code}: {exc.message}\n", 409)
        return PlainTextResponse(note, headers={"Cache-Control": "no-store"})

    async def log_key(self, _request: Request) -> Response:
        """GET /log/key: the verifier key partners configure to check checkpoints."""
        if self.log_signer is None:
            return PlainTextResponse("this registry has no log signing key configured\n", 503)
        return PlainTextResponse(self.log_signer.verifier_key + "\n")


async def _health(_request: Request) -> Response:
    return PlainTextResponse("ok\n")


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock = utcnow,
    session_factory: sessionmaker[Session] | None = None,
    delivery_worker: bool = False,
) -> Starlette:
    """The registry's ASGI application; with ``delivery_worker`` it runs the webhook delivery
    worker in a thread from startup to shutdown (the ASGI lifespan)."""
    registry = Registry(
        settings or Settings.from_env(),
        clock=clock,
        session_factory=session_factory,
        delivery_worker=delivery_worker,
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if registry.worker is not None:
            registry.worker.start()
        try:
            yield
        finally:
            if registry.worker is not None:
                await run_in_threadpool(registry.worker.stop)

    app = Starlette(
        routes=[
            Route("/graphql", registry.graphql, methods=["GET", "POST"]),
            Route("/healthz", _health, methods=["GET"]),
            Route("/checkpoint", registry.checkpoint, methods=["GET"]),
            Route("/log/key", registry.log_key, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.registry = registry
    return app
