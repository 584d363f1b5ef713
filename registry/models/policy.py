"""Access policies as issued at run time: municipality grants and owner restrictions."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from sqlalchemy import JSON, ForeignKey, String
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
    purpose: Mapped[str | None] = mapped_column(String(200))
    issued_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
    revoked_by: Mapped[str | None] = mapped_column(String(64))


class PolicyState(Base):
    """One row holding the policy version. Every policy change bumps it in the same
    transaction, so every process sees that its cached decisions are stale (DESIGN: scale-out)."""

    __tablename__ = "policy_state"

    id: Mapped[int] = mapped_column(primary_key=True)
    version: Mapped[int] = mapped_column(default=0)
