"""Access policies as issued at run time: municipality grants and owner restrictions."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, Date, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from registry.coltypes import Slug, Timestamp, UtcDateTime, utcnow
from registry.db import Base
from registry.models.partner import str_enum


class PolicyKind(StrEnum):
    """Grants widen (municipality, for its municipality); restrictions narrow (owner)."""

    GRANT = "grant"
    RESTRICTION = "restriction"


class AccessPolicy(Base):
    """One issued policy. Never deleted: revoking sets ``revoked_at``, so history stays."""

    __tablename__ = "access_policy"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[PolicyKind] = mapped_column(str_enum(PolicyKind, "policy_kind"))
    issuer_id: Mapped[str] = mapped_column(ForeignKey("partner.id"), index=True)
    #: ``*``, ``kind:<kind>`` or ``partner:<id>``
    subject: Mapped[str] = mapped_column(String(80))
    relation: Mapped[str] = mapped_column(String(32))
    #: A grant's municipality; ``*`` for a restriction (it follows the owner's cases anywhere)
    municipality: Mapped[Slug]
    #: A restriction's owner (the issuing corporation); ``*`` for a grant
    owner: Mapped[Slug]
    fields: Mapped[list[str]] = mapped_column(JSON)
    #: Free text: why the policy was issued, for the people who read the covenant
    purpose: Mapped[str | None] = mapped_column(String(200))
    #: Case phases it applies in (``Phase`` values); empty: every phase
    phases: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Registered processing activities (``ProcessingPurpose`` ids) it applies for; empty: any
    #: (only a restriction may apply for any purpose)
    purposes: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: First and last day it applies (None: open)
    valid_from: Mapped[dt.date | None] = mapped_column(Date())
    valid_until: Mapped[dt.date | None] = mapped_column(Date())
    issued_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    #: The policy officer who issued it (the token's ``act``), for four eyes
    issued_by: Mapped[str | None] = mapped_column(String(64))
    #: A grant awaiting a second policy officer's approval does not apply (four eyes)
    pending: Mapped[bool] = mapped_column(default=False)
    approved_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    approved_by: Mapped[str | None] = mapped_column(String(64))
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(64))


class ProcessingPurpose(Base):
    """A processing activity a municipality registered (*verwerkingsactiviteit*, as the
    Logboek Dataverwerkingen names it): what grants release data for, and what a request
    names as its purpose."""

    __tablename__ = "processing_purpose"

    municipality: Mapped[Slug] = mapped_column(ForeignKey("municipality.code"), primary_key=True)
    id: Mapped[Slug] = mapped_column(primary_key=True)
    description: Mapped[str] = mapped_column(Text)
    registered_at: Mapped[Timestamp] = mapped_column(default=utcnow)


class PolicySettings(Base):
    """A municipality's rules for its own policy work: whether a grant needs a second policy
    officer's approval before it takes effect (four eyes)."""

    __tablename__ = "policy_settings"

    municipality: Mapped[Slug] = mapped_column(ForeignKey("municipality.code"), primary_key=True)
    four_eyes: Mapped[bool] = mapped_column(default=False)


class PolicyState(Base):
    """One row holding the policy version. Every policy change bumps it in the same
    transaction, so every process sees that its cached decisions are stale (DESIGN: scale-out)."""

    __tablename__ = "policy_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
