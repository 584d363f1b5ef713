"""Case lifecycle, annotations and action items, notifications (issue 4).

Adds to ``case_record`` the eviction's bailiff, what followed the eviction and how the case
closed (all nullable: existing cases simply have none yet); adds ``annotation`` and
``action_item``; adds the transactional outbox (``outbox_event``), ``webhook_subscription`` and
``webhook_delivery``. Compatible with the previous release: it only adds.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from registry.coltypes import UtcDateTime

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str, length: int = 32) -> sa.Enum:
    # Stored by value as a plain string, no CHECK constraint (registry.models.partner.str_enum).
    return sa.Enum(*values, name=name, native_enum=False, length=length)


def _timestamp(name: str, *, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, UtcDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "outbox_event",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "type",
            _enum(
                "event_type",
                "case.phase_changed",
                "case.closed",
                "eviction.scheduled",
                "eviction.called_off",
                "eviction.carried_out",
                "annotation.added",
                "action_item.overdue",
                length=64,
            ),
            nullable=False,
        ),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("reveals", sa.String(length=64), nullable=False),
        sa.Column("addressee_id", sa.String(length=64), nullable=True),
        _timestamp("occurred_at", nullable=False),
        _timestamp("fanned_out_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox_event")),
    )
    with op.batch_alter_table("outbox_event") as batch_op:
        batch_op.create_index(batch_op.f("ix_outbox_event_case_id"), ["case_id"])
        batch_op.create_index(batch_op.f("ix_outbox_event_fanned_out_at"), ["fanned_out_at"])

    op.create_table(
        "webhook_subscription",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("partner_id", sa.String(length=64), nullable=False),
        sa.Column("url", sa.String(length=2000), nullable=False),
        sa.Column("event_types", sa.JSON(), nullable=False),
        sa.Column("secret", sa.String(length=100), nullable=False),
        _timestamp("created_at", nullable=False),
        _timestamp("disabled_at", nullable=True),
        sa.Column("disabled_reason", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["partner_id"],
            ["partner.id"],
            name=op.f("fk_webhook_subscription_partner_id_partner"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_subscription")),
    )
    with op.batch_alter_table("webhook_subscription") as batch_op:
        batch_op.create_index(batch_op.f("ix_webhook_subscription_partner_id"), ["partner_id"])

    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("subscription_id", sa.Uuid(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column(
            "status",
            _enum("delivery_status", "pending", "delivered", "failed", "cancelled"),
            nullable=False,
        ),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _timestamp("next_attempt_at", nullable=False),
        _timestamp("lease_until", nullable=True),
        sa.Column("claimed_by", sa.String(length=64), nullable=True),
        _timestamp("last_attempt_at", nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_error", sa.String(length=300), nullable=True),
        _timestamp("delivered_at", nullable=True),
        _timestamp("created_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["outbox_event.id"],
            name=op.f("fk_webhook_delivery_event_id_outbox_event"),
        ),
        sa.ForeignKeyConstraint(
            ["subscription_id"],
            ["webhook_subscription.id"],
            name=op.f("fk_webhook_delivery_subscription_id_webhook_subscription"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_webhook_delivery")),
        sa.UniqueConstraint(
            "subscription_id",
            "event_id",
            name=op.f("uq_webhook_delivery_subscription_id_event_id"),
        ),
    )
    with op.batch_alter_table("webhook_delivery") as batch_op:
        batch_op.create_index("ix_webhook_delivery_due", ["status", "next_attempt_at"])
        batch_op.create_index(
            batch_op.f("ix_webhook_delivery_subscription_id"), ["subscription_id"]
        )

    op.create_table(
        "annotation",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            _enum(
                "annotation_kind",
                "contact_attempt",
                "home_visit",
                "help_accepted",
                "help_refused",
                "payment_arrangement",
                "case_conference",
            ),
            nullable=False,
        ),
        sa.Column("author_id", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=True),
        sa.Column("occurred_on", sa.Date(), nullable=False),
        sa.Column("note", sa.String(length=1000), nullable=True),
        sa.Column("corrects_id", sa.Uuid(), nullable=True),
        _timestamp("recorded_at", nullable=False),
        sa.ForeignKeyConstraint(
            ["author_id"], ["partner.id"], name=op.f("fk_annotation_author_id_partner")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_record.id"],
            name=op.f("fk_annotation_case_id_case_record"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["corrects_id"], ["annotation.id"], name=op.f("fk_annotation_corrects_id_annotation")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_annotation")),
        sa.UniqueConstraint("corrects_id", name=op.f("uq_annotation_corrects_id")),
    )
    with op.batch_alter_table("annotation") as batch_op:
        batch_op.create_index(batch_op.f("ix_annotation_author_id"), ["author_id"])
        batch_op.create_index(batch_op.f("ix_annotation_case_id"), ["case_id"])

    op.create_table(
        "action_item",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("annotation_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("assignee_id", sa.String(length=64), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        _timestamp("done_at", nullable=True),
        sa.Column("done_by", sa.String(length=200), nullable=True),
        _timestamp("overdue_announced_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["annotation_id"],
            ["annotation.id"],
            name=op.f("fk_action_item_annotation_id_annotation"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["partner.id"], name=op.f("fk_action_item_assignee_id_partner")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_record.id"],
            name=op.f("fk_action_item_case_id_case_record"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_action_item")),
    )
    with op.batch_alter_table("action_item") as batch_op:
        batch_op.create_index(batch_op.f("ix_action_item_annotation_id"), ["annotation_id"])
        batch_op.create_index(batch_op.f("ix_action_item_assignee_id"), ["assignee_id"])
        batch_op.create_index(batch_op.f("ix_action_item_case_id"), ["case_id"])
        batch_op.create_index(batch_op.f("ix_action_item_due_on"), ["due_on"])

    with op.batch_alter_table("case_record") as batch_op:
        batch_op.add_column(sa.Column("bailiff_id", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column(
                "household_destination",
                _enum(
                    "household_destination",
                    "own_network",
                    "crisis_shelter",
                    "social_shelter",
                    "waiting_room_home",
                    "unknown",
                ),
                nullable=True,
            )
        )
        batch_op.add_column(
            sa.Column("destination_arranged_by", sa.String(length=64), nullable=True)
        )
        batch_op.add_column(
            sa.Column("housing_block_until_debt_settled", sa.Boolean(), nullable=True)
        )
        batch_op.add_column(sa.Column("closed_on", sa.Date(), nullable=True))
        batch_op.add_column(
            sa.Column(
                "closure_outcome",
                _enum(
                    "closure_outcome",
                    "prevented_payment_arrangement",
                    "prevented_debt_help",
                    "prevented_moved_voluntarily",
                    "prevented_second_chance",
                    "evicted",
                    "household_gone",
                ),
                nullable=True,
            )
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_case_record_bailiff_id_partner"), "partner", ["bailiff_id"], ["id"]
        )
        batch_op.create_foreign_key(
            batch_op.f("fk_case_record_destination_arranged_by_partner"),
            "partner",
            ["destination_arranged_by"],
            ["id"],
        )


def downgrade() -> None:
    with op.batch_alter_table("case_record") as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_case_record_destination_arranged_by_partner"), type_="foreignkey"
        )
        batch_op.drop_constraint(
            batch_op.f("fk_case_record_bailiff_id_partner"), type_="foreignkey"
        )
        for column in (
            "closure_outcome",
            "closed_on",
            "housing_block_until_debt_settled",
            "destination_arranged_by",
            "household_destination",
            "bailiff_id",
        ):
            batch_op.drop_column(column)
    # Dropping a table drops its indexes with it.
    for table in (
        "action_item",
        "annotation",
        "webhook_delivery",
        "webhook_subscription",
        "outbox_event",
    ):
        op.drop_table(table)
