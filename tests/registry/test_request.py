"""A request's changes: concurrent mutations queue for the database's write lock, never fail
on it (SQLite refuses a deferred transaction's late lock upgrade at once)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from registry.models import Case
from tests.conftest import GraphQL

UPDATE = """mutation($id: ID!, $months: Int!) { updateCase(id: $id, input: {
  arrearsMonths: $months }) { arrearsMonths } }"""


def test_concurrent_mutations_all_succeed(gql: GraphQL, sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        ids = [
            str(i)
            for i in session.scalars(select(Case.id).where(Case.owner_id == "nijestee").limit(8))
        ]

    def change(n: int) -> list[object]:
        body = gql("nijestee", UPDATE, {"id": ids[n % len(ids)], "months": 1 + n % 12})
        return list(body.get("errors", []))

    with ThreadPoolExecutor(8) as pool:
        errors = [e for found in pool.map(change, range(24)) for e in found]
    assert errors == []
