"""``clients.auth.PartnerAuth``: a partner's own httpx client, async here, signs a fresh
one-time token into every request, so repeated requests all pass."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from clients.auth import PartnerAuth
from tests.conftest import AUDIENCE, AppClient, DemoKey

QUERY = {"query": "{ myDisclosures(limit: 5) { caseId purpose } }"}


def test_an_async_client_with_partner_auth_makes_many_requests(
    client: AppClient, demo_keys: dict[str, DemoKey]
) -> None:
    key = demo_keys["gemeente-zaanstad"]
    auth = PartnerAuth(
        partner_id=key.partner,
        key_id=key.kid,
        private_key=key.private_key,
        audience=AUDIENCE,
        purpose="eviction_prevention",
    )

    async def three() -> list[Any]:
        transport = httpx.ASGITransport(app=client.app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://testserver", auth=auth
        ) as partner:
            return [(await partner.post("/graphql", json=QUERY)) for _ in range(3)]

    answers = asyncio.run(three())
    # A reused token would be refused (401) on the second request.
    assert [a.status_code for a in answers] == [200, 200, 200]
    assert all("errors" not in a.json() for a in answers)
    tokens = {a.request.headers["Authorization"] for a in answers}
    assert len(tokens) == 3


def test_without_auth_the_same_request_is_refused(client: AppClient) -> None:
    answer = client.post("/graphql", json=QUERY)
    assert answer.status_code == 401
    assert answer.json()["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
