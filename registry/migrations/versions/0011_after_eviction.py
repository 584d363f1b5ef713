"""After the eviction (issue 15): the municipality's shelter task, and pickup codes.

Adds ``shelter_task`` (one per case: opened when an eviction is scheduled, fulfilled by a
reservation); the pickup code's hash and times on ``pickup_request``, and the count of wrong
codes tried on ``inventory`` (0 for existing rows); how the household consented to an
agreement on ``agreement_party``. Compatible with the previous release: it
only adds tables and columns that are nullable or have a default. The new outbox and audit-log
event types need no change: both store their type as a string.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from registry.coltypes import UtcDateTime

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "shelter_task",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", sa.String(length=64), nullable=False),
        sa.Column("assignee_id", sa.String(length=64), nullable=True),
        sa.Column("opened_at", UtcDateTime(timezone=True), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("urgent", sa.Boolean(), nullable=False),
        sa.Column(
            "shelter_kind",
            sa.Enum(
                "crisis_shelter",
                "social_shelter",
                "family_shelter",
                "waiting_room_home",
                "other",
                name="shelter_kind",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("reserved_from", sa.Date(), nullable=True),
        sa.Column("arranged_by", sa.String(length=64), nullable=True),
        sa.Column("reserved_by", sa.String(length=64), nullable=True),
        sa.Column("reserved_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("overdue_announced_at", UtcDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["arranged_by"], ["partner.id"], name=op.f("fk_shelter_task_arranged_by_partner")
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["partner.id"], name=op.f("fk_shelter_task_assignee_id_partner")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_record.id"],
            name=op.f("fk_shelter_task_case_id_case_record"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipality.code"],
            name=op.f("fk_shelter_task_municipality_code_municipality"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shelter_task")),
        sa.UniqueConstraint("case_id", name=op.f("uq_shelter_task_case_id")),
    )
    with op.batch_alter_table("shelter_task", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_shelter_task_municipality_code"), ["municipality_code"], unique=False
        )
        batch_op.create_index("ix_shelter_task_open_due", ["reserved_at", "due_on"], unique=False)
    with op.batch_alter_table("agreement_party", schema=None) as batch_op:
        batch_op.add_column(
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
                nullable=True,
            )
        )
    with op.batch_alter_table("inventory", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("pickup_code_failures", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("pickup_request", schema=None) as batch_op:
        batch_op.add_column(sa.Column("pickup_code_hash", sa.String(length=128), nullable=True))
        batch_op.add_column(
            sa.Column("pickup_code_issued_at", UtcDateTime(timezone=True), nullable=True)
        )
        batch_op.add_column(
            sa.Column("pickup_code_accepted_at", UtcDateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("agreement_party", schema=None) as batch_op:
        batch_op.drop_column("consent_manner")
    with op.batch_alter_table("pickup_request", schema=None) as batch_op:
        batch_op.drop_column("pickup_code_accepted_at")
        batch_op.drop_column("pickup_code_issued_at")
        batch_op.drop_column("pickup_code_hash")
    with op.batch_alter_table("inventory", schema=None) as batch_op:
        batch_op.drop_column("pickup_code_failures")
    with op.batch_alter_table("shelter_task", schema=None) as batch_op:
        batch_op.drop_index("ix_shelter_task_open_due")
        batch_op.drop_index(batch_op.f("ix_shelter_task_municipality_code"))

    op.drop_table("shelter_task")
