"""The partner SDK's synchronous client: a GraphQL client for the Ketenregister over httpx.

What it sends and how it reads the answers is shared with the async client
(:mod:`clients.core`); this module only sends and sleeps.
"""

from __future__ import annotations

import time
from collections.abc import Callable
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
    new_traceparent,
    public_text_of,
)
from clients.errors import NotFoundError
from clients.operations import Operation
from clients.results import Agreement

__all__ = ["DEFAULT_TIMEOUT", "RegistryClient", "new_traceparent"]

T = TypeVar("T")

_CASE_QUERY = (
    "query($id: ID!) { case(id: $id) { id municipality owner phase evictionDate withheld } }"
)


class RegistryClient(ClientCore[httpx.BaseTransport]):
    """A client for the registry's GraphQL API, signing a fresh token for every request.

    Options are keyword-only. ``url`` is the registry's base URL (requests go to
    ``<url>/graphql``); ``partner_id``, ``key_id``, ``private_key`` and ``audience`` are as
    in the partner's key file; ``act`` names the staff member acting and ``purpose`` the
    processing purpose, both recorded in the registry's access log; ``timeout`` is in
    seconds; ``transport`` replaces httpx's network transport (tests pass an
    ``httpx.MockTransport``).

    Every mutation is sent with a fresh ``Idempotency-Key``, and a request that meets a
    transient failure (the registry answers ``UNAVAILABLE`` or ``RATE_LIMITED``, or the
    connection fails or the answer is lost) is sent again up to ``retries`` times with
    backoff, under the same key and with a fresh token: the registry answers a retried
    mutation with its first answer instead of doing it twice.

    Registry errors raise the subclass of :class:`clients.errors.RegistryClientError`
    for their ``extensions.code``; network failures raise ``httpx.TransportError``.

    Example:
        As ZOwonen, with the settings of its key file (here the demo's, as ``ketenregister
        demo`` writes it) and a staff member acting:

        >>> from clients import RegistryClient, load_key_file
        >>> key = load_key_file("var/demo/keys/zowonen.json")
        >>> client = RegistryClient(
        ...     url=key.registry,
        ...     partner_id=key.partner,
        ...     key_id=key.kid,
        ...     private_key=key.private_key,
        ...     audience=key.audience,
        ...     act="j.jansen",
        ...     purpose="eviction_prevention",
        ... )
        >>> client.execute("{ __typename }")
        {'__typename': 'Query'}
        >>> first = client.execute("{ cases(first: 1) { nodes { id } } }")["cases"]["nodes"][0]
        >>> case = client.case(first["id"])
        >>> case["owner"], case["municipality"]
        ('zowonen', 'sittard-geleen')
        >>> client.case("00000000-0000-4000-8000-000000000000") is None  # none, or not visible
        True
        >>> client.close()

        With a key file, as a context manager:

        >>> with RegistryClient.from_key_file("var/demo/keys/zowonen.json") as client:
        ...     case = client.case(first["id"])
        >>> sorted(case)
        ['evictionDate', 'id', 'municipality', 'owner', 'phase', 'withheld']

        Typed, with the operations of :mod:`clients.operations` (every field the record has):

        >>> from clients import operations
        >>> with RegistryClient.from_key_file("var/demo/keys/zowonen.json") as client:
        ...     page = client.call(operations.cases(first=2))
        ...     record = client.call(operations.case(page["nodes"][0]["id"]))
        >>> record["owner"], record["relation"], page["pageInfo"]["hasNextPage"]
        ('zowonen', 'owner', True)
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
        transport: httpx.BaseTransport | None = None,
        sleep: Callable[[float], None] = time.sleep,
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
        self._http = httpx.Client(base_url=url, timeout=timeout, transport=transport)

    def execute(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        traceparent: str | None = None,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Run a GraphQL query or mutation and return its ``data``.

        Args:
            query: The GraphQL document.
            variables: Values for the document's variables.
            traceparent: A W3C ``traceparent`` to continue a trace; a new one by default.
            idempotency_key: The key a mutation is sent under; a new one by default. Pass
                your own to retry, later, a mutation whose outcome you did not learn.

        Raises:
            RegistryClientError: The typed error of the first GraphQL error (also when the
                response carries partial data), or of an HTTP error without GraphQL errors.
            ValueError: ``traceparent`` is not a valid W3C traceparent.
            UnavailableError: Still unavailable after the retries.
            httpx.TransportError: The registry could not be reached (after the retries).
        """
        exchange = self.exchange(
            query, variables, traceparent=traceparent, idempotency_key=idempotency_key
        )
        while True:
            try:
                response = self._http.post(
                    "/graphql", json=exchange.body, headers=exchange.headers, auth=self.auth
                )
                return data_of(response)
            except RETRYABLE as failure:
                self._sleep(exchange.wait_before_retry(failure))

    def call(
        self,
        operation: Operation[T],
        *,
        traceparent: str | None = None,
        idempotency_key: str | None = None,
    ) -> T:
        """Run an operation of :mod:`clients.operations` and return its typed result.

        The options and errors are those of :meth:`execute`.
        """
        data = self.execute(
            operation.document,
            operation.variables,
            traceparent=traceparent,
            idempotency_key=idempotency_key,
        )
        return operation.result(data)

    def run(self, flow: Flow[T]) -> T:
        """Run a multi-step flow (see :mod:`clients.core`): each operation it yields is
        called, and its result sent back, until the flow returns."""
        try:
            operation = next(flow)
            while True:
                operation = flow.send(self.call(operation))
        except StopIteration as done:
            result: T = done.value
            return result

    def sign_agreement(self, agreement_id: str, *, expected_sha256: str | None = None) -> Agreement:
        """Sign an agreement as a party with this client's key: fetch its text, check its
        SHA-256 (against ``expected_sha256`` too, the hash on the document the signatory
        read, when given), sign and submit (see :func:`clients.core.sign_agreement_flow`).

        Raises:
            AgreementTextError: the text is not released, or not the one expected.
            RegistryClientError: the registry refused the signature (e.g. ``NotAllowedError``
                for a partner that is not a party).
        """
        return self.run(self.sign_agreement_flow(agreement_id, expected_sha256=expected_sha256))

    def case(self, case_id: str) -> dict[str, Any] | None:
        """Return the shared case record with this id, or None.

        None means the case does not exist or is not visible to this partner; the registry
        does not tell the two apart. (For every field of the record, typed, call
        ``call(operations.case(case_id))``.)
        """
        try:
            data = self.execute(_CASE_QUERY, {"id": case_id})
        except NotFoundError:
            return None
        case = data.get("case")
        return case if isinstance(case, dict) else None

    def public_text(self, path: str) -> str:
        """GET a public plain-text resource of the registry (no token is sent).

        Example:
            >>> import httpx
            >>> from clients.tokens import generate_key_pair
            >>> transport = httpx.MockTransport(lambda request: httpx.Response(200, text="ok\\n"))
            >>> client = RegistryClient(url="http://registry.test", partner_id="zowonen",
            ...     key_id="k", private_key=generate_key_pair()[0], audience="ketenregister",
            ...     transport=transport)
            >>> client.public_text("/healthz")
            'ok\\n'

        Raises:
            RegistryClientError: the registry answered with an error status.
            httpx.TransportError: The registry could not be reached.
        """
        return public_text_of(path, self._http.get(path))

    def close(self) -> None:
        """Close the underlying HTTP connections."""
        self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()
