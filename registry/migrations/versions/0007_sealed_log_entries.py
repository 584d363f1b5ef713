"""Sealed audit-log entries (issue 9): openings stored apart, no unchecked copies of leaf data.

Adds ``audit_log_opening`` (the opening of each format 2 entry's commitment, see
``registry.auditlog.sealing``) and drops the columns of ``audit_log_entry`` that repeated what
the signed leaf says (event type, submitter, time, the partner's key, signature and signed
hash): the registry reads those from the leaf and its opening now, so a column someone edits
can no longer change what is served. Entries written before stay as they are (format 1) and
keep verifying.

Not compatible with the previous release, on purpose: a process of that release would go on
appending format 1 entries (the event in the clear) after format 2 ones, which ``log verify``
refuses. With the columns it writes gone, such a process fails to append instead. Stop every
registry process before ``db upgrade``; start the new release after.

Downgrade is possible only while no format 2 entry was appended (the previous release cannot
open them, and dropping their openings would make them unopenable for good); it restores the
columns from the format 1 leaves.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-10
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from alembic.util import CommandError

from registry.coltypes import UtcDateTime

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_COPIES = (
    ("event_type", sa.String(length=64), False),
    ("submitter_id", sa.String(length=64), False),
    ("partner_key_id", sa.String(length=128), True),
    ("partner_signature", sa.LargeBinary(length=64), True),
    ("signed_sha256", sa.LargeBinary(length=32), True),
    ("appended_at", UtcDateTime(timezone=True), False),
)


def upgrade() -> None:
    op.create_table(
        "audit_log_opening",
        sa.Column("log_index", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("opening", sa.LargeBinary(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=True),
        sa.PrimaryKeyConstraint("log_index", name=op.f("pk_audit_log_opening")),
    )
    with op.batch_alter_table("audit_log_opening", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_opening_case_id", ["case_id"], unique=False)
    with op.batch_alter_table("audit_log_entry", schema=None) as batch_op:
        for name, _, _ in _COPIES:
            batch_op.drop_column(name)


def _copies(canonical: bytes) -> dict[str, object]:
    leaf = json.loads(canonical)
    signature = leaf.get("signature") or {}
    return {
        "event_type": leaf["event"]["type"],
        "submitter_id": leaf["submitter"],
        "partner_key_id": signature.get("keyId"),
        "partner_signature": bytes.fromhex(signature["ed25519"]) if signature else None,
        "signed_sha256": bytes.fromhex(signature["signedSha256"]) if signature else None,
        "appended_at": dt.datetime.fromisoformat(leaf["time"].replace("Z", "+00:00")),
    }


def downgrade() -> None:
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT count(*) FROM audit_log_opening")).scalar():
        raise CommandError(
            "cannot downgrade below 0007: the log holds sealed (format 2) entries, which the "
            "previous release cannot open; dropping their openings would lose them for good"
        )
    with op.batch_alter_table("audit_log_entry", schema=None) as batch_op:
        for name, kind, _ in _COPIES:
            batch_op.add_column(sa.Column(name, kind, nullable=True))
    entries = sa.table(
        "audit_log_entry",
        sa.column("log_index", sa.BigInteger()),
        sa.column("canonical", sa.LargeBinary()),
        *(sa.column(name, kind) for name, kind, _ in _COPIES),
    )
    rows = bind.execute(sa.select(entries.c.log_index, entries.c.canonical)).all()
    for log_index, canonical in rows:
        bind.execute(
            entries.update().where(entries.c.log_index == log_index).values(**_copies(canonical))
        )
    with op.batch_alter_table("audit_log_entry", schema=None) as batch_op:
        for name, kind, nullable in _COPIES:
            if not nullable:
                batch_op.alter_column(name, existing_type=kind, nullable=False)
    with op.batch_alter_table("audit_log_opening", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_opening_case_id")
    op.drop_table("audit_log_opening")
