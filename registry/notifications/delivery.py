"""The delivery worker: fans out new events, announces overdue action items and overdue
municipal contacts, then claims due deliveries and posts each as a thin, signed webhook.

Several workers may run at once (the app's thread, ``ketenregister worker`` processes): a
delivery is claimed with a lease before it is posted (``registry.notifications.claims``), so a
delivery is never attempted by two workers while its lease lasts. The HTTP post happens outside
any transaction; its result is recorded only by the worker that still holds the claim. A worker
that dies after posting leaves the lease to run out, and the delivery is posted again with the
same ``webhook-id``: receivers deduplicate on it, as Standard Webhooks asks.

A slow receiver slows only itself. Posts run in a bounded pool of threads, at most
``per_subscription`` at a time to one subscription (counted over every worker's live leases),
each within a short connect timeout and a deadline for the whole attempt. The worker's own
thread claims, records and fans out; it does not wait for a round's posts before claiming for
other subscriptions, and a finished post wakes it so the receiver's next delivery goes out at
once. Database work stays on the worker's thread: the post threads touch only the network.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import ssl
import threading
import uuid
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED as FIRST
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import wait as wait_for
from dataclasses import dataclass

import httpcore
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from registry.access.policystore import PolicyCache
from registry.coltypes import utcnow
from registry.errors import InvalidInputError
from registry.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from registry.notifications import claims, outbox, pinned, signing, subscriptions
from registry.notifications.announcers import ANNOUNCERS
from registry.notifications.claims import ClaimedDelivery
from registry.notifications.retry import RetryPolicy
from registry.notifications.targets import TargetPolicy

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
#: Something that adds events to the outbox on a schedule rather than on a request.
EventSource = Callable[[Session, dt.datetime], int]

GONE = 410


@dataclass(frozen=True)
class AttemptResult:
    """What one POST came back with: a status code, or a transport error."""

    status_code: int | None
    error: str | None = None
    retry_after: dt.timedelta | None = None

    @property
    def succeeded(self) -> bool:
        """A 2xx answer (Standard Webhooks: anything else, redirects included, failed)."""
        return self.status_code is not None and 200 <= self.status_code < 300


@dataclass
class RoundReport:
    """What one round of the worker did."""

    fanned_out: int = 0
    announced: int = 0
    delivered: int = 0
    failed_attempts: int = 0
    #: Attempts this round claimed and started (a background round does not wait for them).
    started: int = 0

    @property
    def busy(self) -> bool:
        """Whether the round found work (then the next round starts without waiting)."""
        return bool(
            self.fanned_out
            or self.announced
            or self.delivered
            or self.failed_attempts
            or self.started
        )


def payload(delivery: ClaimedDelivery) -> bytes:
    """The thin webhook body: type, time, event id and case id; no personal data. The
    receiver fetches the case through the registry, which applies the policies."""
    document = {
        "type": delivery.event_type,
        "timestamp": delivery.occurred_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "data": {"eventId": delivery.webhook_id, "caseId": str(delivery.case_id)},
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def _retry_after(headers: dict[str, str]) -> dt.timedelta | None:
    value = headers.get("retry-after", "")
    if value.isdigit():
        return dt.timedelta(seconds=int(value))
    return None  # an HTTP date or nonsense: the backoff decides


@dataclass
class _InFlight:
    delivery: ClaimedDelivery
    future: Future[AttemptResult]


class DeliveryWorker:
    """Fans out, announces and delivers; ``run_once`` does one round and waits for its posts,
    ``start`` runs rounds in a thread until ``stop``.

    ``connect_timeout`` bounds connecting (TLS included) and ``timeout`` a whole attempt, in
    seconds; ``concurrency`` posts run at once, at most ``per_subscription`` of them to one
    subscription. ``targets`` is the address policy (by default production's, or one allowing
    private targets with ``allow_private_targets``).
    """

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        clock: Clock = utcnow,
        rng: random.Random | None = None,
        policies: PolicyCache | None = None,
        retry: RetryPolicy | None = None,
        lease: dt.timedelta = dt.timedelta(seconds=60),
        batch: int = 20,
        poll_interval: float = 1.0,
        connect_timeout: float = 3.0,
        timeout: float = 10.0,
        concurrency: int = 8,
        per_subscription: int = 2,
        sources: Sequence[EventSource] = tuple(ANNOUNCERS.values()),
        worker_id: str | None = None,
        allow_private_targets: bool = False,
        targets: TargetPolicy | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        # A lease that ran out while its post still runs would let another worker post the
        # same delivery at the same time.
        if lease.total_seconds() <= timeout:
            raise ValueError(f"the lease ({lease}) must outlast an attempt ({timeout} s)")
        if concurrency < 1 or per_subscription < 1:
            raise ValueError("concurrency and per_subscription are at least 1")
        self.sessions = sessions
        self.clock = clock
        self.targets = targets or TargetPolicy(allow_private=allow_private_targets)
        self.ssl_context = ssl_context
        self.rng = rng or random.Random()
        self.policies = policies or PolicyCache()
        self.retry = retry or RetryPolicy()
        self.lease = lease
        self.batch = batch
        self.poll_interval = poll_interval
        self.connect_timeout = connect_timeout
        self.timeout = timeout
        self.concurrency = concurrency
        self.per_subscription = per_subscription
        self.sources = tuple(sources)
        self.worker_id = worker_id or f"worker-{uuid.uuid4().hex[:12]}"
        self._posts: ThreadPoolExecutor | None = None  # made when the first post starts
        #: Claimed deliveries being posted or waiting to be recorded; only the thread running
        #: rounds touches it.
        self._in_flight: dict[uuid.UUID, _InFlight] = {}
        #: Set when a post finishes or the worker should stop: the idle wait ends early.
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # -- one round ---------------------------------------------------------------------

    def run_once(self) -> RoundReport:
        """Fan out new events, run the event sources, attempt up to ``batch`` due deliveries
        (a subscription's next one as soon as its previous one is done), and return once
        those attempts are recorded."""
        report = self._round()
        while self._in_flight:
            wait_for([entry.future for entry in self._in_flight.values()], return_when=FIRST)
            self._record_finished(report)
            self._start_due(report)
        return report

    def _round(self) -> RoundReport:
        report = RoundReport()
        self._record_finished(report)
        now = self.clock()
        with self.sessions.begin() as session:
            report.fanned_out = outbox.fan_out(session, self.policies.engine(session), now)
        for source in self.sources:
            with self.sessions.begin() as session:
                report.announced += source(session, now)
        if report.announced:  # the sources' events go out in this round, not the next
            with self.sessions.begin() as session:
                report.fanned_out += outbox.fan_out(session, self.policies.engine(session), now)
        self._start_due(report)
        return report

    def _start_due(self, report: RoundReport) -> None:
        """Claim what the free post threads can take (within the round's ``batch``) and start
        posting it; does not wait."""
        free = min(self.batch - report.started, self.concurrency - len(self._in_flight))
        if free <= 0:
            return
        for delivery in self.claim(self.clock(), limit=free):
            future = self._pool().submit(self._attempt, delivery)
            self._in_flight[delivery.delivery_id] = _InFlight(delivery, future)
            report.started += 1

    def _pool(self) -> ThreadPoolExecutor:
        if self._posts is None:
            self._posts = ThreadPoolExecutor(
                self.concurrency, thread_name_prefix=f"{self.worker_id}-post"
            )
        return self._posts

    def _attempt(self, delivery: ClaimedDelivery) -> AttemptResult:
        try:
            return self.send(delivery)
        finally:
            self._wake.set()

    def _record_finished(self, report: RoundReport) -> None:
        for delivery_id, entry in list(self._in_flight.items()):
            if not entry.future.done():
                continue
            del self._in_flight[delivery_id]
            try:
                result = entry.future.result()
            except Exception:
                # A bug in sending, not the receiver's doing: the attempt counts as failed,
                # so the delivery is tried again later rather than stuck under its lease.
                log.exception("delivery %s: the attempt failed", delivery_id)
                result = AttemptResult(None, "the attempt failed in the registry")
            if self.record(entry.delivery, result) and result.succeeded:
                report.delivered += 1
            elif not result.succeeded:
                report.failed_attempts += 1

    def claim(self, now: dt.datetime, limit: int | None = None) -> list[ClaimedDelivery]:
        """Take the lease on up to ``limit`` (default ``batch``) due deliveries, at most
        ``per_subscription`` in flight per subscription."""
        with self.sessions.begin() as session:
            return claims.claim(
                session,
                now,
                worker_id=self.worker_id,
                lease=self.lease,
                limit=self.batch if limit is None else limit,
                per_subscription=self.per_subscription,
            )

    def send(self, delivery: ClaimedDelivery) -> AttemptResult:
        """Check the URL against the address policy and POST one signed webhook to an address
        that passed; never raises for what DNS, the network or the receiver does."""
        try:
            target = self.targets.check(delivery.url)
        except InvalidInputError as exc:
            return AttemptResult(None, exc.message)
        body = payload(delivery)
        stamp = int(self.clock().timestamp())
        headers = signing.headers(delivery.secret, delivery.webhook_id, stamp, body)
        try:
            answer = pinned.post(
                target,
                body,
                headers,
                connect_timeout=self.connect_timeout,
                deadline=self.timeout,
                ssl_context=self.ssl_context,
            )
        except pinned.TRANSPORT_ERRORS as exc:
            return AttemptResult(None, self._describe(exc))
        code = answer.status
        error = None if 200 <= code < 300 else f"HTTP {code}"
        return AttemptResult(code, error, _retry_after(answer.headers))

    def _describe(self, failure: Exception) -> str:
        name = type(failure).__name__
        if isinstance(failure, httpcore.ConnectTimeout):
            return f"{name}: no connection within {self.connect_timeout:g} s"
        if isinstance(failure, httpcore.TimeoutException):
            return f"{name}: no answer within {self.timeout:g} s"
        return f"{name}: {failure}"[:300]

    def record(self, delivery: ClaimedDelivery, result: AttemptResult) -> bool:
        """Record an attempt's result, if this worker still holds the claim (returns whether
        it did). A 410 answer disables the subscription."""
        now = self.clock()
        attempts = delivery.attempts + 1
        values: dict[str, object] = {
            "attempts": attempts,
            "last_attempt_at": now,
            "last_status_code": result.status_code,
            "last_error": result.error,
            "lease_until": None,
            "claimed_by": None,
        }
        if result.succeeded:
            values.update(status=DeliveryStatus.DELIVERED, delivered_at=now)
        elif result.status_code == GONE:
            values.update(status=DeliveryStatus.CANCELLED)
        elif self.retry.gives_up(attempts):
            values.update(status=DeliveryStatus.FAILED)
        else:
            wait = self.retry.delay(attempts, self.rng)
            if result.retry_after is not None:  # the receiver said when; never past the cap
                wait = max(wait, min(result.retry_after, self.retry.cap))
            values.update(next_attempt_at=now + wait)
        with self.sessions.begin() as session:
            updated = session.execute(
                update(WebhookDelivery)
                .where(
                    WebhookDelivery.id == delivery.delivery_id,
                    WebhookDelivery.claimed_by == self.worker_id,
                    WebhookDelivery.status == DeliveryStatus.PENDING,
                )
                .values(**values)
                .execution_options(synchronize_session=False)
            )
            if updated.rowcount != 1:  # type: ignore[attr-defined]
                log.warning(
                    "delivery %s: lease lost before the result was recorded", delivery.delivery_id
                )
                return False
            if result.status_code == GONE:
                subscription = session.get(WebhookSubscription, delivery.subscription_id)
                if subscription is not None and subscription.disabled_at is None:
                    subscriptions.disable(
                        session, subscription, "the receiver answered 410 Gone", now
                    )
        return True

    # -- running -----------------------------------------------------------------------

    def start(self) -> None:
        """Run rounds in a background thread until ``stop``."""
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        self._thread = threading.Thread(
            target=self.run_forever, name=f"ketenregister-{self.worker_id}", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Stop after the current round, recording the attempts in flight as they finish
        (within their deadline); a claimed delivery left unrecorded is taken again by any
        worker once its lease runs out."""
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self._posts is not None:
            # Posts still running end by their deadline; nobody waits for them any longer.
            self._posts.shutdown(wait=False, cancel_futures=True)
            self._posts = None

    @property
    def running(self) -> bool:
        """Whether the background thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def run_forever(self) -> None:
        """Run rounds in the calling thread until ``stop`` (or ``request_stop``)."""
        try:
            while not self._stopping.is_set():
                # Cleared before the round: a post finishing during it still wakes the wait.
                self._wake.clear()
                try:
                    busy = self._round().busy
                except Exception:
                    # One bad round (database restarting, say) must not end the worker: the
                    # outbox keeps the work, and the next round takes it up again.
                    log.exception("delivery round failed; trying again")
                    busy = False
                if not busy:
                    self._wake.wait(self.poll_interval)
        finally:
            self._finish_in_flight()

    def _finish_in_flight(self) -> None:
        if not self._in_flight:
            return
        wait_for([entry.future for entry in self._in_flight.values()], timeout=self.timeout)
        try:
            self._record_finished(RoundReport())
        except Exception:
            log.exception("recording the last attempts failed; their leases will run out")

    def request_stop(self) -> None:
        """Ask ``run_forever`` to return after the current round (from a signal handler)."""
        self._stopping.set()
        self._wake.set()
