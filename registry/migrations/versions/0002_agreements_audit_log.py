"""agreements audit log

Second-chance agreements (parties, conditions, reviews, checks) and the signed audit log
(entries, Merkle tree nodes, checkpoints, and the one state row the sequencer locks).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import registry.coltypes

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_checkpoint",
        sa.Column("size", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("root", sa.LargeBinary(length=32), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("signed_at", registry.coltypes.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("size", name=op.f("pk_audit_checkpoint")),
    )
    op.create_table(
        "audit_log_entry",
        sa.Column("log_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("canonical", sa.LargeBinary(), nullable=False),
        sa.Column("leaf_hash", sa.LargeBinary(length=32), nullable=False),
        sa.Column("event_type", sa.String(length=64), nullable=False),
        sa.Column("submitter_id", sa.String(length=64), nullable=False),
        sa.Column("subject", sa.String(length=80), nullable=True),
        sa.Column("partner_key_id", sa.String(length=128), nullable=True),
        sa.Column("partner_signature", sa.LargeBinary(length=64), nullable=True),
        sa.Column("signed_sha256", sa.LargeBinary(length=32), nullable=True),
        sa.Column("appended_at", registry.coltypes.UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("log_index", name=op.f("pk_audit_log_entry")),
    )
    with op.batch_alter_table("audit_log_entry", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_entry_subject", ["subject", "log_index"], unique=False)

    op.create_table(
        "audit_log_node",
        sa.Column("level", sa.SmallInteger(), autoincrement=False, nullable=False),
        sa.Column("node_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("hash", sa.LargeBinary(length=32), nullable=False),
        sa.PrimaryKeyConstraint("level", "node_index", name=op.f("pk_audit_log_node")),
    )
    state = op.create_table(
        "audit_log_state",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("frontier", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_log_state")),
    )
    # The empty log: the row exists before the first append, so every append can lock it.
    op.bulk_insert(state, [{"id": 1, "size": 0, "frontier": b""}])
    op.create_table(
        "agreement",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "stay",
                "rehouse",
                "omklapwoning",
                name="agreement_kind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "status",
            sa.Enum(
                "proposed",
                "active",
                "completed",
                "breached",
                "ended_otherwise",
                name="agreement_status",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("nonce", sa.String(length=32), nullable=False),
        sa.Column("term_start", sa.Date(), nullable=False),
        sa.Column("term_end", sa.Date(), nullable=False),
        sa.Column("review_interval_days", sa.Integer(), nullable=False),
        sa.Column("municipality_code", sa.String(length=64), nullable=False),
        sa.Column("proposed_by", sa.String(length=64), nullable=False),
        sa.Column("proposed_at", registry.coltypes.UtcDateTime(timezone=True), nullable=False),
        sa.Column("activated_at", registry.coltypes.UtcDateTime(timezone=True), nullable=True),
        sa.Column("closed_at", registry.coltypes.UtcDateTime(timezone=True), nullable=True),
        sa.Column("closed_by", sa.String(length=64), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["case_record.id"], name=op.f("fk_agreement_case_id_case_record")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_agreement")),
    )
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_agreement_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_agreement_municipality_code"), ["municipality_code"], unique=False
        )
        batch_op.create_index(
            "ix_agreement_status_proposed", ["status", "proposed_at"], unique=False
        )

    op.create_table(
        "agreement_condition",
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(
            "type",
            sa.Enum(
                "pay_rent_on_time",
                "daytime_activities",
                "no_nuisance",
                "accept_support",
                "other",
                name="condition_type",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column(
            "support_kind",
            sa.Enum(
                "corporation",
                "municipality",
                "district_team",
                "credit_bank",
                "welfare",
                "care",
                "bailiff",
                "woonkans",
                "shelter",
                "storage",
                name="partner_kind",
                native_enum=False,
                length=32,
            ),
            nullable=True,
        ),
        sa.Column("text", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_condition_agreement_id_agreement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agreement_id", "number", name=op.f("pk_agreement_condition")),
    )
    op.create_table(
        "agreement_party",
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column(
            "kind",
            sa.Enum("organisation", "household", name="party_kind", native_enum=False, length=32),
            nullable=False,
        ),
        sa.Column("partner_id", sa.String(length=64), nullable=True),
        sa.Column("signed_at", registry.coltypes.UtcDateTime(timezone=True), nullable=True),
        sa.Column("key_id", sa.String(length=128), nullable=True),
        sa.Column("signature", sa.LargeBinary(length=64), nullable=True),
        sa.Column("consented_on", sa.Date(), nullable=True),
        sa.Column("consent_recorded_by", sa.String(length=64), nullable=True),
        sa.Column(
            "consent_recorded_at", registry.coltypes.UtcDateTime(timezone=True), nullable=True
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_party_agreement_id_agreement"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_agreement_party_partner_id_partner")
        ),
        sa.PrimaryKeyConstraint("agreement_id", "position", name=op.f("pk_agreement_party")),
    )
    with op.batch_alter_table("agreement_party", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_agreement_party_partner_id"), ["partner_id"], unique=False
        )

    op.create_table(
        "agreement_review",
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("recorded_at", registry.coltypes.UtcDateTime(timezone=True), nullable=True),
        sa.Column("recorded_by", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id"],
            ["agreement.id"],
            name=op.f("fk_agreement_review_agreement_id_agreement"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("agreement_id", "number", name=op.f("pk_agreement_review")),
    )
    with op.batch_alter_table("agreement_review", schema=None) as batch_op:
        batch_op.create_index(
            "ix_agreement_review_open_due", ["recorded_at", "due_on"], unique=False
        )

    op.create_table(
        "agreement_check",
        sa.Column("agreement_id", sa.Uuid(), nullable=False),
        sa.Column("review_number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("condition_number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("met", sa.Boolean(), nullable=False),
        sa.Column("note", sa.String(length=280), nullable=True),
        sa.ForeignKeyConstraint(
            ["agreement_id", "condition_number"],
            ["agreement_condition.agreement_id", "agreement_condition.number"],
            name=op.f("fk_agreement_check_agreement_id_agreement_condition"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["agreement_id", "review_number"],
            ["agreement_review.agreement_id", "agreement_review.number"],
            name=op.f("fk_agreement_check_agreement_id_agreement_review"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "agreement_id", "review_number", "condition_number", name=op.f("pk_agreement_check")
        ),
    )


def downgrade() -> None:
    op.drop_table("agreement_check")
    with op.batch_alter_table("agreement_review", schema=None) as batch_op:
        batch_op.drop_index("ix_agreement_review_open_due")

    op.drop_table("agreement_review")
    with op.batch_alter_table("agreement_party", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_agreement_party_partner_id"))

    op.drop_table("agreement_party")
    op.drop_table("agreement_condition")
    with op.batch_alter_table("agreement", schema=None) as batch_op:
        batch_op.drop_index("ix_agreement_status_proposed")
        batch_op.drop_index(batch_op.f("ix_agreement_municipality_code"))
        batch_op.drop_index(batch_op.f("ix_agreement_case_id"))

    op.drop_table("agreement")
    op.drop_table("audit_log_state")
    op.drop_table("audit_log_node")
    with op.batch_alter_table("audit_log_entry", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_entry_subject")

    op.drop_table("audit_log_entry")
    op.drop_table("audit_checkpoint")
