"""Early signals of a case (*vroegsignalen*), the reply clocks they start, the covenant's
reply terms per municipality, and collection pauses while help is accepted."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Numeric, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from registry.coltypes import Slug, Timestamp, UtcDateTime, UuidPk, utcnow
from registry.db import Base
from registry.models.partner import str_enum


class SignalSource(StrEnum):
    """Who gave the signal: the landlord, or another creditor the Wet gemeentelijke
    schuldhulpverlening lets signal payment arrears (energy, water, health insurance)."""

    LANDLORD = "landlord"
    ENERGY_SUPPLIER = "energy_supplier"
    WATER_COMPANY = "water_company"
    HEALTH_INSURER = "health_insurer"


class ReplyClock(StrEnum):
    """The two clocks a signal starts: the district team's reply to the signaller, and the
    municipality's offer of help to the household."""

    DISTRICT_TEAM = "district_team"
    HELP_OFFER = "help_offer"


class PauseReason(StrEnum):
    """Why collection is paused (*het incassoproces wordt op pauze gezet*)."""

    HELP_ACCEPTED = "help_accepted"
    DEBT_COUNSELLING = "debt_counselling"
    PAYMENT_ARRANGEMENT = "payment_arrangement"
    OTHER = "other"


class CaseSignal(Base):
    """One signal of a case: when, how far in arrears at that moment, from whom, and the
    reply clocks it started (due dates and when each was answered)."""

    __tablename__ = "case_signal"

    id: Mapped[UuidPk]
    case_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("case_record.id", ondelete="CASCADE"), index=True
    )
    signalled_on: Mapped[dt.date] = mapped_column(Date)
    #: Months of arrears at the signal, to the half month (Zaanstad signals at 1.5).
    arrears_months: Mapped[Decimal] = mapped_column(Numeric(4, 1))
    arrears_amount: Mapped[Decimal] = mapped_column(Numeric(10, 2))
    source: Mapped[SignalSource] = mapped_column(str_enum(SignalSource, "signal_source"))
    repeat: Mapped[bool]
    recorded_by: Mapped[Slug] = mapped_column(ForeignKey("partner.id"))
    recorded_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    district_team_due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    district_team_replied_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    district_team_overdue_announced_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    help_offer_due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    help_offered_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    help_offer_overdue_announced_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class SignalReplyTerms(Base):
    """A municipality's covenant terms for answering a signal, in working days."""

    __tablename__ = "signal_reply_terms"

    municipality_code: Mapped[str] = mapped_column(
        ForeignKey("municipality.code"), primary_key=True
    )
    district_team_days: Mapped[int]
    help_offer_days: Mapped[int]
    set_by: Mapped[Slug] = mapped_column(ForeignKey("partner.id"))
    set_at: Mapped[Timestamp] = mapped_column(default=utcnow)


class CollectionPause(Base):
    """Collection paused from a day (until a day, if known), and why."""

    __tablename__ = "collection_pause"

    id: Mapped[UuidPk]
    case_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("case_record.id", ondelete="CASCADE"), index=True
    )
    paused_from: Mapped[dt.date] = mapped_column(Date)
    paused_until: Mapped[dt.date | None] = mapped_column(Date)
    reason: Mapped[PauseReason] = mapped_column(str_enum(PauseReason, "pause_reason"))
    recorded_by: Mapped[Slug] = mapped_column(ForeignKey("partner.id"))
    recorded_at: Mapped[Timestamp] = mapped_column(default=utcnow)
