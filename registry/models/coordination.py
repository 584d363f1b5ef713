"""Coordination of a case (*regie*): who held it when, and the covenant's rules of who may
involve which kind of partner."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import ForeignKey, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from registry.coltypes import Slug, Timestamp, UtcDateTime, UuidPk, utcnow
from registry.db import Base


class CoordinationTerm(Base):
    """One partner's term as a case's coordinator: from its naming (or a transfer to it) until
    a transfer away. The case row names the current coordinator (``Case.coordinator_id``)."""

    __tablename__ = "coordination_term"

    id: Mapped[UuidPk]
    case_id: Mapped[uuid.UUID] = mapped_column(
        Uuid(), ForeignKey("case_record.id", ondelete="CASCADE"), index=True
    )
    partner_id: Mapped[Slug] = mapped_column(ForeignKey("partner.id"))
    since: Mapped[Timestamp] = mapped_column(default=utcnow)
    named_by: Mapped[Slug] = mapped_column(ForeignKey("partner.id"))
    ended_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())


class InvolvementRule(Base):
    """A municipality's covenant rule: ``actor`` (``role:coordinator`` or ``kind:<kind>``) may
    involve and release partners of ``partner_kind`` in the municipality's cases."""

    __tablename__ = "involvement_rule"

    id: Mapped[UuidPk]
    municipality_code: Mapped[str] = mapped_column(ForeignKey("municipality.code"), index=True)
    actor: Mapped[str] = mapped_column(String(64))
    partner_kind: Mapped[str] = mapped_column(String(32))
    issued_by: Mapped[Slug] = mapped_column(ForeignKey("partner.id"))
    issued_at: Mapped[Timestamp] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None] = mapped_column(UtcDateTime())
