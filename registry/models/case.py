"""The minimal shared case record of one household at risk of eviction, its identity and
contact details (kept apart), and the partners involved in it."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from enum import StrEnum
from typing import TYPE_CHECKING

from sqlalchemy import JSON, Date, ForeignKey, Index, LargeBinary, Numeric, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column, relationship

from registry.coltypes import Slug, Timestamp, UtcDateTime, UuidPk, utcnow
from registry.db import Base
from registry.models.partner import str_enum
from registry.models.sealing import SealedBytes, SealedText

if TYPE_CHECKING:
    from registry.models.signal import CaseSignal, CollectionPause


class Phase(StrEnum):
    """The BZK phases of a case, 0 to 6."""

    ARREARS = "arrears"  # 0: arrears arise, the corporation contacts the tenant
    EARLY_SIGNAL = "early_signal"  # 1: statutory early signal to the municipality
    COLLECTION = "collection"  # 2: debt collector or bailiff
    #: Nuisance, housing fraud or illegal use: no early signal and no collection; warnings,
    #: mediation and behaviour agreements instead, and from here to court
    #: (``registry.cases.routes``).
    INTERVENTION = "intervention"
    COURT = "court"  # 3: the sub-district court decides on dissolution
    JUDGMENT_SERVED = "judgment_served"  # 4: the bailiff serves the judgment
    EVICTION = "eviction"  # 5: the household must leave
    AFTER_EVICTION = "after_eviction"  # 6: shelter, aftercare, belongings, second chance


class Reason(StrEnum):
    """Why eviction threatens (often combined)."""

    RENT_ARREARS = "rent_arrears"
    NUISANCE = "nuisance"
    HOUSING_FRAUD = "housing_fraud"
    ILLEGAL_ACTIVITY = "illegal_activity"  # cannabis cultivation, illegal subletting
    OTHER = "other"


class HouseholdComposition(StrEnum):
    """Who lives in the home."""

    SINGLE = "single"
    COUPLE = "couple"
    SINGLE_PARENT = "single_parent"
    FAMILY = "family"
    OTHER = "other"


class EvictionOutcome(StrEnum):
    """What happened on the scheduled day."""

    EXECUTED = "executed"
    CALLED_OFF = "called_off"
    HOUSEHOLD_GONE = "household_gone"  # "noorderzon": found gone on the day


class ClosureOutcome(StrEnum):
    """How a case ended: the eviction was prevented (and how), or it went ahead."""

    PREVENTED_PAYMENT_ARRANGEMENT = "prevented_payment_arrangement"
    PREVENTED_DEBT_HELP = "prevented_debt_help"  # schuldhulpverlening took over the debt
    PREVENTED_MOVED_VOLUNTARILY = "prevented_moved_voluntarily"
    PREVENTED_SECOND_CHANCE = "prevented_second_chance"  # woonkansovereenkomst
    EVICTED = "evicted"
    HOUSEHOLD_GONE = "household_gone"  # "noorderzon": already gone on the day


class HouseholdDestination(StrEnum):
    """Where an evicted household went, as far as known."""

    OWN_NETWORK = "own_network"  # family, friends
    CRISIS_SHELTER = "crisis_shelter"  # crisisopvang
    SOCIAL_SHELTER = "social_shelter"  # maatschappelijke opvang
    WAITING_ROOM_HOME = "waiting_room_home"  # a "De Wachtkamer" home, as in Maastricht
    UNKNOWN = "unknown"


class InvolvementRole(StrEnum):
    """In what role a partner works on a case."""

    HOME_VISITS = "home_visits"
    DEBT_COUNSELLING = "debt_counselling"
    OUTREACH = "outreach"
    CARE = "care"
    BAILIFF = "bailiff"
    SECOND_CHANCE = "second_chance"
    SHELTER = "shelter"
    STORAGE = "storage"
    CASE_COORDINATION = "case_coordination"
    #: Continues aftercare after the eviction (or the case's closing): keeps the case in view.
    AFTERCARE = "aftercare"
    OTHER = "other"


class Case(Base):
    """The shared case record (no identity or contact details: see ``CaseContact``)."""

    __tablename__ = "case_record"
    # Lists are pages in registration order: all cases, an owner's, a municipality's. Each has
    # an index in that order, so a page is read by an index range however many cases there
    # are (the owner's and municipality's also serve lookups by owner or municipality).
    __table_args__ = (
        Index("ix_case_record_registered", "registered_at", "id"),
        Index("ix_case_record_owner_registered", "owner_id", "registered_at", "id"),
        Index("ix_case_record_municipality_registered", "municipality_code", "registered_at", "id"),
    )

    id: Mapped[UuidPk]
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"))
    owner_id: Mapped[str] = mapped_column(ForeignKey("partner.id"))
    phase: Mapped[Phase] = mapped_column(str_enum(Phase, "phase"))
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    household_composition: Mapped[HouseholdComposition] = mapped_column(
        str_enum(HouseholdComposition, "household_composition")
    )
    children_involved: Mapped[bool]
    #: None for a case without rent arrears (nuisance, fraud: ``registry.cases.routes``).
    arrears_amount: Mapped[Decimal | None] = mapped_column(Numeric(10, 2))
    arrears_months: Mapped[int | None]
    # The statutory preconditions of the early signal, each recorded by the corporation.
    contact_attempted: Mapped[bool]
    debt_help_referred: Mapped[bool]
    reminder_sent: Mapped[bool]
    tenant_did_not_object: Mapped[bool]
    early_signalled_on: Mapped[dt.date | None] = mapped_column(Date)
    judgment_requested_on: Mapped[dt.date | None] = mapped_column(Date)
    judgment_granted_on: Mapped[dt.date | None] = mapped_column(Date)
    eviction_date: Mapped[dt.date | None] = mapped_column(Date, index=True)
    eviction_outcome: Mapped[EvictionOutcome | None] = mapped_column(
        str_enum(EvictionOutcome, "eviction_outcome")
    )
    shelter_arranged: Mapped[bool | None]
    housing_block_until: Mapped[dt.date | None] = mapped_column(Date)
    # Lifecycle (registry/cases/lifecycle.py): who carries out the eviction, what followed it, and
    # how the case ended.
    bailiff_id: Mapped[str | None] = mapped_column(ForeignKey("partner.id"))
    household_destination: Mapped[HouseholdDestination | None] = mapped_column(
        str_enum(HouseholdDestination, "household_destination")
    )
    destination_arranged_by: Mapped[str | None] = mapped_column(ForeignKey("partner.id"))
    housing_block_until_debt_settled: Mapped[bool | None]
    closed_on: Mapped[dt.date | None] = mapped_column(Date)
    #: The partner that coordinates the case (*regie*), named by the municipality; its terms
    #: are ``CoordinationTerm`` rows (``registry.cases.coordination``).
    coordinator_id: Mapped[str | None] = mapped_column(ForeignKey("partner.id"))
    closure_outcome: Mapped[ClosureOutcome | None] = mapped_column(
        str_enum(ClosureOutcome, "closure_outcome")
    )
    registered_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    updated_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)
    #: A random secret that hides this case's events in the shared audit log (a hiding
    #: commitment): made when the first such event is logged, never disclosed.
    log_nonce: Mapped[str | None] = mapped_column(String(32))
    #: This case's data key, wrapped by the deployment's key-encryption key: it seals the
    #: household's personal data (``registry.privacy.keys``). Erasure destroys it.
    data_key: Mapped[bytes | None] = mapped_column(LargeBinary)
    #: When the household's personal data was erased (``registry.privacy.erasure``).
    erased_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())

    contact: Mapped[CaseContact | None] = relationship(
        back_populates="case", lazy="raise", uselist=False
    )
    # Each related list ends its order with the row's id: rows of the same time come in the
    # same order however they are read (a list's plain rows, ``registry.cases.records``, and
    # these relationships must answer alike, and a database's plan may otherwise differ).
    involvements: Mapped[list[Involvement]] = relationship(
        back_populates="case", lazy="raise", order_by="[Involvement.since, Involvement.id]"
    )
    #: Every early signal, first to last (``registry.cases.signals``).
    signals: Mapped[list[CaseSignal]] = relationship(
        lazy="raise",
        order_by="[CaseSignal.signalled_on, CaseSignal.recorded_at, CaseSignal.id]",
    )
    collection_pauses: Mapped[list[CollectionPause]] = relationship(
        lazy="raise", order_by="[CollectionPause.paused_from, CollectionPause.id]"
    )


class CaseContact(Base):
    """Identity and contact details of the household: personal data, apart from the case and
    released least, sealed under the case's data key. Deleting this row and the key erases the
    household without touching any log."""

    __tablename__ = "case_contact"

    case_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("case_record.id", ondelete="CASCADE"), primary_key=True
    )
    # Stored sealed under the case's data key; read and written as text (``SealedText``).
    sealed_name: Mapped[bytes] = mapped_column("name", SealedBytes(200))
    sealed_address: Mapped[bytes] = mapped_column("address", SealedBytes(300))
    sealed_postal_code: Mapped[bytes] = mapped_column("postal_code", SealedBytes(16))
    sealed_phone: Mapped[bytes | None] = mapped_column("phone", SealedBytes(40))
    sealed_email: Mapped[bytes | None] = mapped_column("email", SealedBytes(200))
    name = SealedText[str]("sealed_name", 200)
    address = SealedText[str]("sealed_address", 300)
    postal_code = SealedText[str]("sealed_postal_code", 16)
    phone = SealedText[str | None]("sealed_phone", 40)
    email = SealedText[str | None]("sealed_email", 200)
    #: Keyed blind indexes (``registry.privacy.blind_index``): an HMAC of the exact address
    #: (postal code, house number, addition) and of the household's identity (name at that
    #: address), for the front desk's lookup and the household's report across its cases;
    #: None when the address has no house number to index. Erased with the row.
    address_index: Mapped[bytes | None] = mapped_column(LargeBinary(32), index=True)
    identity_index: Mapped[bytes | None] = mapped_column(LargeBinary(32), index=True)
    case: Mapped[Case] = relationship(back_populates="contact", lazy="raise")


class Involvement(Base):
    """A partner working on a case, in a role, since a time; released when it stops."""

    __tablename__ = "involvement"
    __table_args__ = (Index("ix_involvement_partner_case", "partner_id", "case_id"),)

    id: Mapped[UuidPk]
    case_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("case_record.id", ondelete="CASCADE"), index=True
    )
    partner_id: Mapped[Slug] = mapped_column(ForeignKey("partner.id"))
    role: Mapped[InvolvementRole] = mapped_column(str_enum(InvolvementRole, "involvement_role"))
    since: Mapped[Timestamp] = mapped_column(default=utcnow)
    involved_by: Mapped[str] = mapped_column(String(64))
    released_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    #: The organisation's fixed contact person for the case (*vaste contactpersoon*): a
    #: professional's name, work phone and work e-mail, not household data.
    contact_name: Mapped[str | None] = mapped_column(String(200))
    contact_phone: Mapped[str | None] = mapped_column(String(40))
    contact_email: Mapped[str | None] = mapped_column(String(200))
    case: Mapped[Case] = relationship(back_populates="involvements", lazy="raise")
