"""Case lists: only related cases, filtered in SQL, keyset pages, no filter oracle."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
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


def _cursor(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@pytest.mark.parametrize(
    "after",
    [
        _cursor(b"[" * 20_000 + b"]" * 20_000),  # 53 KB: under the body limit
        _cursor(
            json.dumps(["2026-01-01T00:00:00", "8c1a3b54-9a8e-4c1e-8a33-1e2c3d4e5f60"]).encode()
        ),
        _cursor(json.dumps(["2026-01-01T00:00:00+00:00", 5]).encode()),
        "garbage!",
    ],
    ids=["nested", "no-time-zone", "wrong-shape", "not-base64"],
)
def test_a_malformed_cursor_is_invalid_input(gql: GraphQL, after: str) -> None:
    body = gql("nijestee", LIST, {"first": 5, "after": after})
    assert error_codes(body) == ["INVALID_INPUT"]
    assert "not a cursor this registry gave out" in body["errors"][0]["message"]
    assert body["data"] is None
