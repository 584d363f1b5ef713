"""Queries and mutations on webhook subscriptions and their deliveries."""

from __future__ import annotations

import strawberry

from registry.models import DeliveryStatus, EventType
from registry.models import WebhookSubscription as SubscriptionRow
from registry.notifications import subscriptions
from schema.context import Info, scope_of
from schema.types.notification import (
    NewWebhookSubscription,
    WebhookDelivery,
    WebhookSubscription,
)


def _subscription(row: SubscriptionRow) -> WebhookSubscription:
    return WebhookSubscription(
        id=strawberry.ID(str(row.id)),
        url=row.url,
        event_types=list(row.event_types),
        created_at=row.created_at,
        active=row.disabled_at is None,
        disabled_at=row.disabled_at,
        disabled_reason=row.disabled_reason,
    )


def _delivery(record: subscriptions.DeliveryRecord) -> WebhookDelivery:
    d, e = record.delivery, record.event
    return WebhookDelivery(
        id=strawberry.ID(str(d.id)),
        subscription_id=strawberry.ID(str(d.subscription_id)),
        event_id=strawberry.ID(str(e.id)),
        event_type=str(e.type),
        case_id=strawberry.ID(str(e.case_id)),
        occurred_at=e.occurred_at,
        status=d.status,
        attempts=d.attempts,
        last_attempt_at=d.last_attempt_at,
        last_status_code=d.last_status_code,
        last_error=d.last_error,
        next_attempt_at=d.next_attempt_at if str(d.status) == "pending" else None,
        delivered_at=d.delivered_at,
    )


@strawberry.type
class NotificationQuery:
    @strawberry.field(description="The event types a webhook may subscribe to.")
    def webhook_event_types(self) -> list[str]:
        return [t.value for t in EventType]

    @strawberry.field(description="Your webhook subscriptions, disabled ones included.")
    def webhook_subscriptions(self, info: Info) -> list[WebhookSubscription]:
        return [_subscription(s) for s in subscriptions.list_subscriptions(scope_of(info))]

    @strawberry.field(description="Your webhook deliveries, newest first, with their failures.")
    def webhook_deliveries(
        self,
        info: Info,
        status: DeliveryStatus | None = None,
        subscription_id: strawberry.ID | None = None,
        first: int = 50,
    ) -> list[WebhookDelivery]:
        found = subscriptions.list_deliveries(
            scope_of(info), status=status, subscription_id=subscription_id, first=first
        )
        return [_delivery(r) for r in found]


@strawberry.type
class NotificationMutation:
    @strawberry.mutation(
        description="Subscribe an http(s) endpoint of yours to event types (see webhookEventTypes)."
    )
    def subscribe_webhook(
        self, info: Info, url: str, event_types: list[str]
    ) -> NewWebhookSubscription:
        row = scope_of(info).mutate(subscriptions.subscribe, url, event_types)
        return NewWebhookSubscription(subscription=_subscription(row), secret=row.secret)

    @strawberry.mutation(description="Stop a subscription of yours; its history stays.")
    def unsubscribe_webhook(self, info: Info, id: strawberry.ID) -> WebhookSubscription:
        return _subscription(scope_of(info).mutate(subscriptions.unsubscribe, id))

    @strawberry.mutation(description="Try a failed delivery of yours again, from now.")
    def redeliver_webhook(self, info: Info, id: strawberry.ID) -> WebhookDelivery:
        return _delivery(scope_of(info).mutate(subscriptions.redeliver, id))
