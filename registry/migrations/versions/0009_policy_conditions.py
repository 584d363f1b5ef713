"""Policies with conditions (issue 12): phases, purposes, a validity period and four eyes.

Adds to ``access_policy`` the phases and registered purposes a policy applies in and for, its
validity period, and the state of a grant awaiting a second policy officer's approval; adds
the ``processing_purpose`` table (the processing activities each municipality registers) and
``policy_settings`` (whether a municipality requires four eyes).

A request now names its purpose and a grant releases data only for the purposes it names. So
that grants issued before this release keep doing what they did for the requests that sent
the registry's one purpose until now, every municipality gets ``eviction_prevention``
registered and every existing grant names it.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from registry.coltypes import UtcDateTime

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_LEGACY_PURPOSE = "eviction_prevention"


def upgrade() -> None:
    op.create_table(
        "processing_purpose",
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("registered_at", UtcDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality"],
            ["municipality.code"],
            name=op.f("fk_processing_purpose_municipality_municipality"),
        ),
        sa.PrimaryKeyConstraint("municipality", "id", name=op.f("pk_processing_purpose")),
    )
    op.create_table(
        "policy_settings",
        sa.Column("municipality", sa.String(length=64), nullable=False),
        sa.Column("four_eyes", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["municipality"],
            ["municipality.code"],
            name=op.f("fk_policy_settings_municipality_municipality"),
        ),
        sa.PrimaryKeyConstraint("municipality", name=op.f("pk_policy_settings")),
    )
    with op.batch_alter_table("access_policy", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phases", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("purposes", sa.JSON(), nullable=False, server_default="[]"))
        batch_op.add_column(sa.Column("valid_from", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("valid_until", sa.Date(), nullable=True))
        batch_op.add_column(sa.Column("issued_by", sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column("pending", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column("approved_at", UtcDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column("approved_by", sa.String(length=64), nullable=True))
    op.execute(
        sa.text(
            "INSERT INTO processing_purpose (municipality, id, description, registered_at) "
            "SELECT code, :purpose, :description, CURRENT_TIMESTAMP FROM municipality"
        ).bindparams(
            purpose=_LEGACY_PURPOSE,
            description="Voorkomen van huisuitzettingen (the covenant's processing activity)",
        )
    )
    op.execute(
        sa.text("UPDATE access_policy SET purposes = :purposes WHERE kind = 'grant'").bindparams(
            sa.bindparam("purposes", value=[_LEGACY_PURPOSE], type_=sa.JSON())
        )
    )


def downgrade() -> None:
    with op.batch_alter_table("access_policy", schema=None) as batch_op:
        for column in (
            "approved_by",
            "approved_at",
            "pending",
            "issued_by",
            "valid_until",
            "valid_from",
            "purposes",
            "phases",
        ):
            batch_op.drop_column(column)
    op.drop_table("policy_settings")
    op.drop_table("processing_purpose")
