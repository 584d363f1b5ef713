"""Many partner systems at once, against real server processes on one database: identical
steps accepted once, no lost update, a small pool that sheds load with 503 instead of hanging,
a database outage answered as unavailable, and a policy change seen by every process."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from clients.tokens import sign_token
from registry.app import create_app
from registry.config import Settings
from registry.models import AuditLogEntry, Case, EventType, Involvement, OutboxEvent, Phase
from tests.arrange import case_in
from tests.conftest import AUDIENCE, DemoKey
from tests.servers import free_port, serving

CALL_OFF = "mutation($id: ID!) { callOffEviction(id: $id) { id phase evictionOutcome } }"
UPDATE = """mutation($id: ID!, $months: Int!) {
  updateCase(id: $id, input: {arrearsMonths: $months}) { id arrearsMonths } }"""
READ = "query($id: ID!) { case(id: $id) { id phase } }"


@pytest.fixture
def servers(database_url: str, log_key_file: Path, tmp_path: Path) -> Iterator[list[str]]:
    """Two registry processes on the test's database, as behind a load balancer."""
    env = {
        "KETENREGISTER_AUDIENCE": AUDIENCE,
        "KETENREGISTER_LOG_KEY_FILE": str(log_key_file),
        "KETENREGISTER_LOG_ORIGIN": "ketenregister.test/log",
        # These tests are about serialising, not shedding load: let requests queue, and let
        # one partner send all of them.
        "KETENREGISTER_QUEUE_TIMEOUT_SECONDS": "20",
        "KETENREGISTER_MAX_REQUESTS_PER_PARTNER": "20",
        "KETENREGISTER_RATE_LIMIT": "",
    }
    with serving(database_url, tmp_path, processes=2, env=env) as urls:
        yield urls


def _post(
    url: str, key: DemoKey, query: str, variables: dict[str, Any], **headers: str
) -> httpx.Response:
    token = sign_token(
        partner_id=key.partner, key_id=key.kid, private_key=key.private_key, audience=AUDIENCE
    )
    return httpx.post(
        f"{url}/graphql",
        json={"query": query, "variables": variables},
        headers={"Authorization": f"Bearer {token}", **headers},
        timeout=30,
    )


def _at_once(count: int, send: Callable[[int], httpx.Response]) -> list[httpx.Response]:
    with ThreadPoolExecutor(count) as pool:
        return list(pool.map(send, range(count)))


def _scheduled_case(sessions: sessionmaker[Session]) -> str:
    today = dt.datetime.now(dt.UTC).date()
    case_id = case_in(sessions, "zowonen", Phase.EVICTION, today)
    with sessions.begin() as session:
        case = session.get(Case, uuid.UUID(case_id))
        assert case is not None
        case.eviction_date, case.bailiff_id = today + dt.timedelta(days=14), "flanderijn"
    return case_id


def _counts(sessions: sessionmaker[Session], case_id: str) -> tuple[int, int, int]:
    with sessions() as session:
        case = session.get(Case, uuid.UUID(case_id))
        assert case is not None
        entries = session.scalar(select(func.count()).select_from(AuditLogEntry)) or 0
        events = (
            session.scalar(
                select(func.count())
                .select_from(OutboxEvent)
                .where(
                    OutboxEvent.case_id == case.id,
                    OutboxEvent.type == EventType.EVICTION_CALLED_OFF,
                )
            )
            or 0
        )
        return case.version, entries, events


def test_twenty_identical_steps_through_two_processes_are_accepted_once(
    servers: list[str], sessions: sessionmaker[Session], demo_keys: dict[str, DemoKey]
) -> None:
    case_id = _scheduled_case(sessions)
    version, entries, events = _counts(sessions, case_id)
    owner = demo_keys["zowonen"]

    answers = _at_once(20, lambda n: _post(servers[n % 2], owner, CALL_OFF, {"id": case_id}))

    bodies = [a.json() for a in answers]
    assert all(a.status_code == 200 for a in answers)
    accepted = [b for b in bodies if b["data"] is not None]
    refused = [b for b in bodies if b["data"] is None]
    assert len(accepted) == 1
    assert accepted[0]["data"]["callOffEviction"]["evictionOutcome"] == "CALLED_OFF"
    assert len(refused) == 19
    for body in refused:
        assert body["errors"][0]["extensions"]["code"] == "CONFLICT"
        assert "callOffEviction" in body["errors"][0]["message"]
    # One log entry, one outbox event, one increment: the 19 others changed nothing.
    assert _counts(sessions, case_id) == (version + 1, entries + 1, events + 1)


