"""The household's rights (issue 16): personal data sealed under a per-case data key, and the
case's erasure.

Adds ``case_record.data_key`` (the case's data key, wrapped by the deployment's key) and
``case_record.erased_at``, and turns the household's contact details, annotation notes and
action-item descriptions into sealed bytes. Rows already stored are sealed here, which needs
the deployment's data key (``KETENREGISTER_DATA_KEY`` or ``KETENREGISTER_DATA_KEY_FILE``); an
empty database needs none.

Revision ID: 0013
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from registry.privacy.keys import CaseCipher, DataKeyError, current, new_data_key

revision: str = "0013"
down_revision: str | None = "0008"
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


def _as_uuid(value: object) -> uuid.UUID:
    return value if isinstance(value, uuid.UUID) else uuid.UUID(str(value))


def upgrade() -> None:
    with op.batch_alter_table("case_record", schema=None) as batch_op:
        batch_op.add_column(sa.Column("data_key", sa.LargeBinary(), nullable=True))
        batch_op.add_column(sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True))
    bind = op.get_bind()
    ciphers: dict[uuid.UUID, CaseCipher] = {}

    def cipher(case_id: uuid.UUID) -> CaseCipher:
        found = ciphers.get(case_id)
        if found is None:
            try:
                kek = current()
            except DataKeyError as exc:
                raise SystemExit(f"0013 seals the stored personal data: {exc}") from None
            key = new_data_key()
            bind.execute(
                sa.text("UPDATE case_record SET data_key = :k WHERE id = :id"),
                {"k": kek.wrap(case_id, key), "id": case_id},
            )
            found = ciphers[case_id] = CaseCipher(case_id, key)
        return found

    for table, (case_column, columns) in SEALED.items():
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, _nullable in columns:
                batch_op.add_column(sa.Column(f"{column}_sealed", sa.LargeBinary(), nullable=True))
        names = ", ".join(column for column, _ in columns)
        key_column = "id" if table != "case_contact" else "case_id"
        # Names from SEALED above, never from input.
        select_rows = f"SELECT {key_column}, {case_column}, {names} FROM {table}"  # noqa: S608
        rows = bind.execute(sa.text(select_rows))
        for row in rows.all():
            case_id = _as_uuid(row[1])
            values = {
                f"{column}_sealed": None
                if row[2 + i] is None
                else cipher(case_id).seal(f"{table}.{column}", row[2 + i])
                for i, (column, _) in enumerate(columns)
            }
            assignments = ", ".join(f"{name} = :{name}" for name in values)
            bind.execute(
                sa.text(f"UPDATE {table} SET {assignments} WHERE {key_column} = :row_id"),  # noqa: S608
                {**values, "row_id": row[0]},
            )
        with op.batch_alter_table(table, schema=None) as batch_op:
            for column, nullable in columns:
                batch_op.drop_column(column)
                batch_op.alter_column(
                    f"{column}_sealed",
                    new_column_name=column,
                    existing_type=sa.LargeBinary(),
                    nullable=nullable,
                )


def downgrade() -> None:
    # Opening the sealed values again would put personal data back in the clear; a downgrade
    # past this revision is a restore from the backup taken before it.
    raise NotImplementedError("0013 cannot be undone: restore the backup taken before it")
