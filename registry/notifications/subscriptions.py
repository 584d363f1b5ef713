"""Webhook subscriptions as a partner manages them: subscribe a URL to event types, unsubscribe,
and see what was delivered and what failed. A partner only ever sees its own."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from registry.errors import ConflictError, InvalidInputError, NotFoundError
from registry.lengths import check_length
from registry.models import (
    DeliveryStatus,
    EventType,
    OutboxEvent,
    WebhookDelivery,
    WebhookSubscription,
)
from registry.notifications.signing import new_secret
from registry.notifications.targets import TargetPolicy

if TYPE_CHECKING:
    from registry.request import RequestScope

MAX_DELIVERIES = 500


def _parse_id(text: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except (ValueError, AttributeError, TypeError):
        raise InvalidInputError(f"{text!r} is not a {what} id (a UUID)") from None


def _check_url(url: str, targets: TargetPolicy) -> str:
    url = url.strip()
    check_length(WebhookSubscription.url, url, "url")
    return targets.admit(url)


def _check_event_types(names: Sequence[str]) -> list[str]:
    if not names:
        raise InvalidInputError("subscribe to at least one event type")
    known = {t.value for t in EventType}
    unknown = sorted({n for n in names if n not in known})
    if unknown:
        raise InvalidInputError(
            f"unknown event type: {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    return sorted(set(names))


def subscribe(scope: RequestScope, url: str, event_types: Sequence[str]) -> WebhookSubscription:
    """Subscribe the caller's endpoint; the new row carries the signing secret, which the
    caller is shown this once. The deployment's address policy (``scope.webhook_targets``)
    refuses a URL with an ``InvalidInputError``, and nothing is stored."""
    subscription = WebhookSubscription(
        id=uuid.uuid4(),
        partner_id=scope.principal.partner_id,
        url=_check_url(url, scope.webhook_targets),
        event_types=_check_event_types(event_types),
        secret=new_secret(),
        created_at=scope.now,
    )
    scope.session.add(subscription)
    scope.session.flush()
    return subscription


def _own(scope: RequestScope, subscription_id: str) -> WebhookSubscription:
    subscription = scope.session.get(
        WebhookSubscription, _parse_id(subscription_id, "subscription")
    )
    if subscription is None or subscription.partner_id != scope.principal.partner_id:
        raise NotFoundError(f"subscription {subscription_id} not found among yours")
    return subscription


def disable(
    session: Session, subscription: WebhookSubscription, reason: str, now: dt.datetime
) -> None:
    """Stop a subscription: no new deliveries, and its pending ones are cancelled."""
    subscription.disabled_at = now
    subscription.disabled_reason = reason[:200]
    session.execute(
        update(WebhookDelivery)
        .where(
            WebhookDelivery.subscription_id == subscription.id,
            WebhookDelivery.status == DeliveryStatus.PENDING,
        )
        .values(status=DeliveryStatus.CANCELLED, lease_until=None, claimed_by=None)
    )
    session.flush()


def unsubscribe(scope: RequestScope, subscription_id: str) -> WebhookSubscription:
    """Stop one of the caller's subscriptions (kept, disabled, with its delivery history)."""
    subscription = _own(scope, subscription_id)
    if subscription.disabled_at is not None:
        raise ConflictError(
            f"subscription {subscription_id} is disabled already ({subscription.disabled_reason})"
        )
    disable(scope.session, subscription, "unsubscribed", scope.now)
    return subscription


def list_subscriptions(scope: RequestScope) -> Sequence[WebhookSubscription]:
    """The caller's subscriptions, oldest first, disabled ones included."""
    return scope.session.scalars(
        select(WebhookSubscription)
        .where(WebhookSubscription.partner_id == scope.principal.partner_id)
        .order_by(WebhookSubscription.created_at, WebhookSubscription.id)
    ).all()


@dataclass(frozen=True)
class DeliveryRecord:
    """One delivery of one event to one of the caller's subscriptions."""

    delivery: WebhookDelivery
    event: OutboxEvent


def list_deliveries(
    scope: RequestScope,
    *,
    status: DeliveryStatus | None = None,
    subscription_id: str | None = None,
    first: int = 50,
) -> list[DeliveryRecord]:
    """The caller's deliveries, newest first: what was delivered, what is still being tried,
    and what failed (with the last status code or error)."""
    if not 1 <= first <= MAX_DELIVERIES:
        raise InvalidInputError(f"first must be between 1 and {MAX_DELIVERIES}")
    stmt = (
        select(WebhookDelivery, OutboxEvent)
        .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(WebhookSubscription.partner_id == scope.principal.partner_id)
    )
    if status is not None:
        stmt = stmt.where(WebhookDelivery.status == status)
    if subscription_id is not None:
        stmt = stmt.where(
            WebhookDelivery.subscription_id == _parse_id(subscription_id, "subscription")
        )
    stmt = stmt.order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id).limit(first)
    return [DeliveryRecord(d, e) for d, e in scope.session.execute(stmt).all()]


def redeliver(scope: RequestScope, delivery_id: str) -> DeliveryRecord:
    """Try a failed delivery again from now (Standard Webhooks: manual retries after an
    outage). Same event, same ``webhook-id``: the receiver can still tell it apart."""
    session = scope.session
    found = session.execute(
        select(WebhookDelivery, OutboxEvent, WebhookSubscription)
        .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
        .join(WebhookSubscription, WebhookSubscription.id == WebhookDelivery.subscription_id)
        .where(WebhookDelivery.id == _parse_id(delivery_id, "delivery"))
    ).first()
    if found is None or found[2].partner_id != scope.principal.partner_id:
        raise NotFoundError(f"delivery {delivery_id} not found among yours")
    delivery, event, subscription = found
    if subscription.disabled_at is not None:
        raise ConflictError("its subscription is disabled: subscribe the endpoint again")
    if delivery.status is not DeliveryStatus.FAILED:
        raise ConflictError(f"only a failed delivery is tried again; this one is {delivery.status}")
    delivery.status = DeliveryStatus.PENDING
    delivery.next_attempt_at = scope.now
    delivery.lease_until = None
    delivery.claimed_by = None
    session.flush()
    return DeliveryRecord(delivery, event)
