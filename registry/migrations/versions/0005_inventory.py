"""Stored inventory after an eviction, pickups and the municipal contact (issue 5).

Adds ``inventory`` (one per case: the goods removed and stored, and what became of them),
``pickup_request`` and ``municipal_contact`` (the task a pickup request gives the
municipality). Compatible with the previous release: it only adds tables. The new outbox and
audit-log event types need no change: both store their type as a plain string.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from registry.coltypes import UtcDateTime

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _enum(name: str, *values: str) -> sa.Enum:
    # Stored by value as a plain string, no CHECK constraint (registry.models.partner.str_enum).
    return sa.Enum(*values, name=name, native_enum=False, length=32)


def _timestamp(name: str, *, nullable: bool) -> sa.Column[object]:
    return sa.Column(name, UtcDateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "inventory",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", sa.String(length=64), nullable=False),
        sa.Column("storage_provider_id", sa.String(length=64), nullable=False),
        sa.Column("location_code", sa.String(length=64), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("volume_m3", sa.Numeric(precision=6, scale=1), nullable=True),
        sa.Column("perishable_or_dangerous", sa.Boolean(), nullable=False),
        sa.Column("removed_on", sa.Date(), nullable=False),
        sa.Column("record_copy_handed_over_on", sa.Date(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        _timestamp("recorded_at", nullable=False),
        sa.Column(
            "status", _enum("inventory_status", "stored", "collected", "disposed"), nullable=False
        ),
        sa.Column("collected_on", sa.Date(), nullable=True),
        sa.Column(
            "disposition", _enum("disposition", "sold", "given_away", "destroyed"), nullable=True
        ),
        sa.Column("disposed_on", sa.Date(), nullable=True),
        sa.Column("proceeds", sa.Numeric(precision=10, scale=2), nullable=True),
        sa.Column("proceeds_nonce", sa.String(length=32), nullable=True),
        sa.Column("claimable_until", sa.Date(), nullable=True),
        sa.Column("disposal_recorded_by", sa.String(length=64), nullable=True),
        _timestamp("disposal_recorded_at", nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_record.id"], name=op.f("fk_inventory_case_id_case_record")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipality.code"],
            name=op.f("fk_inventory_municipality_code_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["storage_provider_id"],
            ["partner.id"],
            name=op.f("fk_inventory_storage_provider_id_partner"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_inventory")),
        sa.UniqueConstraint("case_id", name=op.f("uq_inventory_case_id")),
    )
    with op.batch_alter_table("inventory") as batch_op:
        batch_op.create_index(batch_op.f("ix_inventory_municipality_code"), ["municipality_code"])
        batch_op.create_index("ix_inventory_status_removed", ["status", "removed_on"])
        batch_op.create_index(
            batch_op.f("ix_inventory_storage_provider_id"), ["storage_provider_id"]
        )

    op.create_table(
        "pickup_request",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("inventory_id", sa.Uuid(), nullable=False),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        _timestamp("requested_at", nullable=False),
        sa.Column(
            "status",
            _enum("pickup_status", "on_hold", "released", "collected", "lapsed"),
            nullable=False,
        ),
        sa.Column("released_by", sa.String(length=64), nullable=True),
        _timestamp("released_at", nullable=True),
        sa.Column("collected_on", sa.Date(), nullable=True),
        sa.Column("collection_recorded_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["inventory_id"],
            ["inventory.id"],
            name=op.f("fk_pickup_request_inventory_id_inventory"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pickup_request")),
    )
    with op.batch_alter_table("pickup_request") as batch_op:
        batch_op.create_index(batch_op.f("ix_pickup_request_inventory_id"), ["inventory_id"])

    op.create_table(
        "municipal_contact",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("pickup_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", sa.String(length=64), nullable=False),
        sa.Column("assignee_id", sa.String(length=64), nullable=True),
        _timestamp("opened_at", nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column(
            "outcome",
            _enum(
                "contact_outcome", "help_offered", "help_accepted", "help_declined", "not_reached"
            ),
            nullable=True,
        ),
        sa.Column("attempts", sa.Integer(), nullable=True),
        sa.Column("contacted_on", sa.Date(), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=True),
        _timestamp("recorded_at", nullable=True),
        _timestamp("overdue_announced_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["assignee_id"], ["partner.id"], name=op.f("fk_municipal_contact_assignee_id_partner")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_record.id"], name=op.f("fk_municipal_contact_case_id_case_record")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipality.code"],
            name=op.f("fk_municipal_contact_municipality_code_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["pickup_id"],
            ["pickup_request.id"],
            name=op.f("fk_municipal_contact_pickup_id_pickup_request"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_municipal_contact")),
        sa.UniqueConstraint("pickup_id", name=op.f("uq_municipal_contact_pickup_id")),
    )
    with op.batch_alter_table("municipal_contact") as batch_op:
        batch_op.create_index(batch_op.f("ix_municipal_contact_case_id"), ["case_id"])
        batch_op.create_index(
            batch_op.f("ix_municipal_contact_municipality_code"), ["municipality_code"]
        )
        batch_op.create_index("ix_municipal_contact_open_due", ["recorded_at", "due_on"])


def downgrade() -> None:
    # Dropping a table drops its indexes with it.
    for table in ("municipal_contact", "pickup_request", "inventory"):
        op.drop_table(table)
