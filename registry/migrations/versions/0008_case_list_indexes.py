"""Case lists read by index ranges (issue 17): an owner's and a municipality's cases in
registration order.

Replaces the single-column indexes on ``case_record.owner_id`` and ``municipality_code`` by
``(owner_id, registered_at, id)`` and ``(municipality_code, registered_at, id)``, which serve
the same lookups and also a page of either list. Compatible with the previous release: only
indexes change. On a large PostgreSQL database, create the two indexes ``CONCURRENTLY`` by
hand before upgrading if the table must stay writable meanwhile (docs/deployment.md).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.create_index(
            "ix_case_record_owner_registered",
            ["owner_id", "registered_at", "id"],
            if_not_exists=True,
        )
        batch_op.create_index(
            "ix_case_record_municipality_registered",
            ["municipality_code", "registered_at", "id"],
            if_not_exists=True,
        )
        batch_op.drop_index("ix_case_record_owner_id")
        batch_op.drop_index("ix_case_record_municipality_code")


def downgrade() -> None:
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.create_index("ix_case_record_owner_id", ["owner_id"])
        batch_op.create_index("ix_case_record_municipality_code", ["municipality_code"])
        batch_op.drop_index("ix_case_record_municipality_registered")
        batch_op.drop_index("ix_case_record_owner_registered")
