"""Access-log records in the shape of the Logboek Dataverwerkingen: one per request per case."""

from __future__ import annotations

import uuid

from sqlalchemy import JSON, Index, String, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from registry.coltypes import Timestamp, UuidPk
from registry.db import Base


class AccessLogRecord(Base):
    """Which partner (and person) saw which fields of which case, when, why, under which trace.

    Not a foreign key to the case on purpose: the record must outlive an erased case.
    """

    __tablename__ = "access_log"
    __table_args__ = (
        Index("ix_access_log_case_time", "case_id", "occurred_at"),
        Index("ix_access_log_partner_time", "partner_id", "occurred_at"),
    )

    id: Mapped[UuidPk]
    trace_id: Mapped[str] = mapped_column(String(32))
    span_id: Mapped[str] = mapped_column(String(16))
    partner_id: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str | None] = mapped_column(String(200))
    case_id: Mapped[uuid.UUID] = mapped_column(Uuid())
    purpose: Mapped[str] = mapped_column(String(200))
    operation: Mapped[str] = mapped_column(String(100))
    fields_disclosed: Mapped[list[str]] = mapped_column(JSON)
    fields_withheld: Mapped[list[str]] = mapped_column(JSON)
    occurred_at: Mapped[Timestamp]
    outcome: Mapped[str] = mapped_column(String(32))
