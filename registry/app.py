"""The composition root: the ASGI application that serves the registry over HTTP.

Request flow (DESIGN.md): HTTP → body and batching limits → a request slot → authentication
→ (an ``Idempotency-Key`` held) → GraphQL execution in one database session → access-log
records → the token spent → one commit → response. The commit happens before the response is
sent, so an acknowledged write is durable.

Many partner systems at once: a request runs only in one of ``max_concurrent_requests`` slots,
each holding at most one pooled connection; the others wait their turn without a thread, and
one that gets no turn within ``queue_timeout_seconds`` is answered ``503 UNAVAILABLE`` with
``Retry-After``, as is every request that finds the database out of reach. A client can tell
that from a bug (``500 INTERNAL_ERROR``) and retry, safely with an ``Idempotency-Key``.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any

from graphql import GraphQLError, OperationType, parse
from graphql.utilities import get_operation_ast
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route
from strawberry.http.ides import get_graphql_ide_html

from registry.access import accesslog, auth
from registry.access.disclosure import Disclosure
from registry.access.policystore import PolicyCache
from registry.auditlog import checkpoints
from registry.auditlog.signer import LogSigner
from registry.auditlog.witnesses import Cosigner, parse_witnesses
from registry.coltypes import utcnow
from registry.config import Settings
from registry.db import is_transient, make_engine, make_session_factory
from registry.errors import AuthenticationError, RateLimitedError, RegistryError
from registry.migrate import current_revision, head_revision
from registry.notifications.delivery import DeliveryWorker
from registry.notifications.targets import TargetPolicy
from registry.request import RequestScope
from registry.tracing import TraceContext, trace_from_header
from registry.web import idempotency, request_body
from registry.web.metrics import CONTENT_TYPE, NO_OPERATION, Metrics
from registry.web.ratelimit import PartnerLimits
from registry.web.slots import NoSlotError, RequestSlots, issuer_hint
from schema.build import build_schema
from schema.errors import MASKED, error_response, format_error

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]

#: How often expired token records and idempotent answers are purged.
HOUSEKEEPING_INTERVAL_SECONDS = 60.0
BUSY = "the registry is busy or its database is out of reach: retry shortly"


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


def _first_code(answer: Answer) -> str | None:
    errors = answer.payload.get("errors")
    if errors:
        return str(errors[0].get("extensions", {}).get("code", "UNKNOWN"))
    return "OK" if answer.status == 200 else None


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


def _is_mutation(request: GraphQLRequest, max_tokens: int) -> bool:
    """Whether the operation to run is a mutation (only those are kept for retries: a query
    is safe to repeat, and its answer is not stored)."""
    try:
        document = parse(request.query, max_tokens=max_tokens)
    except (GraphQLError, RecursionError):
        return False  # execution reports what is wrong with the document
    operation = get_operation_ast(document, request.operation_name)
    return operation is not None and operation.operation is OperationType.MUTATION


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
            # A request holds a slot before it asks for a connection, and there is one per
            # slot: a checkout waits only if the database is out of reach, and then at most
            # make_engine's second.
            engine = make_engine(
                settings.database_url, request_slots=settings.max_concurrent_requests
            )
            session_factory = make_session_factory(engine)
        self.sessions = session_factory
        self.policies = PolicyCache(staleness=settings.policy_staleness_seconds)
        self.keyring = auth.Keyring(staleness=settings.policy_staleness_seconds)
        self.webhook_targets = TargetPolicy(allow_private=settings.webhook_allow_private)
        self.limits = PartnerLimits(settings.rate_limit)
        self.slots = RequestSlots(
            settings.max_concurrent_requests,
            settings.max_requests_per_partner or max(1, settings.max_concurrent_requests // 4),
            settings.queue_timeout_seconds,
        )
        self._head_revision = head_revision()
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
        #: Collects the witnesses' cosignatures for GET /checkpoint (none configured: None).
        self.cosigner = (
            Cosigner(
                parse_witnesses(settings.witnesses),
                sessions=session_factory,
                run=lambda work: self.slots.run("", work),
                timeout=settings.witness_timeout_seconds,
            )
            if settings.witnesses
            else None
        )
        self.schema = build_schema(
            introspection=settings.introspection,
            max_depth=settings.max_query_depth,
            max_aliases=settings.max_aliases,
            max_tokens=settings.max_tokens,
            max_cost=settings.max_cost,
        )
        graphql_schema = self.schema._schema
        self._root_fields = frozenset(
            name
            for root in (graphql_schema.query_type, graphql_schema.mutation_type)
            if root is not None
            for name in root.fields
        )
        self.metrics = Metrics(self.sessions, self.slots.in_use)

    def execute(self, request: GraphQLRequest) -> Answer:
        """Run one GraphQL request for the partner the token names (sync: runs in a thread).

        Everything the request does commits once, at the end: its work, its access-log
        records, the spent token and, under an ``Idempotency-Key``, its stored answer.
        """
        now = self.clock()
        with self.sessions() as session:
            try:
                who = auth.authenticate(
                    session, request.authorization, self.settings, request.trace, now, self.keyring
                )
            except AuthenticationError as exc:
                self.metrics.token_refusals.labels(exc.reason).inc()
                return Answer(401, error_response(exc.code, exc.message))
            try:
                self.limits.admit(who.principal.partner_id)
            except RateLimitedError as exc:
                # Nothing was done, and the token was not spent: it may be sent again.
                body = error_response(exc.code, exc.message)
                return Answer(429, body, retry_after=exc.retry_after)
            return self._execute(session, request, who, now)

    def _execute(
        self,
        session: Session,
        request: GraphQLRequest,
        who: auth.Authenticated,
        now: dt.datetime,
    ) -> Answer:
        operation = request.operation_name or "anonymous"
        key = request.idempotency_key
        if key is not None and not _is_mutation(request, self.settings.max_tokens):
            key = None
        if key is not None:
            print_ = idempotency.fingerprint(
                request.query, request.variables, request.operation_name
            )
            try:
                stored = idempotency.hold(session, who.principal.partner_id, key, print_, now)
            except RegistryError as exc:
                return Answer(422, error_response(exc.code, exc.message))
            if stored is not None:
                accesslog.write_again(
                    session, who.principal, f"{operation} (retry)", now, stored.disclosures
                )
                answer = Answer(
                    stored.status_code, stored.response, replayed=True, operation="retry"
                )
                return self._commit(session, who.token, answer)
        disclosure = Disclosure(self.policies.engine(session), who.principal)
        scope = RequestScope(
            session, who.principal, disclosure, now, self.log_signer, self.webhook_targets
        )
        result = self.schema.execute_sync(
            request.query,
            variable_values=request.variables,
            context_value=scope,
            operation_name=request.operation_name,
        )
        for error in result.errors or ():
            if is_transient(error.original_error):
                raise error.original_error  # type: ignore[misc]  # answered 503
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [format_error(e) for e in result.errors]
        root_field = self._operation(result.data, result.errors)
        if key is not None:
            idempotency.complete(
                session,
                who.principal.partner_id,
                key,
                200,
                payload,
                accesslog.summary(disclosure),
            )
        accesslog.write(session, disclosure, operation, now)
        return self._commit(session, who.token, Answer(200, payload, operation=root_field))

    def _operation(self, data: dict[str, Any] | None, errors: list[GraphQLError] | None) -> str:
        """The metrics' name of what a request asked: its first root field, by the data or
        else by the first error's path (none when it reached no resolver)."""
        paths = [e.path[0] for e in errors or () if e.path]
        first = next(iter(data or {}), None) or next(iter(paths), None)
        if first is None:
            return NO_OPERATION
        if str(first).startswith("__"):
            return "introspection"
        # An alias is the partner's own text and never becomes a label.
        return str(first) if first in self._root_fields else "aliased"

    def _commit(self, session: Session, token: auth.TokenUse, answer: Answer) -> Answer:
        try:
            auth.spend(session, token)
        except AuthenticationError as exc:  # the same token carried another request
            session.rollback()
            self.metrics.token_refusals.labels(exc.reason).inc()
            return Answer(401, error_response(exc.code, exc.message))
        session.commit()
        self.policies.changed(session)
        return answer

    def unavailable(self, headers: dict[str, str]) -> Response:
        """503 with ``Retry-After``: the request did nothing; the same request may be sent
        again (with the same ``Idempotency-Key``, if it had one)."""
        # A second: long enough for a queue to drain a little, short enough for a restart.
        return JSONResponse(
            error_response("UNAVAILABLE", BUSY), 503, {**headers, "Retry-After": "1"}
        )

    async def graphql(self, request: Request) -> Response:
        """POST /graphql (and the GraphiQL page on GET, when enabled), counted and timed."""
        started = time.monotonic()
        response = await self._graphql(request)
        if request.method == "POST":
            operation, code = getattr(request.state, "measured", (NO_OPERATION, None))
            code = code or _CODE_OF_STATUS.get(response.status_code, "OK")
            self.metrics.answered(operation, code, time.monotonic() - started)
        return response

    async def _graphql(self, request: Request) -> Response:
        if request.method == "GET":
            if self.settings.graphiql:
                return HTMLResponse(get_graphql_ide_html(graphql_ide="graphiql"))
            return JSONResponse(error_response("BAD_REQUEST", "use POST"), status_code=405)
        trace = trace_from_header(request.headers.get("traceparent"))
        headers = {"traceparent": trace.traceparent}
        try:
            body = await request_body.read(request, self.settings.max_body_bytes)
        except request_body.BadBodyError as exc:
            return JSONResponse(error_response("BAD_REQUEST", exc.message), exc.status, headers)
        key_header = request.headers.get("idempotency-key")
        try:
            key = None if key_header is None else idempotency.parse_key(key_header)
        except RegistryError as exc:
            return JSONResponse(error_response("BAD_REQUEST", exc.message), 400, headers)
        graphql_request = GraphQLRequest(
            request.headers.get("authorization"),
            body.query,
            body.variables,
            body.operation_name,
            trace,
            key,
        )
        partner = issuer_hint(graphql_request.authorization)
        try:
            self.limits.check(partner)
        except RateLimitedError as exc:
            headers["Retry-After"] = str(exc.retry_after)
            return JSONResponse(error_response(exc.code, exc.message), 429, headers)
        try:
            answer = await self.slots.run(partner, self.execute, graphql_request)
        except NoSlotError:
            log.warning("no request slot free within %ss", self.settings.queue_timeout_seconds)
            return self.unavailable(headers)
        except Exception as exc:
            if is_transient(exc):
                log.warning("database unavailable: %s", type(exc).__name__)
                return self.unavailable(headers)
            log.exception("request failed")
            return JSONResponse(error_response("INTERNAL_ERROR", MASKED), 500, headers)
        request.state.measured = (answer.operation, _first_code(answer))
        if answer.replayed:
            headers["Idempotent-Replayed"] = "true"
        if answer.retry_after is not None:
            headers["Retry-After"] = str(answer.retry_after)
        return JSONResponse(answer.payload, answer.status, headers)

    def _latest_checkpoint(self) -> str:
        with self.sessions() as session:
            checkpoint = checkpoints.latest(session, self.log_signer, self.clock())
            session.commit()
            return checkpoint.note

    async def checkpoint(self, _request: Request) -> Response:
        """GET /checkpoint: the log's latest signed checkpoint, as plain text for any tool,
        with the cosignatures of the configured witnesses it could get.

        Public on purpose: a checkpoint holds a size and a hash, and monitors must be able to
        fetch it without an account.
        """
        if self.log_signer is None:
            return PlainTextResponse("this registry has no log signing key configured\n", 503)
        try:
            note = await self.slots.run("", self._latest_checkpoint)
            if self.cosigner is not None:
                note = await self.cosigner.cosigned(note)
        except RegistryError as exc:  # e.g. entries were removed: it signs nothing smaller
            log.error("no checkpoint signed: %s", exc.message)
            return PlainTextResponse(f"{exc.code}: {exc.message}\n", 409)
        except Exception as exc:
            if isinstance(exc, NoSlotError) or is_transient(exc):
                return PlainTextResponse(f"{BUSY}\n", 503, headers={"Retry-After": "1"})
            raise
        return PlainTextResponse(note, headers={"Cache-Control": "no-store"})

    async def metrics_text(self, _request: Request) -> Response:
        """GET /metrics: Prometheus's text format (counts and sizes, nothing of a case; put
        it behind the deployment's own network rules like any operations endpoint)."""
        try:
            body = await self.slots.run("", self.metrics.exposition)
        except Exception as exc:
            if isinstance(exc, NoSlotError) or is_transient(exc):
                return PlainTextResponse(f"{BUSY}\n", 503, headers={"Retry-After": "1"})
            raise
        return Response(body, media_type=CONTENT_TYPE)

    async def log_key(self, _request: Request) -> Response:
        """GET /log/key: the verifier key partners configure to check checkpoints."""
        if self.log_signer is None:
            return PlainTextResponse("this registry has no log signing key configured\n", 503)
        return PlainTextResponse(self.log_signer.verifier_key + "\n")

    def _readiness(self) -> list[str]:
        problems = []
        with self.sessions() as session:
            connection = session.connection()
            connection.execute(text("SELECT 1"))
            current = current_revision(connection)
        if current != self._head_revision:
            problems.append(f"database at revision {current}, code expects {self._head_revision}")
        return problems

    async def ready(self, _request: Request) -> Response:
        """GET /readyz: whether this process can serve: the database answers and is migrated
        to the code's revision (the log key, when configured, was loaded at startup or the
        process would not run). For a load balancer: cheap, no token."""
        try:
            problems = await self.slots.run("", self._readiness)
        except Exception as exc:
            if not (isinstance(exc, NoSlotError) or is_transient(exc)):
                log.exception("readiness check failed")
            problems = ["database unreachable"]
        if problems:
            return PlainTextResponse("not ready: " + "; ".join(problems) + "\n", 503)
        return PlainTextResponse("ready\n")

    def housekeeping(self) -> None:
        """Purge token records that can no longer be replayed and expired idempotent
        answers: off the request path, in every process (the deletes are idempotent)."""
        now = self.clock()
        retention = dt.timedelta(hours=self.settings.idempotency_retention_hours)
        with self.sessions.begin() as session:
            auth.forget_expired(session, now)
            idempotency.forget_expired(session, now, retention)


async def _health(_request: Request) -> Response:
    """GET /healthz: the process is alive (says nothing of the database: see /readyz)."""
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

    async def housekeeping() -> None:
        while True:
            await asyncio.sleep(HOUSEKEEPING_INTERVAL_SECONDS)
            try:
                await run_in_threadpool(registry.housekeeping)
            except Exception:  # a database restart, say: the next round tries again
                log.warning("housekeeping failed; trying again later", exc_info=True)

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        if registry.worker is not None:
            registry.worker.start()
        task = asyncio.create_task(housekeeping())
        try:
            yield
        finally:
            task.cancel()
            if registry.worker is not None:
                await run_in_threadpool(registry.worker.stop)

    app = Starlette(
        routes=[
            Route("/graphql", registry.graphql, methods=["GET", "POST"]),
            Route("/healthz", _health, methods=["GET"]),
            Route("/readyz", registry.ready, methods=["GET"]),
            Route("/metrics", registry.metrics_text, methods=["GET"]),
            Route("/checkpoint", registry.checkpoint, methods=["GET"]),
            Route("/log/key", registry.log_key, methods=["GET"]),
        ],
        lifespan=lifespan,
    )
    app.state.registry = registry
    return app
