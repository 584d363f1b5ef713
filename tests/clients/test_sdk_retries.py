"""The SDK's idempotency keys and retries: against a stand-in registry for the failure
sequences, and against the real app for a retry whose first answer was lost."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from clients import RegistryClient, UnavailableError
from clients.tokens import generate_key_pair
from registry.models import Case
from tests.arrange import NEW_CASE, REGISTER_CASE
from tests.conftest import AppClient, DemoKey
from tests.helpers import AppTransport, partner_client

UNAVAILABLE = {"errors": [{"message": "busy", "extensions": {"code": "UNAVAILABLE"}}]}


def _client(handler: Any, slept: list[float], **options: Any) -> RegistryClient:
    private_pem, _ = generate_key_pair()
    return RegistryClient(
        url="http://registry.test",
        partner_id="zowonen",
        key_id="zowonen-2025",
        private_key=private_pem,
        audience="ketenregister",
        transport=httpx.MockTransport(handler),
        sleep=slept.append,
        **options,
    )


def _answers(*answers: httpx.Response | Exception) -> tuple[list[httpx.Request], Any]:
    sent: list[httpx.Request] = []
    queue: Iterator[httpx.Response | Exception] = iter(answers)

    def handler(request: httpx.Request) -> httpx.Response:
        sent.append(request)
        answer = next(queue)
        if isinstance(answer, Exception):
            raise answer
        return answer

    return sent, handler


def test_a_mutation_carries_a_key_and_a_query_none() -> None:
    ok = httpx.Response(200, json={"data": {"x": 1}})
    sent, handler = _answers(ok, ok, ok)
    client = _client(handler, [])
    client.execute("# comment\n mutation { x }")
    client.execute("{ x }")
    client.execute("query Q { x }", idempotency_key="mine")
    keys = [r.headers.get("idempotency-key") for r in sent]
    assert uuid.UUID(keys[0].strip('"'))
    assert keys[1:] == [None, '"mine"']


def test_unavailable_is_retried_under_the_same_key_with_fresh_tokens_after_retry_after() -> None:
    busy = httpx.Response(503, json=UNAVAILABLE, headers={"Retry-After": "2"})
    sent, handler = _answers(busy, busy, httpx.Response(200, json={"data": {"x": 1}}))
    slept: list[float] = []
    client = _client(handler, slept)

    assert client.execute("mutation { x }") == {"x": 1}

    assert len(sent) == 3
    assert len({r.headers["idempotency-key"] for r in sent}) == 1
    assert len({r.headers["authorization"] for r in sent}) == 3
    assert len(slept) == 2 and all(2 <= s <= 5 for s in slept)


def test_a_lost_connection_is_retried_and_gives_up_after_the_retries() -> None:
    lost = httpx.ReadError("connection reset")
    sent, handler = _answers(lost, lost, lost)
    slept: list[float] = []
    client = _client(handler, slept, retries=2)
    with pytest.raises(httpx.ReadError, match="connection reset"):
        client.execute("mutation { x }")
    assert len(sent) == 3 and len(slept) == 2
    assert all(0 <= s <= 5 for s in slept)


def test_still_unavailable_raises_the_typed_error() -> None:
    busy = httpx.Response(503, text="Service Unavailable")
    sent, handler = _answers(busy, busy)
    client = _client(handler, [], retries=1)
    with pytest.raises(UnavailableError, match="unavailable"):
        client.execute("{ x }")
    assert len(sent) == 2


def test_other_errors_are_not_retried() -> None:
    conflict = {"errors": [{"message": "illegal", "extensions": {"code": "CONFLICT"}}]}
    sent, handler = _answers(httpx.Response(200, json=conflict))
    client = _client(handler, [])
    with pytest.raises(Exception, match="illegal"):
        client.execute("mutation { x }")
    assert len(sent) == 1


class LosesFirstAnswer(httpx.BaseTransport):
    """The real app behind a network that drops the first answer after the registry did the
    work: the client sees a broken connection, the registry a finished request."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner = inner
        self.lost = 0

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if self.lost == 0:
            self.lost += 1
            raise httpx.ReadError("connection lost before the answer arrived")
        return response


def test_a_mutation_whose_answer_was_lost_is_retried_and_happens_once(
    client: AppClient, sessions: sessionmaker[Session], demo_keys: dict[str, DemoKey]
) -> None:
    with sessions() as session:
        before = session.scalar(select(func.count()).select_from(Case))
    key = demo_keys["zowonen"]
    network = LosesFirstAnswer(AppTransport(client.app))
    sdk = partner_client(key, network, sleep=lambda _: None)

    case = sdk.execute(REGISTER_CASE, {"input": NEW_CASE})["registerCase"]

    assert network.lost == 1
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Case)) == (before or 0) + 1
        assert session.get(Case, uuid.UUID(case["id"])) is not None
