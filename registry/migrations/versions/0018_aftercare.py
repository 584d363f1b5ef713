"""Aftercare after the eviction (issue 15, part 2): the household's new contact details and
the follow-ups of the partners that continue; and the log of the monitor's CSV exports.

Adds ``aftercare_contact`` (one per case: phone, e-mail and postal address sealed under the
case's data key, as ``case_contact`` holds them since 0013, and how the household consented)
and ``aftercare_follow_up`` (a kind, an assignee, a due date, and once done an outcome code);
and ``monitor_export``, the access log of the eviction monitor's CSV exports over HTTP.
Compatible with the previous release: it only adds tables. The new involvement role
``aftercare`` and the new outbox and audit-log event types need no change: all are stored as
plain strings.

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from registry.coltypes import UtcDateTime

revision: str = "0018"
down_revision: str | None = "0017"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "aftercare_contact",
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("phone", sa.LargeBinary(), nullable=True),
        sa.Column("email", sa.LargeBinary(), nullable=True),
        sa.Column("postal_address", sa.LargeBinary(), nullable=True),
        sa.Column(
            "consent_manner",
            sa.Enum(
                "in_person",
                "on_paper",
                "digitally",
                name="consent_manner",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_record.id"],
            name=op.f("fk_aftercare_contact_case_id_case_record"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("case_id", name=op.f("pk_aftercare_contact")),
    )
    op.create_table(
        "aftercare_follow_up",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "contact",
                "home_visit",
                "housing",
                "debt_help",
                "other",
                name="follow_up_kind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("assignee_id", sa.String(length=64), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("scheduled_by", sa.String(length=64), nullable=False),
        sa.Column("scheduled_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("done_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.String(length=64), nullable=True),
        sa.Column(
            "outcome",
            sa.Enum(
                "reached",
                "not_reached",
                "housed",
                "in_shelter",
                "referred",
                "help_refused",
                "no_longer_needed",
                name="follow_up_outcome",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("overdue_announced_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["partner.id"], name=op.f("fk_aftercare_follow_up_assignee_id_partner")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_record.id"],
            name=op.f("fk_aftercare_follow_up_case_id_case_record"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aftercare_follow_up")),
    )
    with op.batch_alter_table("aftercare_follow_up", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_aftercare_follow_up_assignee_id"), ["assignee_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_aftercare_follow_up_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            "ix_aftercare_follow_up_open_due", ["done_at", "due_on"], unique=False
        )

    op.create_table(
        "monitor_export",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("trace_id", sa.String(length=32), nullable=False),
        sa.Column("span_id", sa.String(length=16), nullable=False),
        sa.Column("partner_id", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=True),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("operation", sa.String(length=100), nullable=False),
        sa.Column("view", sa.String(length=32), nullable=False),
        sa.Column("from_year", sa.Integer(), nullable=False),
        sa.Column("to_year", sa.Integer(), nullable=False),
        sa.Column("scope", sa.JSON(), nullable=False),
        sa.Column("rows", sa.Integer(), nullable=False),
        sa.Column("suppressed_cells", sa.Integer(), nullable=False),
        sa.Column("occurred_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitor_export")),
    )
    with op.batch_alter_table("monitor_export", schema=None) as batch_op:
        batch_op.create_index(
            "ix_monitor_export_partner_time", ["partner_id", "occurred_at"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("monitor_export", schema=None) as batch_op:
        batch_op.drop_index("ix_monitor_export_partner_time")

    op.drop_table("monitor_export")
    with op.batch_alter_table("aftercare_follow_up", schema=None) as batch_op:
        batch_op.drop_index("ix_aftercare_follow_up_open_due")
        batch_op.drop_index(batch_op.f("ix_aftercare_follow_up_case_id"))
        batch_op.drop_index(batch_op.f("ix_aftercare_follow_up_assignee_id"))

    op.drop_table("aftercare_follow_up")
    op.drop_table("aftercare_contact")