def test_concurrent_updates_lose_no_increment_and_the_last_acknowledged_value_stays(
    servers: list[str], sessions: sessionmaker[Session], demo_keys: dict[str, DemoKey]
) -> None:
    today = dt.datetime.now(dt.UTC).date()
    case_id = case_in(sessions, "zowonen", Phase.ARREARS, today)
    version, _, _ = _counts(sessions, case_id)
    owner = demo_keys["zowonen"]
    timeline: dict[int, tuple[float, float]] = {}

    def update(n: int) -> httpx.Response:
        sent = time.monotonic()
        answer = _post(servers[n % 2], owner, UPDATE, {"id": case_id, "months": n + 1})
        timeline[n + 1] = (sent, time.monotonic())
        return answer

    answers = _at_once(20, update)

    assert [a.json()["data"]["updateCase"]["arrearsMonths"] for a in answers] == list(range(1, 21))
    with sessions() as session:
        case = session.get(Case, uuid.UUID(case_id))
        assert case is not None
        assert case.version == version + 20  # no increment lost
        stored = case.arrears_months
    # Linearisable: the stored value is from an update that no other update followed, i.e.
    # none was sent only after the stored one's acknowledgement had arrived.
    acknowledged = timeline[stored][1]
    assert not [m for m, (sent, _) in timeline.items() if sent > acknowledged]


def test_a_token_carried_by_concurrent_requests_is_accepted_once(
    servers: list[str], sessions: sessionmaker[Session], demo_keys: dict[str, DemoKey]
) -> None:
    case_id = case_in(sessions, "zowonen", Phase.ARREARS, dt.datetime.now(dt.UTC).date())
    key = demo_keys["zowonen"]
    token = sign_token(
        partner_id=key.partner, key_id=key.kid, private_key=key.private_key, audience=AUDIENCE
    )

    answers = _at_once(
        10,
        lambda n: httpx.post(
            f"{servers[n % 2]}/graphql",
            json={"query": READ, "variables": {"id": case_id}},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        ),
    )

    assert sorted(a.status_code for a in answers) == [200] + [401] * 9
    for answer in answers:
        if answer.status_code == 401:
            assert answer.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
            assert "data" not in answer.json()


@pytest.fixture
def small_server(database_url: str, tmp_path: Path) -> Iterator[str]:
    """One registry process with two request slots and a short queue deadline."""
    env = {
        "KETENREGISTER_AUDIENCE": AUDIENCE,
        "KETENREGISTER_MAX_CONCURRENT_REQUESTS": "2",
        "KETENREGISTER_QUEUE_TIMEOUT_SECONDS": "0.5",
        # About the pool, not the per-partner limits: one partner sends all 64.
        "KETENREGISTER_MAX_REQUESTS_PER_PARTNER": "2",
        "KETENREGISTER_RATE_LIMIT": "",
    }
    with serving(database_url, tmp_path, processes=1, env=env) as urls:
        yield urls[0]


