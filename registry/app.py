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
from collections.abc import AsyncIterator, Callable
from typing import Any

from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.routing import Route
from strawberry.http.ides import get_graphql_ide_html

from registry import tracing
from registry.access import accesslog, auth
from registry.access.disclosure import Disclosure
from registry.access.policystore import PolicyCache
from registry.access.principal import Principal
from registry.access.roles import InvolvementRoles
from registry.auditlog.signer import LogSigner
from registry.auditlog.witnesses import Cosigner, parse_witnesses
from registry.coltypes import utcnow
from registry.config import Settings
from registry.console.routes import console_mount
from registry.console.web import Console
from registry.db import is_transient, make_engine, make_session_factory
from registry.errors import AuthenticationError, RateLimitedError
from registry.migrate import head_revision
from registry.notifications.delivery import DeliveryWorker
from registry.notifications.targets import TargetPolicy
from registry.privacy import retention
from registry.request import RequestScope
from registry.staff.oidc import load_providers
from registry.web import exports, idempotency, metrics, probes
from registry.web.checkpoints import CheckpointEndpoints
from registry.web.endpoint import GraphQLEndpoint
from registry.web.exchange import Answer, GraphQLRequest
from registry.web.monitor_csv import MonitorCsvEndpoint
from registry.web.ratelimit import PartnerLimits
from registry.web.slots import RequestSlots
from schema.build import build_schema
from schema.errors import MASKED, error_response, format_error

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]

#: How often expired token records and idempotent answers are purged.
HOUSEKEEPING_INTERVAL_SECONDS = 60.0


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
        # Built now, so a retention period below its legal minimum stops the start.
        self.retention = retention.policy_of(settings)
        if session_factory is None:
            # A request holds a slot before it asks for a connection, and there is one per
            # slot: a checkout waits only if the database is out of reach, and then at most
            # pool_timeout_seconds.
            engine = make_engine(
                settings.database_url,
                request_slots=settings.max_concurrent_requests,
                pool_timeout=settings.pool_timeout_seconds,
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
        self.readiness = probes.Readiness(session_factory, self.slots, head_revision())
        #: The webhook delivery worker this process runs while it serves (``serve``, ``demo``).
        self.worker = (
            DeliveryWorker(
                session_factory,
                clock=clock,
                policies=self.policies,
                allow_private_targets=settings.webhook_allow_private,
                connect_timeout=settings.webhook_connect_timeout_seconds,
                timeout=settings.webhook_timeout_seconds,
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
        self._root_fields = metrics.root_fields(self.schema._schema)
        self.metrics = metrics.Metrics(self.sessions, self.slots.in_use)
        self.checkpoints = CheckpointEndpoints(
            session_factory, self.slots, clock, self.log_signer, self.cosigner
        )
        self.monitor_csv = MonitorCsvEndpoint(
            session_factory,
            settings,
            self.keyring,
            self.limits,
            self.slots,
            clock,
            error_body=error_response,
            masked=MASKED,
        )
        self.endpoint = GraphQLEndpoint(
            self.execute,
            error_body=error_response,
            masked=MASKED,
            limits=self.limits,
            slots=self.slots,
            metrics=self.metrics,
            max_body_bytes=settings.max_body_bytes,
            ide_html=get_graphql_ide_html(graphql_ide="graphiql") if settings.graphiql else None,
        )

    def execute(self, request: GraphQLRequest) -> Answer:
        """Run one GraphQL request for the partner the token names (sync: runs in a thread).

        Everything the request does commits once, at the end: its work, its access-log
        records, the spent token and, under an ``Idempotency-Key``, its stored answer.
        """
        now = self.clock()
        # The request's trace is current while it runs: what it causes later (its webhooks)
        # continues it.
        with tracing.within(request.trace), self.sessions() as session:
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
            return idempotency.execute_once(
                session,
                request,
                who,
                now,
                run=lambda: self._run(session, request, who.principal, now),
                commit=lambda answer: self._commit(session, who.token, answer),
                error_body=error_response,
                max_tokens=self.settings.max_tokens,
            )

    def _run(
        self,
        session: Session,
        request: GraphQLRequest,
        principal: Principal,
        now: dt.datetime,
    ) -> tuple[Answer, Disclosure]:
        """Execute the GraphQL document in the partner's request scope: the answer, and what
        it disclosed (for the access log)."""
        disclosure = Disclosure(
            self.policies.engine(session),
            principal,
            today=now.date(),
            roles_of=InvolvementRoles(session, principal.partner_id),
        )
        scope = RequestScope(
            session, principal, disclosure, now, self.log_signer, self.webhook_targets
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
        root_field = metrics.operation_of(self._root_fields, result.data, result.errors)
        return Answer(200, payload, operation=root_field), disclosure

    def execute_as(
        self,
        principal: Principal,
        query: str,
        variables: dict[str, Any] | None,
        operation_name: str | None,
    ) -> dict[str, Any]:
        """Run one GraphQL operation for a console session: ``principal`` is the staff
        member's organisation with the staff member as the acting person. The same execution
        as /graphql (schema, disclosure, services), its access log and work committed at once."""
        now = self.clock()
        request = GraphQLRequest(None, query, variables, operation_name, principal.trace)
        with tracing.within(principal.trace), self.sessions() as session:
            answer, disclosure = self._run(session, request, principal, now)
            accesslog.write(session, disclosure, f"console:{operation_name or 'anonymous'}", now)
            session.commit()
            self.policies.changed(session)
        return answer.payload

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

    def housekeeping(self) -> None:
        """Purge token records that can no longer be replayed and expired idempotent
        answers, and erase households whose retention period ended: off the request path,
        in every process (each step is idempotent; an erasure locks its case)."""
        now = self.clock()
        kept = dt.timedelta(hours=self.settings.idempotency_retention_hours)
        with self.sessions.begin() as session:
            auth.forget_expired(session, now)
            idempotency.forget_expired(session, now, kept)
        retention.run(self.sessions, self.retention, now)


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
            Route("/graphql", registry.endpoint.handle, methods=["GET", "POST"]),
            Route("/healthz", probes.health, methods=["GET"]),
            Route("/readyz", registry.readiness.ready, methods=["GET"]),
            Route("/metrics", metrics.endpoint(registry.metrics, registry.slots), methods=["GET"]),
            Route("/checkpoint", registry.checkpoints.checkpoint, methods=["GET"]),
            Route("/log/key", registry.checkpoints.log_key, methods=["GET"]),
            Route("/monitor.csv", registry.monitor_csv.handle, methods=["GET"]),
            Route(
                exports.PATH,
                exports.Exports(registry.endpoint).household_access_report_pdf,
                methods=["POST"],
            ),
            console_mount(
                Console(
                    sessions=registry.sessions,
                    clock=registry.clock,
                    run_graphql=registry.execute_as,
                    secure_cookie=registry.settings.console_secure_cookie,
                    providers=load_providers(registry.settings.console_oidc_file),
                )
            ),
        ],
        lifespan=lifespan,
    )
    app.state.registry = registry
    return app
