"""Case meetings (*casusoverleg*): a municipality's gebiedsteam, eviction meeting or werkgroep,
its participants, and the cases on its agenda."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, UniqueConstraint, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from registry.coltypes import Slug, Timestamp, UuidPk, utcnow
from registry.db import Base
from registry.models.partner import str_enum


class MeetingKind(StrEnum):
    """The kinds of case meeting the report describes."""

    GEBIEDSTEAM = "gebiedsteam"  # Sittard-Geleen's area team, every three weeks
    EVICTION_MEETING = "eviction_meeting"  # Deventer's six-weekly meeting, chaired by MBZ
    WERKGROEP = "werkgroep"  # Groningen's monthly working group


class Meeting(Base):
    """A case meeting of a municipality on a day, with its chair."""

    __tablename__ = "meeting"

    id: Mapped[UuidPk]
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), index=True)
    kind: Mapped[MeetingKind] = mapped_column(str_enum(MeetingKind, "meeting_kind"))
    held_on: Mapped[dt.date] = mapped_column(Date)
    chair_id: Mapped[Slug] = mapped_column(ForeignKey("partner.id"))
    scheduled_by: Mapped[Slug] = mapped_column(ForeignKey("partner.id"))
    scheduled_at: Mapped[Timestamp] = mapped_column(default=utcnow)


class MeetingParticipant(Base):
    """A partner taking part in a meeting (the chair is one)."""

    __tablename__ = "meeting_participant"

    meeting_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True
    )
    partner_id: Mapped[Slug] = mapped_column(ForeignKey("partner.id"), primary_key=True)


class AgendaItem(Base):
    """A case on a meeting's agenda, and the decision recorded on it (a case-conference
    annotation), once there is one."""

    __tablename__ = "meeting_agenda_item"
    __table_args__ = (UniqueConstraint("meeting_id", "case_id"),)

    id: Mapped[UuidPk]
    meeting_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("meeting.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("case_record.id", ondelete="CASCADE"), index=True
    )
    added_by: Mapped[Slug] = mapped_column(ForeignKey("partner.id"))
    added_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    decision_id: Mapped[uuid.UUID | None] = mapped_column(Uuid(), ForeignKey("annotation.id"))
