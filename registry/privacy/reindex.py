"""``ketenregister privacy reindex``: (re)compute the blind indexes of every stored contact.

For contacts written before migration 0016, or after the deployment's key changed. Safe to
run again and twice at once: each batch locks its cases' rows (``SELECT ... FOR UPDATE``, the
lock a change through the API takes; on SQLite the one writer) and writes the digests the
values give, so two runs write the same bytes, and neither overwrites a correction made
meanwhile with digests of the value before it.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from registry.db import begin_writing
from registry.models import Case, CaseContact
from registry.privacy.blind_index import index_contact

#: Cases per transaction: short locks, and a restart loses little.
BATCH = 200


@dataclass(frozen=True)
class Reindexed:
    """What a run did: contacts looked at, and how many of them got new digests."""

    contacts: int
    changed: int


def reindex(sessions: sessionmaker[Session], *, batch: int = BATCH) -> Reindexed:
    """Recompute the digests of every contact of a case not erased, in batches of ``batch``
    cases in id order (so two runs lock in the same order and never deadlock)."""
    contacts = changed = 0
    after: uuid.UUID | None = None
    while True:
        with sessions.begin() as session:
            begin_writing(session)
            stmt = (
                select(Case)
                .join(CaseContact, CaseContact.case_id == Case.id)
                .where(Case.erased_at.is_(None))
                .order_by(Case.id)
                .limit(batch)
                .options(selectinload(Case.contact))
                .with_for_update(of=Case)
                .execution_options(populate_existing=True)
            )
            if after is not None:
                stmt = stmt.where(Case.id > after)
            cases = session.scalars(stmt).all()
            if not cases:
                return Reindexed(contacts, changed)
            for case in cases:
                assert case.contact is not None  # joined above
                contacts += 1
                changed += index_contact(case.contact)
            after = cases[-1].id
