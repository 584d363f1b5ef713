"""The agreements list reads keyset batches of ``first``: a page of the first N is the same as
before, the first N of the caller's whole list newest first, with every filter; and it reads no
more agreements than the page needs."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import GraphQL

LIST = """query($first: Int!, $status: AgreementStatus, $broken: Boolean!) {
  agreements(first: $first, status: $status, brokenOnly: $broken) { id status } }"""
#: Larger than the demo's agreements of any partner: the whole list in one batch, as the
#: list was read before it was paged.
ALL = 500


def _ids(gql: GraphQL, partner: str, first: int, **filters: Any) -> list[str]:
    variables = {"first": first, "status": filters.get("status"), "broken": filters.get("broken")}
    variables["broken"] = bool(variables["broken"])
    body = gql(partner, LIST, variables)
    assert "errors" not in body, body
    return [a["id"] for a in body["data"]["agreements"]]


@pytest.mark.parametrize(
    ("partner", "filters"),
    [
        ("nijestee", {}),
        ("bureau-woonkans", {}),
        ("bureau-woonkans", {"status": "ACTIVE"}),
        ("bureau-woonkans", {"broken": True}),
        ("wij-groningen", {"broken": True}),
        ("gemeente-groningen", {}),
    ],
)
def test_a_page_of_the_first_n_is_the_first_n_of_the_whole_list(
    gql: GraphQL, partner: str, filters: dict[str, Any]
) -> None:
    whole = _ids(gql, partner, ALL, **filters)
    assert len(set(whole)) == len(whole)
    for first in (1, 3, 20, 200):
        # Several batches where a filter drops rows (broken only): the page is unchanged.
        assert _ids(gql, partner, first, **filters) == whole[:first], (partner, first)


def test_a_short_page_reads_a_short_batch(gql: GraphQL, sessions: sessionmaker[Session]) -> None:
    statements: list[str] = []
    bind = sessions.kw["bind"]

    def seen(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        statements.append(statement)

    event.listen(bind, "before_cursor_execute", seen)
    try:
        assert len(_ids(gql, "nijestee", 5)) == 5
    finally:
        event.remove(bind, "before_cursor_execute", seen)
    listed = [s for s in statements if "FROM case_record" in s and "JOIN agreement " in s]
    # One batch of five, bounded in SQL; its parties, conditions and reviews for those five.
    assert len(listed) == 1
    assert "LIMIT" in listed[0]
