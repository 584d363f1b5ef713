"""An outbox event's addressees as a list (``outbox_addressee``), its ``detail``, and the
"sent" marker of an agreement review's due notice.

An event held at most two addressees (``addressee_id``, ``also_addressee_id``); an agreement
has three or more parties, each to be told. Adds ``outbox_addressee`` (one row per event and
partner), moves every existing addressee into it, and drops the two columns. Adds
``outbox_event.detail``: ids and codes a webhook passes on beyond the case (an agreement's id).

Adds ``agreement_review.due_notice`` and ``due_announced_at`` (``agreement.review_due`` is
announced once). Reviews of active agreements not recorded and not yet due are to be
announced; those already past due are not (they are listed as due, and a burst of stale
notices on the first round would help no one).

Not compatible with the previous release, on purpose: a process of that release would write
addressees into columns nobody reads any more, and the partner would silently not be told.
With the columns gone, such a process fails to emit instead (its change rolls back). Stop
every registry process before ``db upgrade``; start the new release after.

Downgrade keeps two addressees per event; it refuses while an event not yet fanned out has
more (the third would silently not be told).

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from alembic.util import CommandError

from registry.coltypes import UtcDateTime

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_EVENTS = sa.table(
    "outbox_event",
    sa.column("id", sa.Uuid()),
    sa.column("addressee_id", sa.String(64)),
    sa.column("also_addressee_id", sa.String(64)),
    sa.column("fanned_out_at", sa.DateTime()),
)
_ADDRESSEES = sa.table(
    "outbox_addressee", sa.column("event_id", sa.Uuid()), sa.column("partner_id", sa.String(64))
)


def upgrade() -> None:
    op.create_table(
        "outbox_addressee",
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("partner_id", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["outbox_event.id"],
            name=op.f("fk_outbox_addressee_event_id_outbox_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "partner_id", name=op.f("pk_outbox_addressee")),
    )
    events = _EVENTS.c
    op.execute(
        _ADDRESSEES.insert().from_select(
            ["event_id", "partner_id"],
            sa.select(events.id, events.addressee_id).where(events.addressee_id.is_not(None)),
        )
    )
    # The second addressee, unless it is the first again (one row per event and partner).
    op.execute(
        _ADDRESSEES.insert().from_select(
            ["event_id", "partner_id"],
            sa.select(events.id, events.also_addressee_id).where(
                events.also_addressee_id.is_not(None),
                sa.or_(
                    events.addressee_id.is_(None),
                    events.also_addressee_id != events.addressee_id,
                ),
            ),
        )
    )
    op.add_column("outbox_event", sa.Column("detail", sa.JSON(), nullable=True))
    op.add_column(
        "agreement_review",
        sa.Column("due_notice", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "agreement_review",
        sa.Column("due_announced_at", UtcDateTime(timezone=True), nullable=True),
    )
    reviews = sa.table(
        "agreement_review",
        sa.column("agreement_id", sa.Uuid()),
        sa.column("due_on", sa.Date()),
        sa.column("recorded_at", sa.DateTime()),
        sa.column("due_notice", sa.Boolean()),
    )
    agreements = sa.table("agreement", sa.column("id", sa.Uuid()), sa.column("status", sa.String()))
    op.execute(
        reviews.update()
        .where(
            reviews.c.recorded_at.is_(None),
            reviews.c.due_on > dt.datetime.now(dt.UTC).date(),
            reviews.c.agreement_id.in_(
                sa.select(agreements.c.id).where(agreements.c.status == "active")
            ),
        )
        .values(due_notice=True)
    )
    # Dropped in place (SQLite 3.35 and PostgreSQL alike), not by batch mode's copy of the
    # table: dropping the old copy would cascade to the addressees just moved, and is refused
    # while deliveries refer to its events.
    for column in ("addressee_id", "also_addressee_id"):
        op.execute(sa.text(f"ALTER TABLE outbox_event DROP COLUMN {column}"))


def downgrade() -> None:
    bind = op.get_bind()
    crowded = bind.execute(
        sa.select(_ADDRESSEES.c.event_id)
        .join(_EVENTS, _EVENTS.c.id == _ADDRESSEES.c.event_id)
        .where(_EVENTS.c.fanned_out_at.is_(None))
        .group_by(_ADDRESSEES.c.event_id)
        .having(sa.func.count() > 2)
        .limit(1)
    ).first()
    if crowded is not None:
        raise CommandError(
            "cannot downgrade below 0015: an event not yet fanned out has more than two "
            "addressees, and the previous release would tell only two of them; let the "
            "workers fan it out first"
        )
    for column in ("addressee_id", "also_addressee_id"):
        op.add_column("outbox_event", sa.Column(column, sa.String(length=64), nullable=True))
    op.execute(sa.text("ALTER TABLE outbox_event DROP COLUMN detail"))
    for column in ("due_announced_at", "due_notice"):
        op.execute(sa.text(f"ALTER TABLE agreement_review DROP COLUMN {column}"))
    rows = bind.execute(
        sa.select(_ADDRESSEES.c.event_id, _ADDRESSEES.c.partner_id).order_by(
            _ADDRESSEES.c.event_id, _ADDRESSEES.c.partner_id
        )
    ).all()
    by_event: dict[object, list[str]] = {}
    for event_id, partner_id in rows:
        by_event.setdefault(event_id, []).append(partner_id)
    for event_id, partners in by_event.items():
        bind.execute(
            _EVENTS.update()
            .where(_EVENTS.c.id == event_id)
            .values(
                addressee_id=partners[0], also_addressee_id=partners[1] if partners[1:] else None
            )
        )
    op.drop_table("outbox_addressee")
