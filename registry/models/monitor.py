"""The access log of the eviction monitor's exports: aggregate figures name no case, so an
export is logged apart from the per-case access log (``AccessLogRecord``), one record each, in
its shape: who, for which purpose, under which trace, what was exported, when."""

from __future__ import annotations

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.coltypes import Timestamp, UuidPk
from registry.db import Base


class MonitorExportRecord(Base):
    """One export of the eviction monitor to a partner: the view, the years, the scope (its
    municipalities, or its own cases as a corporation), how many rows and suppressed cells."""

    __tablename__ = "monitor_export"
    __table_args__ = (Index("ix_monitor_export_partner_time", "partner_id", "occurred_at"),)

    id: Mapped[UuidPk]
    trace_id: Mapped[str] = mapped_column(String(32))
    span_id: Mapped[str] = mapped_column(String(16))
    partner_id: Mapped[str] = mapped_column(String(64))
    actor: Mapped[str | None] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(200))
    operation: Mapped[str] = mapped_column(String(100))
    #: ``corporation`` or ``municipality``: what a row is about besides its year.
    view: Mapped[str] = mapped_column(String(32))
    from_year: Mapped[int]
    to_year: Mapped[int]
    #: The cases counted: ``{"municipalities": [...]}`` or ``{"owners": [...]}``.
    scope: Mapped[dict[str, list[str]]] = mapped_column(JSON)
    rows: Mapped[int]
    suppressed_cells: Mapped[int]
    occurred_at: Mapped[Timestamp]
