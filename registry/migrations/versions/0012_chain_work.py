"""The chain's working rhythm (issue 14): every early signal of a case with its reply clocks,
the covenant's reply terms, collection pauses, coordination of a case and its terms, the
covenant's involvement rules, case meetings and their agendas, a second addressee of an outbox
event; a case's arrears become optional (nuisance and fraud cases have none).

Compatible with the previous release: new tables, new nullable columns, and two columns that
become nullable. Cases registered
before it keep their ``early_signalled_on`` and have no signal rows (no reply clock is started
for a signal long past).

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import registry.coltypes

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "involvement_rule",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", sa.String(length=64), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("partner_kind", sa.String(length=32), nullable=False),
        sa.Column("issued_by", sa.String(length=64), nullable=False),
        sa.Column("issued_at", registry.coltypes.UtcDateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", registry.coltypes.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["issued_by"], ["partner.id"], name=op.f("fk_involvement_rule_issued_by_partner")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipality.code"],
            name=op.f("fk_involvement_rule_municipality_code_municipality"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_involvement_rule")),
    )
    with op.batch_alter_table("involvement_rule", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_involvement_rule_municipality_code"), ["municipality_code"], unique=False
        )

    op.create_table(
        "meeting",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("municipality_code", sa.String(length=64), nullable=False),
        sa.Column(
            "kind",
            sa.Enum(
                "gebiedsteam",
                "eviction_meeting",
                "werkgroep",
                name="meeting_kind",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("chair_id", sa.String(length=64), nullable=False),
        sa.Column("scheduled_by", sa.String(length=64), nullable=False),
        sa.Column("scheduled_at", registry.coltypes.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chair_id"], ["partner.id"], name=op.f("fk_meeting_chair_id_partner")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipality.code"],
            name=op.f("fk_meeting_municipality_code_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["scheduled_by"], ["partner.id"], name=op.f("fk_meeting_scheduled_by_partner")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting")),
    )
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_municipality_code"), ["municipality_code"], unique=False
        )

    op.create_table(
        "signal_reply_terms",
        sa.Column("municipality_code", sa.String(length=64), nullable=False),
        sa.Column("district_team_days", sa.Integer(), nullable=False),
        sa.Column("help_offer_days", sa.Integer(), nullable=False),
        sa.Column("set_by", sa.String(length=64), nullable=False),
        sa.Column("set_at", registry.coltypes.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality_code"],
            ["municipality.code"],
            name=op.f("fk_signal_reply_terms_municipality_code_municipality"),
        ),
        sa.ForeignKeyConstraint(
            ["set_by"], ["partner.id"], name=op.f("fk_signal_reply_terms_set_by_partner")
        ),
        sa.PrimaryKeyConstraint("municipality_code", name=op.f("pk_signal_reply_terms")),
    )
    op.create_table(
        "case_signal",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("signalled_on", sa.Date(), nullable=False),
        sa.Column("arrears_months", sa.Numeric(precision=4, scale=1), nullable=False),
        sa.Column("arrears_amount", sa.Numeric(precision=10, scale=2), nullable=False),
        sa.Column(
            "source",
            sa.Enum(
                "landlord",
                "energy_supplier",
                "water_company",
                "health_insurer",
                name="signal_source",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("repeat", sa.Boolean(), nullable=False),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", registry.coltypes.UtcDateTime(timezone=True), nullable=False),
        sa.Column("district_team_due_on", sa.Date(), nullable=False),
        sa.Column(
            "district_team_replied_at", registry.coltypes.UtcDateTime(timezone=True), nullable=True
        ),
        sa.Column(
            "district_team_overdue_announced_at",
            registry.coltypes.UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column("help_offer_due_on", sa.Date(), nullable=False),
        sa.Column("help_offered_at", registry.coltypes.UtcDateTime(timezone=True), nullable=True),
        sa.Column(
            "help_offer_overdue_announced_at",
            registry.coltypes.UtcDateTime(timezone=True),
            nullable=True,
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_record.id"],
            name=op.f("fk_case_signal_case_id_case_record"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["partner.id"], name=op.f("fk_case_signal_recorded_by_partner")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_case_signal")),
    )
    with op.batch_alter_table("case_signal", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_case_signal_case_id"), ["case_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_case_signal_district_team_due_on"),
            ["district_team_due_on"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_case_signal_help_offer_due_on"), ["help_offer_due_on"], unique=False
        )

    op.create_table(
        "collection_pause",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("paused_from", sa.Date(), nullable=False),
        sa.Column("paused_until", sa.Date(), nullable=True),
        sa.Column(
            "reason",
            sa.Enum(
                "help_accepted",
                "debt_counselling",
                "payment_arrangement",
                "other",
                name="pause_reason",
                native_enum=False,
                length=32,
            ),
            nullable=False,
        ),
        sa.Column("recorded_by", sa.String(length=64), nullable=False),
        sa.Column("recorded_at", registry.coltypes.UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_record.id"],
            name=op.f("fk_collection_pause_case_id_case_record"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by"], ["partner.id"], name=op.f("fk_collection_pause_recorded_by_partner")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_collection_pause")),
    )
    with op.batch_alter_table("collection_pause", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_collection_pause_case_id"), ["case_id"], unique=False)

    op.create_table(
        "coordination_term",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("partner_id", sa.String(length=64), nullable=False),
        sa.Column("since", registry.coltypes.UtcDateTime(timezone=True), nullable=False),
        sa.Column("named_by", sa.String(length=64), nullable=False),
        sa.Column("ended_at", registry.coltypes.UtcDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_record.id"],
            name=op.f("fk_coordination_term_case_id_case_record"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["named_by"], ["partner.id"], name=op.f("fk_coordination_term_named_by_partner")
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_coordination_term_partner_id_partner")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coordination_term")),
    )
    with op.batch_alter_table("coordination_term", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coordination_term_case_id"), ["case_id"], unique=False)

    op.create_table(
        "meeting_participant",
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("partner_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_meeting_participant_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["partner_id"], ["partner.id"], name=op.f("fk_meeting_participant_partner_id_partner")
        ),
        sa.PrimaryKeyConstraint("meeting_id", "partner_id", name=op.f("pk_meeting_participant")),
    )
    op.create_table(
        "meeting_agenda_item",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("added_by", sa.String(length=64), nullable=False),
        sa.Column("added_at", registry.coltypes.UtcDateTime(timezone=True), nullable=False),
        sa.Column("decision_id", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(
            ["added_by"], ["partner.id"], name=op.f("fk_meeting_agenda_item_added_by_partner")
        ),
        sa.ForeignKeyConstraint(
            ["case_id"],
            ["case_record.id"],
            name=op.f("fk_meeting_agenda_item_case_id_case_record"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["decision_id"],
            ["annotation.id"],
            name=op.f("fk_meeting_agenda_item_decision_id_annotation"),
        ),
        sa.ForeignKeyConstraint(
            ["meeting_id"],
            ["meeting.id"],
            name=op.f("fk_meeting_agenda_item_meeting_id_meeting"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_meeting_agenda_item")),
        sa.UniqueConstraint(
            "meeting_id", "case_id", name=op.f("uq_meeting_agenda_item_meeting_id_case_id")
        ),
    )
    with op.batch_alter_table("meeting_agenda_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_meeting_agenda_item_case_id"), ["case_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_meeting_agenda_item_meeting_id"), ["meeting_id"], unique=False
        )

    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("coordinator_id", sa.String(length=64), nullable=True))
        batch_op.alter_column(
            "arrears_amount", existing_type=sa.NUMERIC(precision=10, scale=2), nullable=True
        )
        batch_op.alter_column("arrears_months", existing_type=sa.INTEGER(), nullable=True)
        batch_op.create_foreign_key(
            batch_op.f("fk_case_record_coordinator_id_partner"),
            "partner",
            ["coordinator_id"],
            ["id"],
        )

    with op.batch_alter_table("involvement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("contact_name", sa.String(length=200), nullable=True))
        batch_op.add_column(sa.Column("contact_phone", sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column("contact_email", sa.String(length=200), nullable=True))

    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.add_column(sa.Column("also_addressee_id", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("outbox_event", schema=None) as batch_op:
        batch_op.drop_column("also_addressee_id")

    with op.batch_alter_table("involvement", schema=None) as batch_op:
        batch_op.drop_column("contact_email")
        batch_op.drop_column("contact_phone")
        batch_op.drop_column("contact_name")

    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("fk_case_record_coordinator_id_partner"), type_="foreignkey"
        )
        batch_op.alter_column("arrears_months", existing_type=sa.INTEGER(), nullable=False)
        batch_op.alter_column(
            "arrears_amount", existing_type=sa.NUMERIC(precision=10, scale=2), nullable=False
        )
        batch_op.drop_column("coordinator_id")

    with op.batch_alter_table("meeting_agenda_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_agenda_item_meeting_id"))
        batch_op.drop_index(batch_op.f("ix_meeting_agenda_item_case_id"))

    op.drop_table("meeting_agenda_item")
    op.drop_table("meeting_participant")
    with op.batch_alter_table("coordination_term", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coordination_term_case_id"))

    op.drop_table("coordination_term")
    with op.batch_alter_table("collection_pause", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_collection_pause_case_id"))

    op.drop_table("collection_pause")
    with op.batch_alter_table("case_signal", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_signal_help_offer_due_on"))
        batch_op.drop_index(batch_op.f("ix_case_signal_district_team_due_on"))
        batch_op.drop_index(batch_op.f("ix_case_signal_case_id"))

    op.drop_table("case_signal")
    op.drop_table("signal_reply_terms")
    with op.batch_alter_table("meeting", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_meeting_municipality_code"))

    op.drop_table("meeting")
    with op.batch_alter_table("involvement_rule", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_involvement_rule_municipality_code"))

    op.drop_table("involvement_rule")
