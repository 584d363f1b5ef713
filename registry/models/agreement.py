"""Second-chance agreements (*woonkansovereenkomst*, "verhuren onder voorwaarden"): a household
may stay, be rehoused, or live in a home a care provider rents first (*omklapwoning*), under
conditions that the parties agree and Bureau Woonkans reviews."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from sqlalchemy import (
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    LargeBinary,
    String,
    Uuid,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.coltypes import Slug, Timestamp, UtcDateTime, UuidPk
from registry.db import Base
from registry.models.partner import PartnerKind, str_enum


class AgreementKind(StrEnum):
    """Where the household lives under the agreement."""

    STAY = "stay"  # stays in its home
    REHOUSE = "rehouse"  # moves to another home of the corporation
    OMKLAPWONING = "omklapwoning"  # a care provider rents the home first, the lease moves later


class AgreementStatus(StrEnum):
    """Where an agreement stands; ``TRANSITIONS`` in ``registry.agreements.service`` says what may
    follow what."""

    PROPOSED = "proposed"  # drawn up, waiting for signatures and the household's consent
    ACTIVE = "active"  # every party has signed: the term runs, reviews are due
    COMPLETED = "completed"  # the term was kept: a success
    BREACHED = "breached"  # conditions were broken and the agreement was ended
    ENDED_OTHERWISE = "ended_otherwise"  # withdrawn, moved away, deceased, ...


class ConditionType(StrEnum):
    """The conditions an agreement can set (domain.md, "Second-chance agreements")."""

    PAY_RENT_ON_TIME = "pay_rent_on_time"
    DAYTIME_ACTIVITIES = "daytime_activities"  # dagbesteding
    NO_NUISANCE = "no_nuisance"
    ACCEPT_SUPPORT = "accept_support"  # from a named kind of partner (credit bank, care, ...)
    OTHER = "other"  # described in text


class PartyKind(StrEnum):
    """An organisation signs with its key; the household's consent is recorded by a partner."""

    ORGANISATION = "organisation"
    HOUSEHOLD = "household"


class ConsentManner(StrEnum):
    """How the household gave its consent: its own act, recorded by a partner."""

    IN_PERSON = "in_person"  # said so in a conversation with the partner who records it
    ON_PAPER = "on_paper"  # signed a paper copy of the readable agreement
    DIGITALLY = "digitally"  # agreed through a digital channel (DigiD, a client portal)


class SecondChanceAgreement(Base):
    """A second-chance agreement (*woonkansovereenkomst*) for one case."""

    __tablename__ = "agreement"
    __table_args__ = (Index("ix_agreement_status_proposed", "status", "proposed_at"),)

    id: Mapped[UuidPk]
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid(), ForeignKey("case_record.id"), index=True)
    kind: Mapped[AgreementKind] = mapped_column(str_enum(AgreementKind, "agreement_kind"))
    status: Mapped[AgreementStatus] = mapped_column(str_enum(AgreementStatus, "agreement_status"))
    #: Random; part of the signed text, never logged, so the text's hash in the log hides it.
    nonce: Mapped[str] = mapped_column(String(32))
    term_start: Mapped[dt.date] = mapped_column(Date)
    term_end: Mapped[dt.date] = mapped_column(Date)
    review_interval_days: Mapped[int]
    #: The municipality of the case when proposed, for the yearly figures.
    municipality_code: Mapped[Slug] = mapped_column(index=True)
    proposed_by: Mapped[Slug]
    proposed_at: Mapped[Timestamp]
    activated_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    closed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    closed_by: Mapped[str | None] = mapped_column(String(64))
    version: Mapped[int] = mapped_column(default=1)

    parties: Mapped[list[AgreementParty]] = relationship(
        back_populates="agreement",
        lazy="raise",
        order_by="AgreementParty.position",
        cascade="all, delete-orphan",
    )
    conditions: Mapped[list[AgreementCondition]] = relationship(
        lazy="raise", order_by="AgreementCondition.number", cascade="all, delete-orphan"
    )
    reviews: Mapped[list[AgreementReview]] = relationship(
        lazy="raise", order_by="AgreementReview.number", cascade="all, delete-orphan"
    )


class AgreementParty(Base):
    """A party: an organisation (with its signature once it signed) or the household (with
    who recorded its consent, and when)."""

    __tablename__ = "agreement_party"

    agreement_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("agreement.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    kind: Mapped[PartyKind] = mapped_column(str_enum(PartyKind, "party_kind"))
    partner_id: Mapped[str | None] = mapped_column(ForeignKey("partner.id"), index=True)
    signed_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    key_id: Mapped[str | None] = mapped_column(String(128))
    signature: Mapped[bytes | None] = mapped_column(LargeBinary(64))
    consented_on: Mapped[dt.date | None] = mapped_column(Date)
    consent_recorded_by: Mapped[str | None] = mapped_column(String(64))
    consent_recorded_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    #: How the household consented (None: recorded before the manner was asked).
    consent_manner: Mapped[ConsentManner | None] = mapped_column(
        str_enum(ConsentManner, "consent_manner")
    )
    agreement: Mapped[SecondChanceAgreement] = relationship(back_populates="parties", lazy="raise")


class AgreementCondition(Base):
    """A condition, numbered from 1 in the order the agreement lists them."""

    __tablename__ = "agreement_condition"

    agreement_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("agreement.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    type: Mapped[ConditionType] = mapped_column(str_enum(ConditionType, "condition_type"))
    #: For ``accept_support``: the kind of partner whose support the household accepts.
    support_kind: Mapped[PartnerKind | None] = mapped_column(str_enum(PartnerKind, "partner_kind"))
    #: For ``other`` (required) and as an explanation of any condition (optional).
    text: Mapped[str | None] = mapped_column(String(500))


class AgreementReview(Base):
    """A review on a due date, scheduled when the agreement becomes active; recorded once,
    with one check per condition."""

    __tablename__ = "agreement_review"
    __table_args__ = (Index("ix_agreement_review_open_due", "recorded_at", "due_on"),)

    agreement_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("agreement.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    due_on: Mapped[dt.date] = mapped_column(Date)
    recorded_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    recorded_by: Mapped[str | None] = mapped_column(String(64))
    #: Whether its falling due is announced (``agreement.review_due``): set for the reviews an
    #: activation schedules. Reviews written otherwise (the demo's history, and those past due
    #: when migration 0015 ran) are listed as due but not announced: no burst of stale notices.
    due_notice: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: When a worker announced it fell due: the "sent" marker, set once by a compare-and-set.
    due_announced_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    checks: Mapped[list[ConditionCheck]] = relationship(
        lazy="raise", order_by="ConditionCheck.condition_number", cascade="all, delete-orphan"
    )


class ConditionCheck(Base):
    """Whether one condition was met at one review, with a short note."""

    __tablename__ = "agreement_check"
    __table_args__ = (
        ForeignKeyConstraint(
            ["agreement_id", "review_number"],
            ["agreement_review.agreement_id", "agreement_review.number"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["agreement_id", "condition_number"],
            ["agreement_condition.agreement_id", "agreement_condition.number"],
            ondelete="CASCADE",
        ),
    )

    agreement_id: Mapped[uuid.UUID] = mapped_column(Uuid(), primary_key=True)
    review_number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    condition_number: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    met: Mapped[bool]
    note: Mapped[str | None] = mapped_column(String(280))
