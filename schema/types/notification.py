"""GraphQL types of webhook subscriptions and deliveries."""

from __future__ import annotations

import datetime as dt

import strawberry

from registry.models import DeliveryStatus

# strawberry.enum decorates the registry's enum itself and returns it, and strawberry would
# register an undecorated enum under its class name on first use anyway: fields are annotated
# with the registry's enums. The names below are those same classes, for resolvers' imports.
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
    status: DeliveryStatus
    attempts: int
    last_attempt_at: dt.datetime | None
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: dt.datetime | None
    delivered_at: dt.datetime | None
