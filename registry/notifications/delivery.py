"""The delivery worker: fans out new events, announces overdue action items and overdue
municipal contacts, then claims due deliveries and posts each as a thin, signed webhook.

Several workers may run at once (the app's thread, ``ketenregister worker`` processes): a
delivery is claimed with a lease before it is posted. On PostgreSQL the candidates are picked
with ``FOR UPDATE SKIP LOCKED`` so workers do not queue behind each other; on every database the
claim itself is a compare-and-set (``status`` pending and no live lease), so a delivery is never
attempted by two workers while its lease lasts. The HTTP post happens outside any transaction;
its result is recorded only by the worker that still holds the claim. A worker that dies after
posting leaves the lease to run out, and the delivery is posted again with the same
``webhook-id``: receivers deduplicate on it, as Standard Webhooks asks.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import json
import logging
import random
import socket
import threading
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import httpx
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from registry import municipal_contacts
from registry.annotations import announce_overdue
from registry.coltypes import utcnow
from registry.models import DeliveryStatus, OutboxEvent, WebhookDelivery, WebhookSubscription
from registry.notifications import outbox, signing, subscriptions
from registry.notifications.retry import RetryPolicy
from registry.policystore import PolicyCache

log = logging.getLogger(__name__)

Clock = Callable[[], dt.datetime]
#: Something that adds events to the outbox on a schedule rather than on a request.
EventSource = Callable[[Session, dt.datetime], int]

GONE = 410


@dataclass(frozen=True)
class ClaimedDelivery:
    """A delivery this worker holds the lease on, with what it needs to post it."""

    delivery_id: uuid.UUID
    subscription_id: uuid.UUID
    webhook_id: str
    event_type: str
    case_id: uuid.UUID
    occurred_at: dt.datetime
    url: str
    secret: str
    #: Attempts made before this one (nobody else changes it while the lease is held).
    attempts: int


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

    @property
    def busy(self) -> bool:
        """Whether the round found work (then the next round starts without waiting)."""
        return bool(self.fanned_out or self.announced or self.delivered or self.failed_attempts)


def payload(delivery: ClaimedDelivery) -> bytes:
    """The thin webhook body: type, time, event id and case id; no personal data. The
    receiver fetches the case through the registry, which applies the policies."""
    document = {
        "type": delivery.event_type,
        "timestamp": delivery.occurred_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "data": {"eventId": delivery.webhook_id, "caseId": str(delivery.case_id)},
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def _retry_after(response: httpx.Response) -> dt.timedelta | None:
    value = response.headers.get("retry-after", "")
    if value.isdigit():
        return dt.timedelta(seconds=int(value))
    return None  # an HTTP date or nonsense: the backoff decides


def non_public_target(url: str) -> str | None:
    """Why the registry will not post to ``url`` (it resolves to a loopback, private,
    link-local or otherwise non-public address), or None when it may.

    Checked before every attempt, so a host that later resolves elsewhere is caught too. A
    deployment that must rule out DNS rebinding between this check and the connection puts an
    egress proxy in front as well.
    """
    host = httpx.URL(url).host
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError):
        return None  # unresolvable: the POST fails on its own and is retried
    for info in infos:
        address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
        if not address.is_global or address.is_multicast:
            return f"refused: {host} resolves to a non-public address ({address})"
    return None


class DeliveryWorker:
    """Fans out, announces and delivers; ``run_once`` does one round, ``start`` runs rounds in
    a thread until ``stop``."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        clock: Clock = utcnow,
        http: httpx.Client | None = None,
        rng: random.Random | None = None,
        policies: PolicyCache | None = None,
        retry: RetryPolicy | None = None,
        lease: dt.timedelta = dt.timedelta(seconds=60),
        batch: int = 20,
        poll_interval: float = 1.0,
        timeout: float = 15.0,
        sources: Sequence[EventSource] = (announce_overdue, municipal_contacts.announce_overdue),
        worker_id: str | None = None,
        allow_private_targets: bool = False,
    ) -> None:
        self.sessions = sessions
        self.allow_private_targets = allow_private_targets
        self.clock = clock
        self._owns_http = http is None
        # No redirects: Standard Webhooks counts a 3xx as a failure, and following one would
        # send the signed event somewhere the partner did not subscribe.
        self.http = http or httpx.Client(timeout=timeout, follow_redirects=False)
        self.rng = rng or random.Random()
        self.policies = policies or PolicyCache()
        self.retry = retry or RetryPolicy()
        self.lease = lease
        self.batch = batch
        self.poll_interval = poll_interval
        self.sources = tuple(sources)
        self.worker_id = worker_id or f"worker-{uuid.uuid4().hex[:12]}"
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    # -- one round ---------------------------------------------------------------------

    def run_once(self) -> RoundReport:
        """Fan out new events, run the event sources, and attempt every due delivery."""
        report = RoundReport()
        now = self.clock()
        with self.sessions.begin() as session:
            report.fanned_out = outbox.fan_out(session, self.policies.engine(session), now)
        for source in self.sources:
            with self.sessions.begin() as session:
                report.announced += source(session, now)
        if report.announced:  # the sources' events go out in this round, not the next
            with self.sessions.begin() as session:
                report.fanned_out += outbox.fan_out(session, self.policies.engine(session), now)
        for delivery in self.claim(self.clock()):
            result = self.send(delivery)
            if self.record(delivery, result) and result.succeeded:
                report.delivered += 1
            elif not result.succeeded:
                report.failed_attempts += 1
        return report

    def claim(self, now: dt.datetime) -> list[ClaimedDelivery]:
        """Take the lease on up to ``batch`` due deliveries."""
        with self.sessions.begin() as session:
            due = (
                select(WebhookDelivery.id)
                .join(
                    WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id
                )
                .where(
                    WebhookDelivery.status == DeliveryStatus.PENDING,
                    WebhookDelivery.next_attempt_at <= now,
                    or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < now),
                    WebhookSubscription.disabled_at.is_(None),
                )
                .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
                .limit(self.batch)
            )
            if session.get_bind().dialect.name == "postgresql":
                # Rows another worker is claiming right now are skipped, not waited for.
                due = due.with_for_update(skip_locked=True, of=WebhookDelivery)
            taken = []
            for delivery_id in session.scalars(due).all():
                # Compare-and-set: only if nobody took it since we looked (SQLite has no row
                # locks; on PostgreSQL the row lock makes this certain anyway).
                result = session.execute(
                    update(WebhookDelivery)
                    .where(
                        WebhookDelivery.id == delivery_id,
                        WebhookDelivery.status == DeliveryStatus.PENDING,
                        or_(
                            WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < now
                        ),
                    )
                    .values(lease_until=now + self.lease, claimed_by=self.worker_id)
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount == 1:  # type: ignore[attr-defined]
                    taken.append(delivery_id)
            if not taken:
                return []
            rows = session.execute(
                select(WebhookDelivery, OutboxEvent, WebhookSubscription)
                .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
                .join(
                    WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id
                )
                .where(WebhookDelivery.id.in_(taken))
                .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
            ).all()
            return [
                ClaimedDelivery(
                    delivery_id=d.id,
                    subscription_id=s.id,
                    webhook_id=str(e.id),
                    event_type=str(e.type),
                    case_id=e.case_id,
                    occurred_at=e.occurred_at,
                    url=s.url,
                    secret=s.secret,
                    attempts=d.attempts,
                )
                for d, e, s in rows
            ]

    def send(self, delivery: ClaimedDelivery) -> AttemptResult:
        """POST one signed webhook; never raises for what the network or receiver does."""
        if not self.allow_private_targets:
            refused = non_public_target(delivery.url)
            if refused is not None:
                return AttemptResult(None, refused)
        body = payload(delivery)
        stamp = int(self.clock().timestamp())
        headers = signing.headers(delivery.secret, delivery.webhook_id, stamp, body)
        try:
            # Streamed: only the status line and headers are read, never a large answer body.
            with self.http.stream("POST", delivery.url, content=body, headers=headers) as response:
                code = response.status_code
                retry_after = _retry_after(response)
        except httpx.HTTPError as exc:
            return AttemptResult(None, f"{type(exc).__name__}: {exc}"[:300])
        error = None if 200 <= code < 300 else f"HTTP {code}"
        return AttemptResult(code, error, retry_after)

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
        """Finish the current round and stop; a claimed delivery left unrecorded is taken
        again by any worker once its lease runs out."""
        self._stopping.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        if self._owns_http:
            self.http.close()

    @property
    def running(self) -> bool:
        """Whether the background thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def run_forever(self) -> None:
        """Run rounds in the calling thread until ``stop`` (or ``request_stop``)."""
        while not self._stopping.is_set():
            try:
                busy = self.run_once().busy
            except Exception:
                # One bad round (database restarting, say) must not end the worker: the
                # outbox keeps the work, and the next round takes it up again.
                log.exception("delivery round failed; trying again")
                busy = False
            if not busy:
                self._stopping.wait(self.poll_interval)

    def request_stop(self) -> None:
        """Ask ``run_forever`` to return after the current round (from a signal handler)."""
        self._stopping.set()
