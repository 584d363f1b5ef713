"""Claiming due deliveries: a lease, a compare-and-set, and a fair share per subscription.

A worker takes the lease on a delivery before posting it. On PostgreSQL the candidates are
picked with ``FOR UPDATE SKIP LOCKED``, so workers do not queue behind each other; on every
database the claim itself is a compare-and-set (``status`` pending and no live lease), so a
delivery is never attempted by two workers while its lease lasts.

Fairness: a subscription has at most ``per_subscription`` deliveries in flight, counted as its
live leases over every worker. A receiver that hangs thus holds at most that many post threads,
and its backlog never crowds out other subscriptions' due deliveries from a claim.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import ColumnElement, func, or_, select, update
from sqlalchemy.orm import Session

from registry.models import DeliveryStatus, OutboxEvent, WebhookDelivery, WebhookSubscription


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
    #: The trace of the request that caused the event, which each attempt continues.
    traceparent: str | None = None
    #: Ids and codes beyond the case the webhook's ``data`` carries (an agreement's id).
    detail: Mapping[str, str | int] | None = None


def _lease_free(now: dt.datetime) -> ColumnElement[bool]:
    return or_(WebhookDelivery.lease_until.is_(None), WebhookDelivery.lease_until < now)


def claim(
    session: Session,
    now: dt.datetime,
    *,
    worker_id: str,
    lease: dt.timedelta,
    limit: int,
    per_subscription: int,
) -> list[ClaimedDelivery]:
    """Take the lease on up to ``limit`` due deliveries, oldest due first, leaving every
    subscription at most ``per_subscription`` in flight."""
    if limit < 1:
        return []
    in_flight = (
        select(WebhookDelivery.subscription_id, func.count().label("leased"))
        .where(
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.lease_until >= now,
        )
        .group_by(WebhookDelivery.subscription_id)
        .subquery()
    )
    due = (
        select(
            WebhookDelivery.id,
            WebhookDelivery.subscription_id,
            WebhookDelivery.next_attempt_at,
            func.row_number()
            .over(
                partition_by=WebhookDelivery.subscription_id,
                order_by=(WebhookDelivery.next_attempt_at, WebhookDelivery.id),
            )
            .label("place"),
        )
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(
            WebhookDelivery.status == DeliveryStatus.PENDING,
            WebhookDelivery.next_attempt_at <= now,
            _lease_free(now),
            WebhookSubscription.disabled_at.is_(None),
        )
        .subquery()
    )
    fair = (
        select(due.c.id)
        .outerjoin(in_flight, in_flight.c.subscription_id == due.c.subscription_id)
        .where(due.c.place + func.coalesce(in_flight.c.leased, 0) <= per_subscription)
        .order_by(due.c.next_attempt_at, due.c.id)
        .limit(limit)
    )
    candidates = select(WebhookDelivery.id).where(WebhookDelivery.id.in_(fair))
    if session.get_bind().dialect.name == "postgresql":
        # Rows another worker is claiming right now are skipped, not waited for. (The lock is
        # taken here, outside the window function, where PostgreSQL allows it.)
        candidates = candidates.with_for_update(skip_locked=True, of=WebhookDelivery)
    taken = []
    for delivery_id in session.scalars(candidates).all():
        # Compare-and-set: only if nobody took it since we looked (SQLite has no row locks; on
        # PostgreSQL the row lock makes this certain anyway).
        result = session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id == delivery_id,
                WebhookDelivery.status == DeliveryStatus.PENDING,
                _lease_free(now),
            )
            .values(lease_until=now + lease, claimed_by=worker_id)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            taken.append(delivery_id)
    if not taken:
        return []
    rows = session.execute(
        select(WebhookDelivery, OutboxEvent, WebhookSubscription)
        .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
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
            traceparent=e.traceparent,
            detail=e.detail,
        )
        for d, e, s in rows
    ]
