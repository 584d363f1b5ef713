"""Aftercare after an eviction (the report's section 3.2.4, "Uit het oog?"): the household's
new contact details, given with its consent and sealed like its identity, and the follow-ups
the partners that continue have agreed on, each with a due date and an assignee."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import Date, ForeignKey, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from registry.coltypes import Slug, Timestamp, UtcDateTime, UuidPk
from registry.db import Base
from registry.models.agreement import ConsentManner
from registry.models.partner import str_enum
from registry.models.sealing import SealedBytes, SealedText


class AftercareContact(Base):
    """Where the household can be reached after its eviction: phone, e-mail, a postal
    address, as it gave them, and how it consented to their being shared. Personal data,
    apart from the case like ``CaseContact`` and sealed under the case's data key: erasure
    deletes the row and destroys the key."""

    __tablename__ = "aftercare_contact"

    case_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("case_record.id", ondelete="CASCADE"), primary_key=True
    )
    sealed_phone: Mapped[bytes | None] = mapped_column("phone", SealedBytes(40))
    sealed_email: Mapped[bytes | None] = mapped_column("email", SealedBytes(200))
    sealed_postal_address: Mapped[bytes | None] = mapped_column("postal_address", SealedBytes(300))
    phone = SealedText[str | None]("sealed_phone", 40)
    email = SealedText[str | None]("sealed_email", 200)
    postal_address = SealedText[str | None]("sealed_postal_address", 300)
    #: How the household consented: its own act, recorded by the partner it told.
    consent_manner: Mapped[ConsentManner] = mapped_column(str_enum(ConsentManner, "consent_manner"))
    recorded_by: Mapped[Slug]
    recorded_at: Mapped[Timestamp]
    version: Mapped[int] = mapped_column(default=1)


class FollowUpKind(StrEnum):
    """What a follow-up after the eviction is for."""

    CONTACT = "contact"  # reach the household: how is it, where does it stay
    HOME_VISIT = "home_visit"  # visit it where it stays now
    HOUSING = "housing"  # a place to live: shelter, a room, a second chance
    DEBT_HELP = "debt_help"  # debt counselling, budget management
    OTHER = "other"


class FollowUpOutcome(StrEnum):
    """What came of a follow-up: a code, never free text (it goes into the signed log)."""

    REACHED = "reached"  # the household was reached and is doing all right
    NOT_REACHED = "not_reached"  # tried, no answer: contact is lost
    HOUSED = "housed"  # the household has a place to live
    IN_SHELTER = "in_shelter"  # the household stays in a shelter
    REFERRED = "referred"  # handed on to other help
    HELP_REFUSED = "help_refused"  # the household wants no more help
    NO_LONGER_NEEDED = "no_longer_needed"


class AftercareFollowUp(Base):
    """One agreed follow-up after the eviction ("contact after two weeks, after three
    months"): what, by whom, by when, and once done, by whom and with what outcome.

    Holds no personal data: a kind, dates, partner ids and an outcome code.
    """

    __tablename__ = "aftercare_follow_up"
    __table_args__ = (Index("ix_aftercare_follow_up_open_due", "done_at", "due_on"),)

    id: Mapped[UuidPk]
    case_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("case_record.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[FollowUpKind] = mapped_column(str_enum(FollowUpKind, "follow_up_kind"))
    #: The partner that is to do it; it keeps the case visible (registry.aftercare.followups).
    assignee_id: Mapped[str] = mapped_column(ForeignKey("partner.id"), index=True)
    due_on: Mapped[dt.date] = mapped_column(Date)
    scheduled_by: Mapped[Slug]
    scheduled_at: Mapped[Timestamp]
    done_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    done_by: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[FollowUpOutcome | None] = mapped_column(
        str_enum(FollowUpOutcome, "follow_up_outcome")
    )
    #: When the delivery worker announced that it is overdue (once).
    overdue_announced_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    version: Mapped[int] = mapped_column(default=1)
