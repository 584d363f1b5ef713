"""The agreements list pages in SQL: ``agreements(first: 20)`` costs about the same for a
partner with 50 agreements as for one with 5,000.

On a scratch SQLite database holding the demo, Nijestee's agreements are cut down to 50 and
the list read through the real schema (strawberry execution, disclosure, access log); then
copies of its agreements (each with its parties, conditions, reviews and checks) bring it to
5,000 and the same request runs again. Prints the median seconds per request of each and their
ratio (before the list paged in SQL, it loaded the related rows of every agreement the caller
relates to: about a hundredfold at 5,000)::

    .venv/bin/python bench/bench_agreements.py
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

# A plain script run puts bench/ on sys.path, not the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session, sessionmaker

from registry.access import accesslog
from registry.access.disclosure import Disclosure
from registry.access.policystore import active_rows, policy_engine
from registry.access.principal import Principal
from registry.db import make_engine, make_session_factory
from registry.demo import seed as demo
from registry.migrate import upgrade
from registry.models import (
    AgreementCondition,
    AgreementParty,
    AgreementReview,
    Case,
    ConditionCheck,
    SecondChanceAgreement,
)
from registry.privacy import keys
from registry.request import RequestScope
from registry.tracing import trace_from_header
from schema.build import build_schema

TODAY = dt.date(2026, 11, 2)
PARTNER = "nijestee"
PURPOSE = "eviction_prevention"
QUERY = """{ agreements(first: %d) { id status kind termStart termEnd
  parties { partner signedAt } conditions { number type lastCheckMet }
  reviews { number dueOn checks { condition met } } } }"""


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(SecondChanceAgreement)) or 0


def _cut_to(sessions: sessionmaker[Session], keep: int) -> None:
    with sessions.begin() as session:
        kept = select(SecondChanceAgreement.id).order_by(SecondChanceAgreement.id).limit(keep)
        ids = list(session.scalars(kept))
        session.execute(delete(SecondChanceAgreement).where(SecondChanceAgreement.id.not_in(ids)))


def _rows(session: Session, model: Any, agreement_ids: list[uuid.UUID]) -> list[dict[str, Any]]:
    table = model.__table__
    found = session.execute(select(table).where(table.c.agreement_id.in_(agreement_ids)))
    return [dict(r._mapping) for r in found]


def _grow_to(sessions: sessionmaker[Session], total: int) -> None:
    """Copies of the agreements there are, on Nijestee's cases, proposed a minute apart."""
    with sessions.begin() as session:
        originals = [
            dict(r._mapping) for r in session.execute(select(SecondChanceAgreement.__table__))
        ]
        ids = [a["id"] for a in originals]
        related = {
            model: _rows(session, model, ids)
            for model in (AgreementParty, AgreementCondition, AgreementReview, ConditionCheck)
        }
        cases = list(session.scalars(select(Case.id).where(Case.owner_id == PARTNER)))
        made = {model: [] for model in related}  # type: ignore[var-annotated]
        agreements = []
        for n in range(total - len(originals)):
            source = originals[n % len(originals)]
            new_id = uuid.uuid4()
            agreements.append(
                {
                    **source,
                    "id": new_id,
                    "case_id": cases[n % len(cases)],
                    "proposed_at": source["proposed_at"] - dt.timedelta(minutes=n + 1),
                }
            )
            for model, rows in related.items():
                made[model] += [
                    {**r, "agreement_id": new_id} for r in rows if r["agreement_id"] == source["id"]
                ]
        session.execute(insert(SecondChanceAgreement.__table__), agreements)
        for model, rows in made.items():
            if rows:
                session.execute(insert(model.__table__), rows)


def _run(sessions: sessionmaker[Session], schema: Any, first: int) -> float:
    gc.collect()
    with sessions() as session:
        engine = policy_engine(active_rows(session))
        principal = Principal(
            PARTNER, "corporation", frozenset(), None, PURPOSE, trace_from_header(None)
        )
        disclosure = Disclosure(engine, principal, today=TODAY)
        scope = RequestScope(session, principal, disclosure, dt.datetime.now(dt.UTC))
        began = time.perf_counter()
        result = schema.execute_sync(QUERY % first, context_value=scope)
        accesslog.write(session, disclosure, "bench", scope.now)
        session.flush()
        elapsed = time.perf_counter() - began
        session.rollback()
    assert not result.errors, result.errors
    assert len(result.data["agreements"]) == first  # type: ignore[index]
    return elapsed


def _median(sessions: sessionmaker[Session], schema: Any, first: int, repeats: int) -> float:
    _run(sessions, schema, first)  # warm the database's and the process's caches
    return statistics.median(_run(sessions, schema, first) for _ in range(repeats))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=50)
    parser.add_argument("--large", type=int, default=5_000)
    parser.add_argument("--first", type=int, default=20)
    parser.add_argument("--repeats", type=int, default=9)
    args = parser.parse_args()
    if keys.from_environment() is None:
        keys.install(keys.KeyEncryptionKey.generate())  # the bench's own, thrown away after
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        upgrade(url)
        sessions = make_session_factory(make_engine(url))
        with sessions.begin() as session:
            demo.seed(session, today=TODAY)
        schema = build_schema(introspection=False, max_cost=10**6)  # first: 200, all fields
        _cut_to(sessions, args.small)
        with sessions() as session:
            small = _count(session)
        t_small = _median(sessions, schema, args.first, args.repeats)
        _grow_to(sessions, args.large)
        with sessions() as session:
            large = _count(session)
        t_large = _median(sessions, schema, args.first, args.repeats)
        t_200 = _median(sessions, schema, 200, max(3, args.repeats // 3))
    print(f"agreements(first: {args.first}) as {PARTNER}, median of {args.repeats} requests")
    print(f"{small:>6} agreements: {t_small * 1000:8.1f} ms")
    print(f"{large:>6} agreements: {t_large * 1000:8.1f} ms")
    print(f"ratio {large} ÷ {small}: {t_large / t_small:.2f}x")
    print(f"agreements(first: 200) at {large}: {t_200 * 1000:.1f} ms")


if __name__ == "__main__":
    main()
