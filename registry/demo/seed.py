"""The demo registry: the partners (``registry.demo.partners``), their covenants
(``covenants``) and ~200 synthetic cases (``cases``) of the report's four case regions
(Zaanstad, Sittard-Geleen, Deventer, Groningen), and Bureau Woonkans's second-chance
agreements with Nijestee (``registry.demo.agreements``); and the demo partners' key files.
Every household is invented."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.demo import agreements as demo_agreements
from registry.demo import cases, covenants
from registry.demo import history as demo_history
from registry.demo.partners import MUNICIPALITIES, PARTNERS
from registry.models import Partner
from registry.partners import registration as partners

__all__ = ["STEPS", "seed", "write_keys"]

#: The steps ``seed`` reports to its ``progress``.
STEPS = 5


def seed(
    session: Session,
    *,
    cases_per_municipality: int = 50,
    today: dt.date | None = None,
    history: bool = False,
    progress: Callable[[int], None] = lambda _steps: None,
) -> bool:
    """Fill an empty database with the demo; returns False when it held partners already.
    ``history`` adds the past year the eviction monitor shows (``demo.history``);
    ``progress`` is told of each of the ``STEPS`` steps done."""
    if session.scalar(select(func.count()).select_from(Partner)):
        return False
    today = today or dt.date.today()
    rng = random.Random(2021)  # the report's year: the same demo on every machine
    for code, name in MUNICIPALITIES.items():
        partners.add_municipality(session, code, name)
    for p in PARTNERS:
        partners.add_partner(
            session, p.id, p.name, p.kind, p.municipalities, authority_for=p.authority_for
        )
    progress(1)
    # The covenants date from the start of the demo's history; they are the log's first entries.
    covenant_day = dt.datetime(today.year - demo_agreements.FULL_YEARS, 1, 1, 9, tzinfo=dt.UTC)
    covenants.issue(session, covenant_day)
    progress(1)
    cases.add(session, rng, today, cases_per_municipality=cases_per_municipality)
    session.flush()
    progress(1)
    # A separate generator, so that adding agreements left the cases above as they were.
    demo_agreements.seed_agreements(session, random.Random(220), today)
    progress(1)
    if history:
        demo_history.add(session, random.Random(demo_history.SEED))
    progress(1)
    return True


def write_keys(session: Session, folder: Path, *, registry_url: str, audience: str) -> list[Path]:
    """Create a key pair for every demo partner, register it, and write its key file."""
    written = []
    for p in PARTNERS:
        row, private_pem = partners.create_key(session, p.id)
        path = folder / f"{p.id}.json"
        partners.write_key_file(
            path,
            partner_id=p.id,
            kid=row.kid,
            private_key_pem=private_pem,
            registry_url=registry_url,
            audience=audience,
        )
        written.append(path)
    return written
