"""Notifications: the transactional outbox of events, partners' webhook subscriptions, and one
delivery per subscription per event."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.coltypes import Slug, Timestamp, UtcDateTime, UuidPk, utcnow
from registry.db import Base
from registry.events import WebhookEventType

#: The webhook types, part of the event vocabulary: the outbox stores them by value.
EventType = WebhookEventType


class DeliveryStatus(StrEnum):
    """Where one webhook delivery stands."""

    PENDING = "pending"  # waiting for its first or next attempt
    DELIVERED = "delivered"  # the receiver answered 2xx
    FAILED = "failed"  # every attempt failed; given up
    CANCELLED = "cancelled"  # the subscription was disabled (a 410 answer, or unsubscribed)


def _event_type() -> Enum:
    # Stored by value as a plain string, without a CHECK constraint: later event types need
    # no migration. Longer than other enums: "inventory.pickup_requested" and the like.
    return Enum(
        EventType,
        name="event_type",
        native_enum=False,
        create_constraint=False,
        length=64,
        values_callable=lambda e: [m.value for m in e],
    )


def _delivery_status() -> Enum:
    return Enum(
        DeliveryStatus,
        name="delivery_status",
        native_enum=False,
        create_constraint=False,
        length=32,
        values_callable=lambda e: [m.value for m in e],
    )


class OutboxEvent(Base):
    """An event, written in the same transaction as the change it reports (transactional
    outbox). Holds no personal data: a type, a case id, a time, and which policy field the
    event makes known, so that only partners who may read that field are told.

    No foreign key to the case, like the access log: erasing a case keeps what was sent.
    """

    __tablename__ = "outbox_event"

    id: Mapped[UuidPk]
    type: Mapped[EventType] = mapped_column(_event_type())
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid(), index=True)
    #: The policy field whose change this event makes known (``evictionDate``, ``phase``, ...).
    reveals: Mapped[str] = mapped_column(String(64))
    #: Ids and codes beyond the case naming what the event is about (an agreement, a review's
    #: number), passed on in the webhook's ``data``; NULL for most events. Never personal data.
    detail: Mapped[dict[str, str | int] | None] = mapped_column(JSON)
    occurred_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    #: The W3C ``traceparent`` of the request that caused the event (NULL for a timed one):
    #: its webhooks continue that trace, so a partner can follow a change to its notices.
    traceparent: Mapped[str | None] = mapped_column(String(55))
    #: When a worker turned it into deliveries; NULL until then (the worker's to-do list).
    fanned_out_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime(), index=True)
    #: Whom it is addressed to whatever the field policies say (read in bulk at fan-out).
    addressees: Mapped[list[OutboxAddressee]] = relationship(
        lazy="raise", cascade="all, delete-orphan"
    )


class OutboxAddressee(Base):
    """A partner an outbox event is addressed to whatever the field policies say: an overdue
    action item's assignee, a case's coordinator told of who joins its case, each party to an
    agreement. Still only told while it relates to the case (the channel fails closed).

    One row per (event, partner), as many as the event needs: an agreement has three or more
    parties. No foreign key to the partner, like the event's case: what was sent is kept.
    """

    __tablename__ = "outbox_addressee"

    event_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("outbox_event.id", ondelete="CASCADE"), primary_key=True
    )
    partner_id: Mapped[str] = mapped_column(String(64), primary_key=True)


class WebhookSubscription(Base):
    """A partner system's webhook endpoint and the event types it wants."""

    __tablename__ = "webhook_subscription"

    id: Mapped[UuidPk]
    partner_id: Mapped[Slug] = mapped_column(ForeignKey("partner.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    event_types: Mapped[list[str]] = mapped_column(JSON)
    #: ``whsec_<base64>``: the Standard Webhooks signing secret, shown to the partner once.
    secret: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    disabled_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    disabled_reason: Mapped[str | None] = mapped_column(String(200))


class WebhookDelivery(Base):
    """One event for one subscription. Unique per (subscription, event): an event reaches an
    endpoint once, however often its delivery is attempted (always with the same
    ``webhook-id``)."""

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        UniqueConstraint("subscription_id", "event_id"),
        Index("ix_webhook_delivery_due", "status", "next_attempt_at"),
    )

    id: Mapped[UuidPk]
    subscription_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("webhook_subscription.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("outbox_event.id"))
    status: Mapped[DeliveryStatus] = mapped_column(_delivery_status())
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[Timestamp]
    #: A worker's claim: it alone attempts the delivery until the lease runs out.
    lease_until: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    last_attempt_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(String(300))
    delivered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    created_at: Mapped[Timestamp] = mapped_column(default=utcnow)
