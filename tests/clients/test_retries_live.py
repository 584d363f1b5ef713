"""The SDK's retries over real HTTP: a stand-in gateway on 127.0.0.1 (Starlette under
uvicorn) in front of the real registry answers ``503`` first, before or after passing the
request on, and then passes requests on; sync and async clients alike."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from clients import AsyncRegistryClient, RegistryClient, UnavailableError, operations
from registry.models import Case
from tests.arrange import NEW_CASE
from tests.clients.conftest import served
from tests.conftest import AUDIENCE, DEMO_PURPOSE, DemoKey

_PASSED_ON = ("authorization", "idempotency-key", "traceparent", "content-type")


@dataclass
class Gateway:
    """Answers the first ``failures`` requests ``503 Retry-After: 1``: without passing them on
    (the registry never saw them), or, with ``after_work``, after the registry answered (the
    answer was lost on the way back). Later requests are passed on as they are."""

    upstream: str
    failures: int
    after_work: bool = False
    seen: list[dict[str, str]] = field(default_factory=list)
    url: str = ""

    def app(self) -> Starlette:
        async def graphql(request: Request) -> Response:
            headers = {k: v for k, v in request.headers.items() if k in _PASSED_ON}
            self.seen.append(headers)
            failing = len(self.seen) <= self.failures
            busy = Response("busy", status_code=503, headers={"Retry-After": "1"})
            if failing and not self.after_work:
                return busy
            async with httpx.AsyncClient(base_url=self.upstream) as http:
                answer = await http.post("/graphql", content=await request.body(), headers=headers)
            if failing:
                return busy
            return Response(
                answer.content,
                status_code=answer.status_code,
                media_type=answer.headers.get("content-type"),
            )

        return Starlette(routes=[Route("/graphql", graphql, methods=["POST"])])


@pytest.fixture
def gateway(registry_url: str) -> Iterator[Gateway]:
    gate = Gateway(registry_url, failures=0)
    with served(gate.app()) as url:
        gate.url = url
        yield gate


def _settings(key: DemoKey, gateway: Gateway) -> dict[str, Any]:
    """A client's settings as ZOwonen's key file has them, but to the gateway."""
    return {
        "url": gateway.url,
        "partner_id": key.partner,
        "key_id": key.kid,
        "private_key": key.private_key,
        "audience": AUDIENCE,
        "purpose": DEMO_PURPOSE,
    }


async def _nap(_: float) -> None:
    """An async sleep that does not wait (the waits are checked, not waited)."""


def _count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Case)) or 0


def test_503_then_200_is_retried_after_retry_after_with_one_key_and_fresh_tokens(
    gateway: Gateway, demo_keys: dict[str, DemoKey]
) -> None:
    gateway.failures = 2
    slept: list[float] = []
    # The waits are recorded, not waited: Retry-After says a second.
    with RegistryClient(**_settings(demo_keys["zowonen"], gateway), sleep=slept.append) as client:
        case = client.call(operations.register_case(NEW_CASE))

    assert case["owner"] == "zowonen"
    assert len(gateway.seen) == 3
    assert len({h["idempotency-key"] for h in gateway.seen}) == 1
    assert len({h["authorization"] for h in gateway.seen}) == 3  # a token is used once
    assert len(slept) == 2 and all(1 <= s <= 5 for s in slept)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_mutation_whose_answer_was_lost_is_retried_and_registers_one_case(
    kind: str,
    gateway: Gateway,
    demo_keys: dict[str, DemoKey],
    sessions: sessionmaker[Session],
) -> None:
    gateway.failures, gateway.after_work = 1, True
    before = _count(sessions)
    settings = _settings(demo_keys["zowonen"], gateway)
    if kind == "sync":
        with RegistryClient(**settings, sleep=lambda _: None) as client:
            case = client.call(operations.register_case(NEW_CASE))
    else:

        async def register() -> Any:
            async with AsyncRegistryClient(**settings, sleep=_nap) as client:
                return await client.call(operations.register_case(NEW_CASE))

        case = asyncio.run(register())

    assert len(gateway.seen) == 2  # the first, done but unanswered, and its retry
    assert _count(sessions) == before + 1
    with sessions() as session:
        assert session.get(Case, uuid.UUID(case["id"])) is not None


def test_still_503_after_the_retries_is_the_typed_error(
    gateway: Gateway, demo_keys: dict[str, DemoKey]
) -> None:
    gateway.failures = 10
    settings = _settings(demo_keys["zowonen"], gateway)

    async def read() -> Any:
        async with AsyncRegistryClient(**settings, retries=2, sleep=_nap) as client:
            return await client.call(operations.cases(first=1))

    with pytest.raises(UnavailableError, match="unavailable"):
        asyncio.run(read())
    assert len(gateway.seen) == 3
