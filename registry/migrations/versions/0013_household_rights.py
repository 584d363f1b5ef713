"""The household's rights (issue 16): personal data sealed under a per-case data key, and the
case's erasure.

Adds ``case_record.data_key`` (the case's data key, wrapped by the deployment's key) and
``case_record.erased_at``, and turns the household's contact details, annotation notes and
action-item descriptions into sealed bytes. Rows already stored are sealed here, which needs
the deployment's data key (``KETENREGISTER_DATA_KEY`` or ``KETENREGISTER_DATA_KEY_FILE``); an
empty database needs none.

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from registry.privacy.keys import CaseCipher, DataKeyError, current, new_data_key

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: table -> (case id column, [(column, nullable)]) of the text sealed by this revision.
SEALED = {
    "case_contact": (
        "case_id",
        [
            ("name", False),
            ("address", False),
            ("postal_code", False),
            ("phone", True),
            ("email", True),
        ],
    ),
    "annotation": ("case_id", [("note", True)]),
    "action_item": ("case_id", [("description", False)]),
}
#: The text columns' lengths before this revision (for a downgrade).
LENGTHS = {
    "name": 200,
    "address": 300,
    "postal_code": 16,
    "phone": 40,
    "email": 200,
    "note": 1000,
    "description": 500,
}


def _as_uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def _replace_column(
    table: str, column: str, new_type: sa.types.TypeEngine[Any], nullable: bool
) -> None:
    """Drop ``column`` and give ``<column>_new`` its name, in place: SQLite (3.35 and later)
    drops and renames columns natively, so no table is copied, and the foreign keys of the
    rows that refer to this table's rows are never in the way."""
    op.drop_column(table, column)
    op.alter_column(table, f"{column}_new", new_column_name=column, existing_type=new_type)
    if not nullable and op.get_bind().dialect.name != "sqlite":
        op.alter_column(table, column, existing_type=new_type, nullable=False, server_default=None)


def _add_column(
    table: str, column: str, new_type: sa.types.TypeEngine[Any], nullable: bool
) -> None:
    # A NOT NULL column added to rows already there needs a default until it is filled; SQLite
    # cannot change that afterwards (alembic does not compare server defaults).
    default = None if nullable else sa.text("''" if isinstance(new_type, sa.String) else "X''")
    if default is not None and op.get_bind().dialect.name == "postgresql":
        default = sa.text("''" if isinstance(new_type, sa.String) else "'\\x'::bytea")
    op.add_column(
        table, sa.Column(f"{column}_new", new_type, nullable=nullable, server_default=default)
    )


def upgrade() -> None:
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("data_key", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    ciphers: dict[uuid.UUID, CaseCipher] = {}

    def cipher(stored_id: object) -> CaseCipher:
        # ``stored_id`` as the database returned it (SQLite: hex text), for the UPDATE.
        case_id = _as_uuid(stored_id)
        found = ciphers.get(case_id)
        if found is None:
            try:
                kek = current()
            except DataKeyError as exc:
                raise SystemExit(f"0013 seals the stored personal data: {exc}") from None
            key = new_data_key()
            bind.execute(
                sa.text("UPDATE case_record SET data_key = :k WHERE id = :id"),
                {"k": kek.wrap(case_id, key), "id": stored_id},
            )
            found = ciphers[case_id] = CaseCipher(case_id, key)
        return found

    for table, (case_column, columns) in SEALED.items():
        for column, nullable in columns:
            _add_column(table, column, sa.LargeBinary(), nullable)
        names = ", ".join(column for column, _ in columns)
        key_column = "id" if table != "case_contact" else "case_id"
        # Names from SEALED above, never from input.
        select_rows = f"SELECT {key_column}, {case_column}, {names} FROM {table}"  # noqa: S608
        rows = bind.execute(sa.text(select_rows))
        for row in rows.all():
            values = {
                f"{column}_new": None
                if row[2 + i] is None
                else cipher(row[1]).seal(f"{table}.{column}", row[2 + i])
                for i, (column, _) in enumerate(columns)
            }
            assignments = ", ".join(f"{name} = :{name}" for name in values)
            bind.execute(
                sa.text(f"UPDATE {table} SET {assignments} WHERE {key_column} = :row_id"),  # noqa: S608
                {**values, "row_id": row[0]},
            )
        for column, nullable in columns:
            _replace_column(table, column, sa.LargeBinary(), nullable)


def downgrade() -> None:
    # Back to the previous release: the values are opened into text columns again (which
    # needs the data key); an erased household's rows are gone and stay gone.
    bind = op.get_bind()
    kek = current() if bind.execute(sa.text("SELECT 1 FROM case_contact")).first() else None
    ciphers: dict[uuid.UUID, CaseCipher] = {}

    def cipher(stored_id: object) -> CaseCipher:
        case_id = _as_uuid(stored_id)
        found = ciphers.get(case_id)
        if found is None:
            assert kek is not None
            wrapped = bind.execute(
                sa.text("SELECT data_key FROM case_record WHERE id = :id"), {"id": stored_id}
            ).scalar_one()
            found = ciphers[case_id] = CaseCipher(case_id, kek.unwrap(case_id, bytes(wrapped)))
        return found

    for table, (case_column, columns) in SEALED.items():
        for column, nullable in columns:
            _add_column(table, column, sa.String(LENGTHS[column]), nullable)
        names = ", ".join(column for column, _ in columns)
        key_column = "id" if table != "case_contact" else "case_id"
        select_rows = f"SELECT {key_column}, {case_column}, {names} FROM {table}"  # noqa: S608
        for row in bind.execute(sa.text(select_rows)).all():
            values = {
                f"{column}_new": None
                if row[2 + i] is None
                else cipher(row[1]).open(f"{table}.{column}", bytes(row[2 + i]))
                for i, (column, _) in enumerate(columns)
            }
            assignments = ", ".join(f"{name} = :{name}" for name in values)
            bind.execute(
                sa.text(f"UPDATE {table} SET {assignments} WHERE {key_column} = :row_id"),  # noqa: S608
                {**values, "row_id": row[0]},
            )
        for column, nullable in columns:
            _replace_column(table, column, sa.String(LENGTHS[column]), nullable)
    op.drop_column("case_record", "erased_at")
    op.drop_column("case_record", "data_key")
