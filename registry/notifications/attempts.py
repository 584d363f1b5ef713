"""One delivery attempt: the thin, signed webhook body POSTed to an address the target policy
allows, what came back (``AttemptResult``), and how it is recorded: delivered, cancelled (the
receiver answered 410 Gone, which also disables its subscription), failed after the last
retry, or due again after a backoff (never sooner than the receiver's ``Retry-After``).

Only the worker that still holds a delivery's claim records its attempt
(``registry.notifications.claims``).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import random
import ssl
from collections.abc import Callable
from dataclasses import dataclass

import httpcore
from sqlalchemy import update
from sqlalchemy.orm import Session, sessionmaker

from registry import tracing
from registry.errors import InvalidInputError
from registry.models import DeliveryStatus, WebhookDelivery, WebhookSubscription
from registry.notifications import pinned, signing, subscriptions
from registry.notifications.claims import ClaimedDelivery
from registry.notifications.retry import RetryPolicy
from registry.notifications.targets import TargetPolicy

log = logging.getLogger(__name__)

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


def payload(delivery: ClaimedDelivery) -> bytes:
    """The thin webhook body: type, time, event id and case id (and the ids and codes of the
    event's detail, as an agreement's id); no personal data. The receiver fetches the case
    through the registry, which applies the policies."""
    document = {
        "type": delivery.event_type,
        "timestamp": delivery.occurred_at.astimezone(dt.UTC).isoformat().replace("+00:00", "Z"),
        "data": {
            **(delivery.detail or {}),
            "eventId": delivery.webhook_id,
            "caseId": str(delivery.case_id),
        },
    }
    return json.dumps(document, separators=(",", ":"), sort_keys=True).encode()


def _retry_after(headers: dict[str, str]) -> dt.timedelta | None:
    value = headers.get("retry-after", "")
    if value.isdigit():
        return dt.timedelta(seconds=int(value))
    return None  # an HTTP date or nonsense: the backoff decides


def send(
    delivery: ClaimedDelivery,
    targets: TargetPolicy,
    clock: Callable[[], dt.datetime],
    *,
    connect_timeout: float,
    timeout: float,
    ssl_context: ssl.SSLContext | None,
) -> AttemptResult:
    """Check the URL against the address policy and POST one signed webhook to an address
    that passed; never raises for what DNS, the network or the receiver does.

    ``connect_timeout`` bounds connecting (TLS included) and ``timeout`` the whole attempt,
    in seconds; the signature's timestamp is ``clock``'s time of the post.
    """
    try:
        target = targets.check(delivery.url)
    except InvalidInputError as exc:
        return AttemptResult(None, exc.message)
    body = payload(delivery)
    stamp = int(clock().timestamp())
    headers = signing.headers(delivery.secret, delivery.webhook_id, stamp, body)
    # Each attempt is a span of the trace of the request that caused the event; the receiver
    # gets it as its parent, so the partner's trace runs from its request to its notice.
    with tracing.span(
        f"webhook {delivery.event_type}", delivery.traceparent, kind="client"
    ) as trace:
        headers["traceparent"] = trace.traceparent
        try:
            answer = pinned.post(
                target,
                body,
                headers,
                connect_timeout=connect_timeout,
                deadline=timeout,
                ssl_context=ssl_context,
            )
        except pinned.TRANSPORT_ERRORS as exc:
            return AttemptResult(None, _describe(exc, connect_timeout, timeout))
        tracing.annotate(**{"http.response.status_code": answer.status})
    code = answer.status
    error = None if 200 <= code < 300 else f"HTTP {code}"
    return AttemptResult(code, error, _retry_after(answer.headers))


def _describe(failure: Exception, connect_timeout: float, timeout: float) -> str:
    name = type(failure).__name__
    if isinstance(failure, httpcore.ConnectTimeout):
        return f"{name}: no connection within {connect_timeout:g} s"
    if isinstance(failure, httpcore.TimeoutException):
        return f"{name}: no answer within {timeout:g} s"
    return f"{name}: {failure}"[:300]


def record(
    sessions: sessionmaker[Session],
    delivery: ClaimedDelivery,
    result: AttemptResult,
    *,
    worker_id: str,
    now: dt.datetime,
    retry: RetryPolicy,
    rng: random.Random,
) -> bool:
    """Record an attempt's result at ``now``, if ``worker_id`` still holds the claim (returns
    whether it did). A 410 answer disables the subscription."""
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
    elif retry.gives_up(attempts):
        values.update(status=DeliveryStatus.FAILED)
    else:
        wait = retry.delay(attempts, rng)
        if result.retry_after is not None:  # the receiver said when; never past the cap
            wait = max(wait, min(result.retry_after, retry.cap))
        values.update(next_attempt_at=now + wait)
    with sessions.begin() as session:
        updated = session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery.delivery_id,
                WebhookDelivery.claimed_by == worker_id,
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
                subscriptions.disable(session, subscription, "the receiver answered 410 Gone", now)
    return True
