"""Case lists: only related cases, filtered in SQL, keyset pages, no filter oracle."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from registry.models import Case, Involvement
from tests.conftest import GraphQL
from tests.helpers import error_codes

LIST = """query($f: CaseFilterInput, $first: Int!, $after: String) {
  cases(filter: $f, first: $first, after: $after) {
    nodes { id municipality owner phase evictionDate }
    pageInfo { endCursor hasNextPage } } }"""


def _all(
    gql: GraphQL, partner: str, f: dict[str, Any] | None = None, first: int = 7
) -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = []
    after = None
    while True:
        page = gql(partner, LIST, {"f": f, "first": first, "after": after})["data"]["cases"]
        nodes += page["nodes"]
        if not page["pageInfo"]["hasNextPage"]:
            return nodes
        after = page["pageInfo"]["endCursor"]


def test_pages_list_every_related_case_once(gql: GraphQL, sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        expected = {
            str(i)
            for i in session.scalars(
                select(Involvement.case_id).where(Involvement.partner_id == "wij-groningen")
            )
        }
    ids = [n["id"] for n in _all(gql, "wij-groningen")]
    assert len(ids) == len(set(ids)) == len(expected)
    assert set(ids) == expected


def test_the_municipality_lists_its_own_cases_only(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    nodes = _all(gql, "gemeente-deventer", first=50)
    assert len(nodes) == 50 and {n["municipality"] for n in nodes} == {"deventer"}


def test_filters_are_applied(gql: GraphQL) -> None:
    nodes = _all(gql, "nijestee", {"phase": "JUDGMENT_SERVED"})
    assert nodes and {n["phase"] for n in nodes} == {"JUDGMENT_SERVED"}
    dated = _all(gql, "nijestee", {"evictionFrom": "2026-11-20", "evictionTo": "2026-12-10"})
    assert dated and all("2026-11-20" <= n["evictionDate"] <= "2026-12-10" for n in dated)


def test_filtering_on_a_withheld_field_reveals_nothing(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    # Partners in Welzijn is involved in ZOwonen cases but may not read their owner: a filter
    # on the owner must not match them, or the filter would tell what the policy withholds.
    with sessions() as session:
        involved = session.scalar(
            select(Case.id)
            .join(Involvement, Involvement.case_id == Case.id)
            .where(Involvement.partner_id == "partners-in-welzijn", Case.owner_id == "zowonen")
        )
    assert involved is not None
    assert _all(gql, "partners-in-welzijn", {"owner": "zowonen"}) == []
    assert _all(gql, "partners-in-welzijn", {"municipality": "sittard-geleen"}) == []
    # The eviction date is released, so filtering on it works.
    assert _all(gql, "partners-in-welzijn", {"evictionFrom": "2000-01-01"})


def test_bad_list_arguments(gql: GraphQL) -> None:
    body = gql("nijestee", LIST, {"first": 0})
    assert error_codes(body) == ["INVALID_INPUT"]
    assert "first must be between 1 and 500" in body["errors"][0]["message"]
    body = gql("nijestee", LIST, {"first": 5, "after": "garbage!"})
    assert error_codes(body) == ["INVALID_INPUT"]
    body = gql(
        "nijestee",
        LIST,
        {"first": 5, "f": {"evictionFrom": "2026-12-01", "evictionTo": "2026-01-01"}},
    )
    assert error_codes(body) == ["INVALID_INPUT"]
