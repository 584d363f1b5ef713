"""The partner SDK's asynchronous client, for partner systems built on asyncio.

It shares every rule with :class:`clients.RegistryClient` (:mod:`clients.core`: the request,
the ``Idempotency-Key``, the retries and backoff, the typed errors, the operations and the
agreement-signing flow); only the sending and the sleeping are awaited here.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any, Self, TypeVar

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from clients.core import (
    DEFAULT_RETRIES,
    DEFAULT_TIMEOUT,
    RETRYABLE,
    ClientCore,
    Flow,
    data_of,
    public_text_of,
)
from clients.operations import Operation
from clients.results import Agreement

__all__ = ["AsyncRegistryClient"]

T = TypeVar("T")


class AsyncRegistryClient(ClientCore[httpx.AsyncBaseTransport]):
    """An asyncio client for the registry's GraphQL API, signing a fresh token per request.

    The options are those of :class:`clients.RegistryClient`, except that ``transport`` is an
    ``httpx.AsyncBaseTransport`` and ``sleep`` a coroutine function. Mutations carry an
    ``Idempotency-Key`` and transient failures are retried with backoff, exactly as there.

    Example:
        As ZOwonen, with its key file as ``ketenregister demo`` writes it:

        >>> import asyncio
        >>> from clients import AsyncRegistryClient, operations
        >>> async def first_cases() -> list[str]:
        ...     async with AsyncRegistryClient.from_key_file(
        ...         "var/demo/keys/zowonen.json", purpose="eviction_prevention"
        ...     ) as client:
        ...         page = await client.call(operations.cases(first=3))
        ...         records = await asyncio.gather(
        ...             *(client.call(operations.case(node["id"])) for node in page["nodes"])
        ...         )
        ...     return [record["owner"] or "" for record in records]
        >>> asyncio.run(first_cases())
        ['zowonen', 'zowonen', 'zowonen']
        >>> async def raw() -> dict[str, object]:
        ...     path = "var/demo/keys/zowonen.json"
        ...     async with AsyncRegistryClient.from_key_file(path) as client:
        ...         return await client.execute("{ __typename }")
        >>> asyncio.run(raw())
        {'__typename': 'Query'}
    """

    def __init__(
        self,
        *,
        url: str,
        partner_id: str,
        key_id: str,
        private_key: str | bytes | Ed25519PrivateKey,
        audience: str,
        act: str | None = None,
        purpose: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        transport: httpx.AsyncBaseTransport | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        super().__init__(
            url=url,
            partner_id=partner_id,
            key_id=key_id,
            private_key=private_key,
            audience=audience,
            act=act,
            purpose=purpose,
            timeout=timeout,
            retries=retries,
            transport=transport,
        )
        self._sleep = sleep
        # Redirects are not followed (httpx's default): the token is for this registry only.
        self._http = httpx.AsyncClient(base_url=url, timeout=timeout, transport=transport)

    async def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        traceparent: str | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Run a GraphQL query or mutation and return its ``data``; as
        :meth:`clients.RegistryClient.execute`."""
        exchange = self.exchange(
            query, variables, traceparent=traceparent, idempotency_key=idempotency_key
        )
        while True:
            try:
                response = await self._http.post(
                    "/graphql", json=exchange.body, headers=exchange.headers, auth=self.auth
                )
                return data_of(response)
            except RETRYABLE as failure:
                await self._sleep(exchange.wait_before_retry(failure))

    async def call(
        self,
        operation: Operation[T],
        *,
        traceparent: str | None = None,
        idempotency_key: str | None = None,
    ) -> T:
        """Run an operation of :mod:`clients.operations` and return its typed result."""
        data = await self.execute(
            operation.document,
            operation.variables,
            traceparent=traceparent,
            idempotency_key=idempotency_key,
        )
        return operation.result(data)

    async def run(self, flow: Flow[T]) -> T:
        """Run a multi-step flow (see :mod:`clients.core`) to its result."""
        try:
            operation = next(flow)
            while True:
                operation = flow.send(await self.call(operation))
        except StopIteration as done:
            result: T = done.value
            return result

    async def sign_agreement(
        self, agreement_id: str, *, expected_sha256: str | None = None
    ) -> Agreement:
        """Sign an agreement as a party with this client's key; as
        :meth:`clients.RegistryClient.sign_agreement`."""
        flow = self.sign_agreement_flow(agreement_id, expected_sha256=expected_sha256)
        return await self.run(flow)

    async def public_text(self, path: str) -> str:
        """GET a public plain-text resource of the registry (no token is sent)."""
        return public_text_of(path, await self._http.get(path))

    async def aclose(self) -> None:
        """Close the underlying HTTP connections."""
        await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()
