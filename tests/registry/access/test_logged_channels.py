"""Explanations, draft tries and access-history reads are processing of a case too: each
writes an access-log record, which the case's history (and the caller's own) then shows."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from registry.models import AccessLogRecord
from tests.arrange import involved_case
from tests.conftest import AppClient, GraphQL

HISTORY = """query History($id: ID!) {
  accessHistory(caseId: $id) { partner operation fieldsDisclosed outcome } }"""
MINE = "{ myDisclosures(limit: 5) { caseId operation fieldsDisclosed outcome } }"


def _by(history: list[dict[str, Any]], partner: str) -> list[dict[str, Any]]:
    return [r for r in history if r["partner"] == partner]


def test_explaining_another_partners_access_is_logged_as_telling_its_involvement(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    case_id = involved_case(sessions, "partners-in-welzijn", "zowonen")
    body = gql(
        "zowonen",
        """query ExplainOther($id: ID!) {
        explainAccess(caseId: $id, partner: "partners-in-welzijn") {
        relation } }""",
        {"id": case_id},
    )
    assert body["data"]["explainAccess"]["relation"] == "INVOLVED"
    history = gql("zowonen", HISTORY, {"id": case_id})["data"]["accessHistory"]
    (record,) = _by(history, "zowonen")  # the owner has not read this copy's case before
    assert (record["fieldsDisclosed"], record["outcome"]) == (["involvements"], "disclosed")


def test_explaining_ones_own_access_and_trying_a_draft_are_logged(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    case_id = involved_case(sessions, "wij-groningen", "nijestee")
    gql(
        "wij-groningen",
        "query ExplainMine($id: ID!) { explainAccess(caseId: $id) { relation } }",
        {"id": case_id},
    )
    (own,) = gql("wij-groningen", MINE)["data"]["myDisclosures"][:1]
    assert own["caseId"] == case_id
    assert (own["fieldsDisclosed"], own["outcome"]) == ([], "identified")

    gql(
        "gemeente-groningen",
        """query TryDraft($id: ID!) { dryRunGrant(caseId: $id, partner: "wij-groningen",
        grant: {municipality: "groningen", partnerKind: DISTRICT_TEAM, fields: ["reasons"],
        purposes: ["eviction_prevention"], validUntil: "2099-12-31"}) {
        field } }""",
        {"id": case_id},
    )
    (tried,) = gql("gemeente-groningen", MINE)["data"]["myDisclosures"][:1]
    assert tried["caseId"] == case_id
    assert tried["fieldsDisclosed"] == ["involvements"]


def test_reading_a_cases_access_history_is_itself_in_the_history(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    case_id = involved_case(sessions, "partners-in-welzijn", "zowonen")
    first = gql("zowonen", HISTORY, {"id": case_id})["data"]["accessHistory"]
    assert _by(first, "zowonen") == []  # a record is written when its request commits
    second = gql("zowonen", HISTORY, {"id": case_id})["data"]["accessHistory"]
    (read,) = _by(second, "zowonen")
    assert (read["fieldsDisclosed"], read["outcome"]) == ([], "identified")


def test_the_channel_is_the_operations_root_fields_never_an_alias(
    client: AppClient, token_for: Callable[..., str], sessions: sessionmaker[Session]
) -> None:
    case_id = involved_case(sessions, "partners-in-welzijn", "zowonen")
    for operation_name, query in (
        (None, "query($id: ID!) { mine: case(id: $id) { phase } }"),
        (
            "Overview",
            "query Overview($id: ID!) { case(id: $id) { phase } accessHistory(caseId: $id) "
            "{ outcome } }",
        ),
    ):
        response = client.post(
            "/graphql",
            json={"query": query, "variables": {"id": case_id}, "operationName": operation_name},
            headers={"Authorization": f"Bearer {token_for('zowonen')}"},
        )
        assert not response.json().get("errors")
    with sessions() as session:
        channels = session.scalars(
            select(AccessLogRecord.operation)
            .where(AccessLogRecord.case_id == uuid.UUID(case_id))
            .order_by(AccessLogRecord.occurred_at, AccessLogRecord.operation)
        ).all()
    # The alias ``mine`` is the partner's own text; the schema's field is ``case``.
    assert "case" in channels and "case,accessHistory (Overview)" in channels
    assert not any("mine" in c or c == "anonymous" for c in channels)
