"""Keyed blind indexes of a household's exact address and identity on ``case_contact``.

Two nullable columns and their indexes: compatible with the previous release, which neither
writes nor reads them. They are filled when a contact is written, and for contacts stored
before by ``ketenregister privacy reindex`` (it needs the deployment's data key, which a
migration should not).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0016"
down_revision: str | None = "0015"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case_contact", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address_index", sa.LargeBinary(length=32), nullable=True))
        batch_op.add_column(sa.Column("identity_index", sa.LargeBinary(length=32), nullable=True))
        batch_op.create_index(
            batch_op.f("ix_case_contact_address_index"), ["address_index"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_case_contact_identity_index"), ["identity_index"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("case_contact", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_case_contact_identity_index"))
        batch_op.drop_index(batch_op.f("ix_case_contact_address_index"))
        batch_op.drop_column("identity_index")
        batch_op.drop_column("address_index")
