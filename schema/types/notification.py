"""GraphQL types of webhook subscriptions and deliveries."""

from __future__ import annotations

import datetime as dt

import strawberry

from registry.models import DeliveryStatus

DeliveryStatusType = strawberry.enum(DeliveryStatus, name="DeliveryStatus")


@strawberry.type(description="A webhook endpoint of yours and the event types it receives.")
class WebhookSubscription:
    id: strawberry.ID
    url: str
    event_types: list[str]
    created_at: dt.datetime
    active: bool
    disabled_at: dt.datetime | None
    disabled_reason: str | None


@strawberry.type(
    description=(
        "A new subscription and its signing secret (`whsec_...`, Standard Webhooks). The "
        "secret is shown this once: store it to verify `webhook-signature`."
    )
)
class NewWebhookSubscription:
    subscription: WebhookSubscription
    secret: str


@strawberry.type(
    description=(
        "One event for one of your subscriptions. `eventId` is the `webhook-id` header of "
        "every attempt."
    )
)
class WebhookDelivery:
    id: strawberry.ID
    subscription_id: strawberry.ID
    event_id: strawberry.ID
    event_type: str
    case_id: strawberry.ID
    occurred_at: dt.datetime
    status: DeliveryStatusType  # type: ignore[valid-type]
    attempts: int
    last_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
