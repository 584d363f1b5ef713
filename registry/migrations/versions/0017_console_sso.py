"""Console single sign-on by OpenID Connect (issue 13): a staff account's link to an identity
provider (``staff_member.oidc_issuer``, ``oidc_subject``, unique together) and the logins
under way (``staff_sso_login``).

Compatible with the previous release: nullable columns and a new table, which it ignores.

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from registry.coltypes import UtcDateTime

revision: str = "0017"
down_revision: str | None = "0016"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("staff_member", schema=None) as batch_op:
        batch_op.add_column(sa.Column("oidc_issuer", sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column("oidc_subject", sa.String(length=255), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f("uq_staff_member_oidc_issuer_oidc_subject"), ["oidc_issuer", "oidc_subject"]
        )
    op.create_table(
        "staff_sso_login",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("provider", sa.String(length=64), nullable=False),
        sa.Column("state", sa.String(length=128), nullable=False),
        sa.Column("nonce", sa.String(length=128), nullable=False),
        sa.Column("code_verifier", sa.String(length=128), nullable=False),
        sa.Column("purpose", sa.String(length=64), nullable=False),
        sa.Column("next_path", sa.String(length=255), nullable=False),
        sa.Column("created_at", UtcDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_sso_login")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_staff_sso_login_token_hash")),
    )


def downgrade() -> None:
    op.drop_table("staff_sso_login")
    with op.batch_alter_table("staff_member", schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f("uq_staff_member_oidc_issuer_oidc_subject"), type_="unique"
        )
        batch_op.drop_column("oidc_subject")
        batch_op.drop_column("oidc_issuer")
