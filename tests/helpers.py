"""Small helpers for tests (fixtures live in conftest.py)."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx

from clients import RegistryClient
from policies import AccessKey, Relation
from tests.conftest import AUDIENCE, DemoKey


def error_codes(body: dict[str, Any]) -> list[str]:
    """The ``extensions.code`` of every error in a response body."""
    return [e["extensions"]["code"] for e in body.get("errors", [])]


class AppTransport(httpx.BaseTransport):
    """A synchronous httpx transport onto the real ASGI app, so the (synchronous) partner SDK
    and command line talk to the real registry in tests, tokens, database and all."""

    def __init__(self, app: Any) -> None:
        self._inner = httpx.ASGITransport(app=app)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        async def send() -> httpx.Response:
            response = await self._inner.handle_async_request(request)
            content = await response.aread()
            return httpx.Response(response.status_code, headers=response.headers, content=content)

        return asyncio.run(send())


def partner_client(key: DemoKey, transport: httpx.BaseTransport, **options: Any) -> RegistryClient:
    """The partner SDK as the demo partner of ``key``, its requests sent through ``transport``
    (an ``AppTransport`` onto the real app, say); ``options`` as ``RegistryClient``'s."""
    return RegistryClient(
        url="http://testserver",
        partner_id=key.partner,
        key_id=key.kid,
        private_key=key.private_key,
        audience=AUDIENCE,
        transport=transport,
        **options,
    )


def access_key(
    partner: str,
    kind: str,
    relation: Relation,
    municipality: str,
    owner: str,
    *,
    phase: str = "early_signal",
    purpose: str = "eviction_prevention",
    day: str = "2026-11-02",
    role: str = "",
) -> AccessKey:
    """An access key as a request of the demo's day makes it, naming the demo covenants'
    purpose, for a case in the early-signal phase unless told otherwise."""
    return AccessKey(partner, kind, relation, municipality, owner, phase, purpose, day, role)