def test_a_small_pool_answers_every_request_in_time_or_says_unavailable(
    small_server: str, sessions: sessionmaker[Session], demo_keys: dict[str, DemoKey]
) -> None:
    case_id = case_in(sessions, "zowonen", Phase.ARREARS, dt.datetime.now(dt.UTC).date())
    key = demo_keys["zowonen"]
    tokens = [
        sign_token(
            partner_id=key.partner, key_id=key.kid, private_key=key.private_key, audience=AUDIENCE
        )
        for _ in range(65)
    ]
    limits = httpx.Limits(max_connections=64)

    with httpx.Client(base_url=small_server, limits=limits, timeout=30) as http:
        # One request first, so that the burst meets a warm process: the first answer of a
        # fresh process also builds its caches (a burst on a cold process once took 2.7 s),
        # which is start-up, not the pool's queue that this is about.
        warm = http.post(
            "/graphql",
            json={"query": READ, "variables": {"id": case_id}},
            headers={"Authorization": f"Bearer {tokens.pop()}"},
        )
        assert warm.status_code == 200

        def read(n: int) -> tuple[httpx.Response, float]:
            started = time.monotonic()
            answer = http.post(
                "/graphql",
                json={"query": READ, "variables": {"id": case_id}},
                headers={"Authorization": f"Bearer {tokens[n]}"},
            )
            return answer, time.monotonic() - started

        with ThreadPoolExecutor(64) as pool:
            results = list(pool.map(read, range(64)))

    statuses = sorted({answer.status_code for answer, _ in results})
    assert 200 in statuses and set(statuses) <= {200, 503}
    assert max(took for _, took in results) < 2.0
    for answer, _ in results:
        if answer.status_code == 503:
            assert answer.headers["Retry-After"] == "1"
            assert answer.json()["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
        else:
            assert answer.json()["data"]["case"]["id"] == case_id


def _dead_database() -> str:
    # A PostgreSQL URL on a port where nothing listens: connecting is refused at once.
    return f"postgresql://registry:secret@127.0.0.1:{free_port()}/ketenregister"


def test_a_database_outage_is_unavailable_not_an_internal_error(
    settings: Settings, token_for: Callable[..., str]
) -> None:
    from tests.conftest import AppClient

    client = AppClient(create_app(settings.replace(database_url=_dead_database())))

    answer = client.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"Authorization": f"Bearer {token_for('zowonen')}"},
    )

    assert answer.status_code == 503
    assert answer.headers["Retry-After"] == "1"
    body = answer.json()
    assert body["errors"][0]["extensions"]["code"] == "UNAVAILABLE"
    assert "127.0.0.1" not in answer.text and "psycopg" not in answer.text
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert ready.text == "not ready: database unreachable\n"
    assert client.get("/healthz").status_code == 200  # the process itself is alive


def test_ready_when_the_database_answers_and_is_migrated(client: Any) -> None:
    answer = client.get("/readyz")
    assert (answer.status_code, answer.text) == (200, "ready\n")


def test_a_revoke_through_one_process_takes_effect_in_another_within_two_seconds(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Any,
    token_for: Callable[..., str],
) -> None:
    from tests.conftest import AppClient

    issuing, other = (
        AppClient(create_app(settings, clock=clock, session_factory=sessions)) for _ in range(2)
    )
    with sessions() as session:
        case_id = str(
            session.scalars(
                select(Case.id)
                .join(Involvement, Involvement.case_id == Case.id)
                .where(Involvement.partner_id == "ehbg-groningen", Case.owner_id == "nijestee")
                .order_by(Case.registered_at)
            ).first()
        )

    def reasons_seen(app: AppClient) -> bool:
        answer = app.post(
            "/graphql",
            json={
                "query": "query($id: ID!) { case(id: $id) { reasons } }",
                "variables": {"id": case_id},
            },
            headers={"Authorization": f"Bearer {token_for('ehbg-groningen')}"},
        )
        return answer.json()["data"]["case"]["reasons"] is not None

    def as_municipality(query: str, variables: dict[str, Any]) -> dict[str, Any]:
        answer = issuing.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token_for('gemeente-groningen')}"},
        )
        data: dict[str, Any] = answer.json()["data"]
        return data

    grant = {
        "municipality": "groningen",
        "partnerKind": "CREDIT_BANK",
        "fields": ["reasons"],
        "purposes": ["eviction_prevention"],
        "validUntil": "2099-12-31",
    }
    issued = as_municipality(
        "mutation($input: GrantInput!) { issueGrant(input: $input) { id } }", {"input": grant}
    )
    assert reasons_seen(issuing)  # at once in the process that made the change
    deadline = time.monotonic() + 2
    while not reasons_seen(other):
        assert time.monotonic() < deadline, "the grant did not reach the other process in 2 s"
        time.sleep(0.05)

    as_municipality(
        "mutation($id: ID!) { revokePolicy(id: $id) { id } }", {"id": issued["issueGrant"]["id"]}
    )
    revoked_at = time.monotonic()
    assert not reasons_seen(issuing)
    while reasons_seen(other):
        assert time.monotonic() - revoked_at < 2, "the revoke did not reach the other process"
        time.sleep(0.05)
