"""An evicted household's stored goods (*opgeslagen inboedel*, art. 556 lid 3 Rv), the pickups
asked for, and the municipal contact (*contactmoment*) each pickup request triggers."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, Numeric, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.coltypes import Slug, Timestamp, UtcDateTime, UuidPk
from registry.db import Base
from registry.models.partner import str_enum


class InventoryStatus(StrEnum):
    """Where the goods are."""

    STORED = "stored"  # in storage, for the household to collect
    COLLECTED = "collected"  # the household picked them up
    DISPOSED = "disposed"  # uncollected, then sold, given away or destroyed


class PickupStatus(StrEnum):
    """Where a pickup request stands."""

    ON_HOLD = "on_hold"  # waiting for the municipal contact's outcome
    RELEASED = "released"  # the municipality authorised the release
    COLLECTED = "collected"  # the goods were handed over
    LAPSED = "lapsed"  # released, not collected, and the goods were disposed of after all


class ContactOutcome(StrEnum):
    """What came of the municipal contact a pickup triggered."""

    HELP_OFFERED = "help_offered"  # reached; help offered, the household will think it over
    HELP_ACCEPTED = "help_accepted"  # reached; the household accepted help
    HELP_DECLINED = "help_declined"  # reached; the household declined help
    NOT_REACHED = "not_reached"  # not reached, after the attempts recorded


class Disposition(StrEnum):
    """What became of goods not collected in time (Awb 5:30 by analogy)."""

    SOLD = "sold"  # the former owner may claim the proceeds for three years
    GIVEN_AWAY = "given_away"  # selling proved impossible: given to a third party
    DESTROYED = "destroyed"


class StoredInventory(Base):
    """The goods removed at a case's eviction and stored for the municipality; one per case.

    Holds no personal data: the description says what and how much, never whose.
    """

    __tablename__ = "inventory"
    __table_args__ = (Index("ix_inventory_status_removed", "status", "removed_on"),)

    id: Mapped[UuidPk]
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("case_record.id"), unique=True)
    #: The case's municipality when the goods were stored: the one that keeps them.
    municipality_code: Mapped[Slug] = mapped_column(ForeignKey("municipality.code"), index=True)
    storage_provider_id: Mapped[Slug] = mapped_column(ForeignKey("partner.id"), index=True)
    location_code: Mapped[str] = mapped_column(String(64))
    #: Nature and size of the goods, without personal data.
    description: Mapped[str] = mapped_column(String(500))
    volume_m3: Mapped[Decimal | None] = mapped_column(Numeric(6, 1))
    #: Perishable or dangerous goods may be disposed of without waiting (Awb 5:30).
    perishable_or_dangerous: Mapped[bool]
    removed_on: Mapped[dt.date] = mapped_column(Date)
    record_copy_handed_over_on: Mapped[dt.date] = mapped_column(Date)
    recorded_by: Mapped[Slug]
    recorded_at: Mapped[Timestamp]
    status: Mapped[InventoryStatus] = mapped_column(str_enum(InventoryStatus, "inventory_status"))
    collected_on: Mapped[dt.date | None] = mapped_column(Date)
    disposition: Mapped[Disposition | None] = mapped_column(str_enum(Disposition, "disposition"))
    disposed_on: Mapped[dt.date | None] = mapped_column(Date)
    proceeds: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    #: Random; the log holds only a salted hash of the proceeds, so the amount stays out of it
    #: while the registry can still show the amount it logged.
    proceeds_nonce: Mapped[str | None] = mapped_column(String(32))
    claimable_until: Mapped[dt.date | None] = mapped_column(Date)
    disposal_recorded_by: Mapped[str | None] = mapped_column(String(64))
    disposal_recorded_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    #: Wrong pickup codes tried since the last code was issued: verification is refused from
    #: ``inventory.pickup_codes.MAX_WRONG_CODES`` on, so a code cannot be guessed at the door.
    pickup_code_failures: Mapped[int] = mapped_column(default=0, server_default="0")
    version: Mapped[int] = mapped_column(default=1)

    pickups: Mapped[list[PickupRequest]] = relationship(
        lazy="raise", order_by="PickupRequest.requested_at", cascade="all, delete-orphan"
    )


class PickupRequest(Base):
    """The household (or someone for it) asked to pick up its goods; on hold until the
    municipal contact it triggered has an outcome and the municipality releases it."""

    __tablename__ = "pickup_request"

    id: Mapped[UuidPk]
    inventory_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("inventory.id", ondelete="CASCADE"), index=True
    )
    requested_by: Mapped[Slug]
    requested_at: Mapped[Timestamp]
    status: Mapped[PickupStatus] = mapped_column(str_enum(PickupStatus, "pickup_status"))
    released_by: Mapped[str | None] = mapped_column(String(64))
    released_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    collected_on: Mapped[dt.date | None] = mapped_column(Date)
    collection_recorded_by: Mapped[str | None] = mapped_column(String(64))
    #: The one-time pickup code for the household, stored only as an Argon2id hash
    #: (``registry.inventory.pickup_codes``); None once it was accepted.
    pickup_code_hash: Mapped[str | None] = mapped_column(String(128))
    pickup_code_issued_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    pickup_code_accepted_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    contact: Mapped[MunicipalContact] = relationship(
        back_populates="pickup", lazy="raise", uselist=False, cascade="all, delete-orphan"
    )


class MunicipalContact(Base):
    """The municipality's task to reach the household again, triggered by a pickup request
    (*contactmoment*, Zaanstad's practice): due within a few working days, closed by its
    outcome."""

    __tablename__ = "municipal_contact"
    __table_args__ = (Index("ix_municipal_contact_open_due", "recorded_at", "due_on"),)

    id: Mapped[UuidPk]
    pickup_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("pickup_request.id", ondelete="CASCADE"), unique=True
    )
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("case_record.id"), index=True)
    municipality_code: Mapped[Slug] = mapped_column(ForeignKey("municipality.code"), index=True)
    #: The partner that speaks for the municipality when the task was made (None: it has none
    #: yet; the task is still listed for whoever becomes its authority).
    assignee_id: Mapped[str | None] = mapped_column(ForeignKey("partner.id"))
    opened_at: Mapped[Timestamp]
    due_on: Mapped[dt.date] = mapped_column(Date)
    outcome: Mapped[ContactOutcome | None] = mapped_column(
        str_enum(ContactOutcome, "contact_outcome")
    )
    attempts: Mapped[int | None]
    contacted_on: Mapped[dt.date | None] = mapped_column(Date)
    recorded_by: Mapped[str | None] = mapped_column(String(64))
    recorded_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    #: When the delivery worker announced that the task is overdue (once per task).
    overdue_announced_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    pickup: Mapped[PickupRequest] = relationship(back_populates="contact", lazy="raise")
