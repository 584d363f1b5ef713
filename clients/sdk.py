"""The partner SDK: a small GraphQL client for the Ketenregister over httpx."""

from __future__ import annotations

import os
import random
import re
import secrets
import time
import uuid
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from clients.auth import PartnerAuth
from clients.errors import (
    NotFoundError,
    RateLimitedError,
    RegistryClientError,
    ServerError,
    UnauthenticatedError,
    UnavailableError,
    error_from_graphql,
)
from clients.keyfile import load_key_file

__all__ = ["DEFAULT_TIMEOUT", "RegistryClient", "new_traceparent"]

#: Seconds to wait for the registry (connect, read, write, pool) by default.
DEFAULT_TIMEOUT = 10.0
#: How often a request that met a transient failure is sent again by default.
DEFAULT_RETRIES = 3
# Backoff between attempts: full jitter over an exponential ceiling, in seconds.
_BACKOFF_BASE = 0.25
_BACKOFF_CAP = 5.0
# The document's first operation keyword, after any comments and white space: only mutations
# carry an Idempotency-Key (a query is safe to repeat as it is).
_MUTATION = re.compile(r"\A(?:\s|,|#[^\n]*)*mutation\b")

_CASE_QUERY = (
    "query($id: ID!) { case(id: $id) { id municipality owner phase evictionDate withheld } }"
)
# W3C Trace Context, version 00: trace id and parent id in lowercase hex, not all zeros.
_TRACEPARENT = re.compile(r"00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}")


def new_traceparent() -> str:
    """Return a fresh W3C ``traceparent`` value (``00-<trace id>-<parent id>-01``)."""
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


class RegistryClient:
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
        self.url = url
        self.retries = retries
        self._sleep = sleep
        self.partner_id = partner_id
        self.key_id = key_id
        self.audience = audience
        self.act = act
        self.purpose = purpose
        # Signs a fresh one-time token into every attempt (the registry accepts each token
        # once); it parses the key now, so a bad key fails here rather than on first use.
        self._auth = PartnerAuth(
            partner_id=partner_id,
            key_id=key_id,
            private_key=private_key,
            audience=audience,
            act=act,
            purpose=purpose,
        )
        # Redirects are not followed (httpx's default): the token is for this registry only.
        self._http = httpx.Client(base_url=url, timeout=timeout, transport=transport)

    @classmethod
    def from_key_file(
        cls,
        path: str | os.PathLike[str],
        *,
        act: str | None = None,
        purpose: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        transport: httpx.BaseTransport | None = None,
    ) -> Self:
        """Create a client from a partner key file (see :mod:`clients.keyfile`).

        The other options are those of :class:`RegistryClient`.
        """
        key_file = load_key_file(path)
        return cls(
            url=key_file.registry,
            partner_id=key_file.partner,
            key_id=key_file.kid,
            private_key=key_file.private_key,
            audience=key_file.audience,
            act=act,
            purpose=purpose,
            timeout=timeout,
            retries=retries,
            transport=transport,
        )

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
        if traceparent is None:
            traceparent = new_traceparent()
        elif not _TRACEPARENT.fullmatch(traceparent):
            raise ValueError(
                f"not a W3C traceparent (00-<trace id>-<parent id>-<flags>): {traceparent!r}"
            )
        body: dict[str, Any] = {"query": query}
        if variables is not None:
            body["variables"] = variables
        headers = {"traceparent": traceparent}
        if idempotency_key is None and _MUTATION.match(query):
            idempotency_key = str(uuid.uuid4())
        if idempotency_key is not None:
            headers["Idempotency-Key"] = f'"{idempotency_key}"'
        attempt = 0
        while True:
            try:
                response = self._http.post("/graphql", json=body, headers=headers, auth=self._auth)
                return _data_of(response)
            except (UnavailableError, RateLimitedError, httpx.TransportError) as exc:
                if attempt >= self.retries:
                    raise
                attempt += 1
                self._sleep(_backoff(attempt, exc))

    def case(self, case_id: str) -> dict[str, Any] | None:
        """Return the shared case record with this id, or None.

        None means the case does not exist or is not visible to this partner; the registry
        does not tell the two apart.
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
        response = self._http.get(path)
        if response.is_success:
            return response.text
        status = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
        detail = response.text.strip()[:200]
        if response.is_server_error:
            raise ServerError(f"the registry failed ({status}): {detail}")
        raise RegistryClientError(f"GET {path} was refused ({status}): {detail}")

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


def _backoff(attempt: int, failure: Exception) -> float:
    """Seconds to wait before attempt ``attempt`` + 1: the registry's ``Retry-After`` when it
    gave one, else full jitter below an exponential ceiling (so many clients that failed
    together do not all come back together)."""
    ceiling = min(_BACKOFF_CAP, _BACKOFF_BASE * 2**attempt)
    wait = random.uniform(0, ceiling)
    if isinstance(failure, UnavailableError | RateLimitedError) and failure.retry_after:
        wait = max(wait, min(failure.retry_after, _BACKOFF_CAP))
    return wait


def _data_of(response: httpx.Response) -> dict[str, Any]:
    try:
        payload = response.json()
    except ValueError:  # not JSON (a proxy's error page, an empty body)
        payload = None
    if isinstance(payload, dict):
        errors = payload.get("errors")
        if isinstance(errors, list) and errors:
            error = error_from_graphql(errors)
            if isinstance(error, UnavailableError | RateLimitedError):
                error.retry_after = _retry_after(response)
            raise error
        data = payload.get("data")
        if response.is_success and isinstance(data, dict):
            return data
    status = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
    if response.status_code == httpx.codes.UNAUTHORIZED:
        raise UnauthenticatedError(f"the registry refused the token ({status})")
    if response.status_code == httpx.codes.SERVICE_UNAVAILABLE:
        unavailable = UnavailableError(f"the registry is unavailable ({status})")
        unavailable.retry_after = _retry_after(response)
        raise unavailable
    if response.is_server_error:
        raise ServerError(f"the registry failed ({status})")
    raise RegistryClientError(f"unexpected response from the registry ({status})")


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return float(value) if value.isdigit() else None
