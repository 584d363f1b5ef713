"""Annotations: what a partner did on a case (a home visit, a contact attempt, a case-conference
decision), and the action items a case conference hands out.

Annotations are append-only: a correction is a new annotation that points at the one it
corrects, so what a partner once recorded stays readable as it was.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.coltypes import Slug, Timestamp, UtcDateTime, UuidPk, utcnow
from registry.db import Base
from registry.models.partner import str_enum
from registry.models.sealing import SealedBytes, SealedText


class AnnotationKind(StrEnum):
    """What a partner records having done. Each kind is a field of the access policies."""

    CONTACT_ATTEMPT = "contact_attempt"  # tried to reach the tenant (letter, phone, door)
    HOME_VISIT = "home_visit"  # huisbezoek
    HELP_ACCEPTED = "help_accepted"
    HELP_REFUSED = "help_refused"
    PAYMENT_ARRANGEMENT = "payment_arrangement"  # betalingsregeling
    CASE_CONFERENCE = "case_conference"  # casusoverleg: a decision, with action items
    # The nuisance and fraud routes (registry.cases.routes).
    WARNING = "warning"  # a written warning to stop the nuisance or the illegal use
    MEDIATION = "mediation"  # buurtbemiddeling
    BEHAVIOUR_AGREEMENT = "behaviour_agreement"  # gedragsovereenkomst


class Annotation(Base):
    """One partner's record of something done on a case; never changed once written."""

    __tablename__ = "annotation"

    id: Mapped[UuidPk]
    case_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("case_record.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[AnnotationKind] = mapped_column(str_enum(AnnotationKind, "annotation_kind"))
    author_id: Mapped[Slug] = mapped_column(ForeignKey("partner.id"), index=True)
    #: The staff member named by the author's token (``act``), for the author's own records.
    actor: Mapped[str | None] = mapped_column(String(200))
    occurred_on: Mapped[dt.date] = mapped_column(Date)
    #: Free text: sealed under the case's data key (``registry.models.sealing``).
    sealed_note: Mapped[bytes | None] = mapped_column("note", SealedBytes(1000))
    note = SealedText[str | None]("sealed_note", 1000)
    #: The annotation this one corrects; unique, so a correction chain never forks.
    corrects_id: Mapped[uuid.UUID | None] = mapped_column(
        Uuid(), ForeignKey("annotation.id"), unique=True
    )
    recorded_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    action_items: Mapped[list[ActionItem]] = relationship(
        back_populates="annotation", lazy="raise", order_by="ActionItem.due_on"
    )


class ActionItem(Base):
    """A task a case-conference decision gives one partner, due by a date."""

    __tablename__ = "action_item"

    id: Mapped[UuidPk]
    annotation_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("annotation.id", ondelete="CASCADE"), index=True
    )
    case_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("case_record.id", ondelete="CASCADE"), index=True
    )
    #: Free text: sealed under the case's data key (``registry.models.sealing``).
    sealed_description: Mapped[bytes] = mapped_column("description", SealedBytes(500))
    description = SealedText[str]("sealed_description", 500)
    assignee_id: Mapped[Slug] = mapped_column(ForeignKey("partner.id"), index=True)
    due_on: Mapped[dt.date] = mapped_column(Date, index=True)
    done_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    done_by: Mapped[str | None] = mapped_column(String(200))
    #: When the ``action_item.overdue`` event went out: set once, so it goes out once.
    overdue_announced_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    annotation: Mapped[Annotation] = relationship(back_populates="action_items", lazy="raise")
