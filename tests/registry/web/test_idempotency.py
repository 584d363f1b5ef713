"""Mutations under an ``Idempotency-Key`` through the real app: a retry is answered with the
first answer and does nothing again; the key with another request is a conflict."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from registry.app import create_app
from registry.config import Settings
from registry.models import AccessLogRecord, Case, IdempotentRequest
from tests.arrange import NEW_CASE, REGISTER_CASE
from tests.conftest import AppClient, Clock, GraphQL


def _cases(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Case)) or 0


def test_a_retry_under_the_same_key_gets_the_same_answer_and_does_nothing_again(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    before = _cases(sessions)
    key = {"Idempotency-Key": f'"{uuid.uuid4()}"'}

    first = gql("zowonen", REGISTER_CASE, {"input": NEW_CASE}, headers=key)
    retry = gql("zowonen", REGISTER_CASE, {"input": NEW_CASE}, headers=key)

    assert first["data"]["registerCase"]["owner"] == "zowonen"
    assert retry == first  # the same case id: one case, registered once
    assert _cases(sessions) == before + 1
    with sessions() as session:
        logged = session.scalars(
            select(AccessLogRecord.operation).where(
                AccessLogRecord.case_id == uuid.UUID(first["data"]["registerCase"]["id"])
            )
        ).all()
    # The retry disclosed the case again, and is logged as such.
    assert sorted(logged) == ["registerCase", "registerCase (retry)"]


def test_without_a_key_each_request_does_the_work(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    before = _cases(sessions)
    gql("zowonen", REGISTER_CASE, {"input": NEW_CASE})
    gql("zowonen", REGISTER_CASE, {"input": NEW_CASE})
    assert _cases(sessions) == before + 2


def test_the_key_with_a_different_request_is_a_conflict_and_changes_nothing(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    key = {"Idempotency-Key": "order-7f3a9c"}
    gql("zowonen", REGISTER_CASE, {"input": NEW_CASE}, headers=key)
    before = _cases(sessions)

    changed = gql(
        "zowonen", REGISTER_CASE, {"input": {**NEW_CASE, "arrearsMonths": 4}}, headers=key
    )

    assert changed["_status"] == 422
    assert changed["errors"][0]["extensions"]["code"] == "CONFLICT"
    assert "used for a different request" in changed["errors"][0]["message"]
    assert "data" not in changed
    assert _cases(sessions) == before


def test_keys_are_per_partner(gql: GraphQL, sessions: sessionmaker[Session]) -> None:
    key = {"Idempotency-Key": "same-key-for-two-partners"}
    before = _cases(sessions)
    zowonen = gql("zowonen", REGISTER_CASE, {"input": NEW_CASE}, headers=key)
    parteon = gql(
        "parteon", REGISTER_CASE, {"input": {**NEW_CASE, "municipality": "zaanstad"}}, headers=key
    )
    assert zowonen["data"]["registerCase"]["id"] != parteon["data"]["registerCase"]["id"]
    assert _cases(sessions) == before + 2


def test_a_refused_mutation_is_answered_the_same_on_retry(gql: GraphQL) -> None:
    key = {"Idempotency-Key": "refused-once"}
    elsewhere = {**NEW_CASE, "municipality": "groningen"}  # ZOwonen does not work there
    first = gql("zowonen", REGISTER_CASE, {"input": elsewhere}, headers=key)
    retry = gql("zowonen", REGISTER_CASE, {"input": elsewhere}, headers=key)
    assert first["errors"][0]["extensions"]["code"] in {"INVALID_INPUT", "NOT_ALLOWED"}
    assert retry == first


def test_a_malformed_key_is_a_bad_request(gql: GraphQL, sessions: sessionmaker[Session]) -> None:
    before = _cases(sessions)
    for bad in ("", "x" * 256, "back\\slash"):
        body = gql("zowonen", REGISTER_CASE, {"input": NEW_CASE}, headers={"Idempotency-Key": bad})
        assert body["_status"] == 400
        assert body["errors"][0]["extensions"]["code"] == "BAD_REQUEST"
        assert "Idempotency-Key" in body["errors"][0]["message"]
    assert _cases(sessions) == before


def test_a_query_with_a_key_is_not_stored(gql: GraphQL, sessions: sessionmaker[Session]) -> None:
    body = gql("zowonen", "{ cases(first: 1) { nodes { id } } }", headers={"Idempotency-Key": "q"})
    assert body["data"]["cases"]["nodes"]
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(IdempotentRequest)) == 0


def test_concurrent_retries_under_one_key_register_one_case(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Clock,
    token_for: Any,
) -> None:
    client = AppClient(create_app(settings, clock=clock, session_factory=sessions))
    before = _cases(sessions)
    tokens = [token_for("zowonen") for _ in range(8)]

    def send(n: int) -> dict[str, Any]:
        answer = client.post(
            "/graphql",
            json={"query": REGISTER_CASE, "variables": {"input": NEW_CASE}},
            headers={"Authorization": f"Bearer {tokens[n]}", "Idempotency-Key": "one-case"},
        )
        body: dict[str, Any] = answer.json()
        return body

    with ThreadPoolExecutor(8) as pool:
        bodies = list(pool.map(send, range(8)))

    assert _cases(sessions) == before + 1
    assert len({b["data"]["registerCase"]["id"] for b in bodies}) == 1


def test_stored_answers_are_purged_after_the_retention_period(
    gql: GraphQL, settings: Settings, sessions: sessionmaker[Session], clock: Clock
) -> None:
    gql("zowonen", REGISTER_CASE, {"input": NEW_CASE}, headers={"Idempotency-Key": "old"})
    registry = create_app(settings, clock=clock, session_factory=sessions).state.registry
    registry.housekeeping()
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(IdempotentRequest)) == 1
    clock.advance(hours=settings.idempotency_retention_hours, seconds=1)
    registry.housekeeping()
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(IdempotentRequest)) == 0


def test_used_token_records_are_purged_once_the_tokens_expired(
    gql: GraphQL, settings: Settings, sessions: sessionmaker[Session], clock: Clock
) -> None:
    from registry.models import UsedTokenId

    gql("zowonen", "{ __typename }")
    registry = create_app(settings, clock=clock, session_factory=sessions).state.registry
    with sessions() as session:
        used = session.scalar(select(func.count()).select_from(UsedTokenId))
    assert used == 1
    clock.advance(minutes=20)
    registry.housekeeping()
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(UsedTokenId)) == 0
