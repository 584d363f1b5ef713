"""The municipality's shelter task when an eviction is scheduled (the report's section 4.2:
nobody is responsible for shelter unless someone is made so), and the reservation that
fulfils it."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from registry.coltypes import Slug, Timestamp, UtcDateTime, UuidPk
from registry.db import Base
from registry.models.partner import str_enum


class ShelterKind(StrEnum):
    """What kind of place was reserved for the household."""

    CRISIS_SHELTER = "crisis_shelter"  # crisisopvang
    SOCIAL_SHELTER = "social_shelter"  # maatschappelijke opvang
    FAMILY_SHELTER = "family_shelter"  # gezinsopvang: a household with children
    WAITING_ROOM_HOME = "waiting_room_home"  # a "De Wachtkamer" home, as in Maastricht
    OTHER = "other"


class ShelterTask(Base):
    """The municipality's task to arrange a place for a household before its eviction day:
    opened when the eviction is scheduled, due the day before, urgent when children are
    involved, fulfilled by a reservation. One per case; a new date moves it.

    Holds no personal data: a kind of shelter, dates and partner ids.
    """

    __tablename__ = "shelter_task"
    __table_args__ = (Index("ix_shelter_task_open_due", "reserved_at", "due_on"),)

    id: Mapped[UuidPk]
    case_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("case_record.id", ondelete="CASCADE"), unique=True
    )
    #: The case's municipality when the eviction was scheduled: the one whose task it is.
    municipality_code: Mapped[Slug] = mapped_column(ForeignKey("municipality.code"), index=True)
    #: The partner that speaks for the municipality (None: it has none yet).
    assignee_id: Mapped[str | None] = mapped_column(ForeignKey("partner.id"))
    opened_at: Mapped[Timestamp]
    #: The last day to reserve: the day before the eviction.
    due_on: Mapped[dt.date] = mapped_column(Date)
    #: Children are involved: shelter is always arranged, and first.
    urgent: Mapped[bool]
    shelter_kind: Mapped[ShelterKind | None] = mapped_column(str_enum(ShelterKind, "shelter_kind"))
    reserved_from: Mapped[dt.date | None] = mapped_column(Date)
    arranged_by: Mapped[str | None] = mapped_column(ForeignKey("partner.id"))
    reserved_by: Mapped[str | None] = mapped_column(String(64))
    reserved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    #: When the delivery worker announced that the task is overdue (once per due date).
    overdue_announced_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    version: Mapped[int] = mapped_column(default=1)
