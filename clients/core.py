"""What the sync and the async client share, without I/O (sans-IO): the client's options and
token signer, one request's body and headers with its retries (:class:`Exchange`), reading
the registry's answer into data or a typed error, and multi-step flows such as signing an
agreement (:func:`sign_agreement_flow`).

:class:`clients.RegistryClient` and :class:`clients.AsyncRegistryClient` add only the sending
and the sleeping; every decision (what to send, what an answer means, whether and when to
try again) is made here once.
"""

from __future__ import annotations

import base64
import hashlib
import os
import random
import re
import secrets
import uuid
from collections.abc import Generator
from typing import Any, Generic, Self, TypeVar

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from clients import operations
from clients.auth import PartnerAuth
from clients.errors import (
    AgreementTextError,
    RateLimitedError,
    RegistryClientError,
    ServerError,
    UnauthenticatedError,
    UnavailableError,
    error_from_graphql,
)
from clients.keyfile import load_key_file
from clients.operations import Operation
from clients.results import Agreement

__all__ = [
    "DEFAULT_RETRIES",
    "DEFAULT_TIMEOUT",
    "RETRYABLE",
    "ClientCore",
    "Exchange",
    "Flow",
    "data_of",
    "new_traceparent",
    "public_text_of",
    "sign_agreement_flow",
]

#: Seconds to wait for the registry (connect, read, write, pool) by default.
DEFAULT_TIMEOUT = 10.0
#: How often a request that met a transient failure is sent again by default.
DEFAULT_RETRIES = 3
#: The failures after which the same request may be sent again: the registry did nothing
#: (busy, over the rate) or the outcome is unknown (the connection failed). A retry is safe
#: because a query changes nothing and a mutation goes under the same Idempotency-Key.
RETRYABLE = (UnavailableError, RateLimitedError, httpx.TransportError)
# Backoff between attempts: full jitter over an exponential ceiling, in seconds.
_BACKOFF_BASE = 0.25
_BACKOFF_CAP = 5.0
# The document's first operation keyword, after any comments and white space: only mutations
# carry an Idempotency-Key (a query is safe to repeat as it is).
_MUTATION = re.compile(r"\A(?:\s|,|#[^\n]*)*mutation\b")
# W3C Trace Context, version 00: trace id and parent id in lowercase hex, not all zeros.
_TRACEPARENT = re.compile(r"00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}")

T = TypeVar("T")
TransportT = TypeVar("TransportT")

#: A multi-step exchange with the registry: it yields the operations to run, is sent each
#: one's result, and returns its own (see :func:`sign_agreement_flow`).
Flow = Generator[Operation[Any], Any, T]


def new_traceparent() -> str:
    """Return a fresh W3C ``traceparent`` value (``00-<trace id>-<parent id>-01``)."""
    return f"00-{secrets.token_hex(16)}-{secrets.token_hex(8)}-01"


class ClientCore(Generic[TransportT]):
    """The options both clients take and the token signer they share (see
    :class:`clients.RegistryClient` for what each option means)."""

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
        transport: TransportT | None = None,
    ) -> None:
        self.url = url
        self.retries = retries
        self.timeout = timeout
        self.partner_id = partner_id
        self.key_id = key_id
        self.audience = audience
        self.act = act
        self.purpose = purpose
        self._transport = transport
        # Signs a fresh one-time token into every attempt (the registry accepts each token
        # once); it parses the key now, so a bad key fails here rather than on first use.
        self.auth = PartnerAuth(
            partner_id=partner_id,
            key_id=key_id,
            private_key=private_key,
            audience=audience,
            act=act,
            purpose=purpose,
        )

    @classmethod
    def from_key_file(
        cls,
        path: str | os.PathLike[str],
        *,
        act: str | None = None,
        purpose: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        retries: int = DEFAULT_RETRIES,
        transport: TransportT | None = None,
    ) -> Self:
        """Create a client from a partner key file (see :mod:`clients.keyfile`).

        The other options are those of :class:`clients.RegistryClient`.
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

    def exchange(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        traceparent: str | None = None,
        idempotency_key: str | None = None,
    ) -> Exchange:
        """The request for ``query`` and the rules for retrying it."""
        return Exchange(
            query,
            variables,
            traceparent=traceparent,
            idempotency_key=idempotency_key,
            retries=self.retries,
        )

    def sign_agreement_flow(
        self, agreement_id: str, *, expected_sha256: str | None = None
    ) -> Flow[Agreement]:
        """:func:`sign_agreement_flow` with this client's key."""
        return sign_agreement_flow(
            agreement_id,
            key_id=self.key_id,
            private_key=self.auth.private_key,
            expected_sha256=expected_sha256,
        )


class Exchange:
    """One GraphQL request: its JSON body and headers (a ``traceparent``; for a mutation an
    ``Idempotency-Key``, the same on every attempt), and whether and after how long a failed
    attempt is tried again. Tokens are not here: the client's ``auth`` signs each attempt."""

    def __init__(
        self,
        query: str,
        variables: dict[str, Any] | None,
        *,
        traceparent: str | None,
        idempotency_key: str | None,
        retries: int,
    ) -> None:
        if traceparent is None:
            traceparent = new_traceparent()
        elif not _TRACEPARENT.fullmatch(traceparent):
            raise ValueError(
                f"not a W3C traceparent (00-<trace id>-<parent id>-<flags>): {traceparent!r}"
            )
        self.body: dict[str, Any] = {"query": query}
        if variables is not None:
            self.body["variables"] = variables
        self.headers = {"traceparent": traceparent}
        if idempotency_key is None and _MUTATION.match(query):
            idempotency_key = str(uuid.uuid4())
        if idempotency_key is not None:
            self.headers["Idempotency-Key"] = f'"{idempotency_key}"'
        self._retries = retries
        self._attempt = 0

    def wait_before_retry(self, failure: Exception) -> float:
        """Seconds to wait before sending the request again after ``failure`` (one of
        :data:`RETRYABLE`); re-raises ``failure`` once the retries are spent.

        The wait is the registry's ``Retry-After`` when it gave one, else full jitter below
        an exponential ceiling (so many clients that failed together do not all come back
        together).
        """
        if self._attempt >= self._retries:
            raise failure
        self._attempt += 1
        ceiling = min(_BACKOFF_CAP, _BACKOFF_BASE * 2**self._attempt)
        wait = random.uniform(0, ceiling)
        if isinstance(failure, UnavailableError | RateLimitedError) and failure.retry_after:
            wait = max(wait, min(failure.retry_after, _BACKOFF_CAP))
        return wait


def sign_agreement_flow(
    agreement_id: str,
    *,
    key_id: str,
    private_key: Ed25519PrivateKey,
    expected_sha256: str | None = None,
) -> Flow[Agreement]:
    """Sign an agreement as a party: fetch its canonical text, check the text against the
    SHA-256 the registry states for it (and against ``expected_sha256``, the hash printed on
    the document the signatory read, when given), sign the UTF-8 of the text with Ed25519 and
    submit the signature. Returns the agreement as it stands after the signature.

    Raises:
        AgreementTextError: the text is not released to this partner, or does not have the
            stated or the expected hash; nothing was signed.
    """
    terms: Agreement = yield operations.agreement(agreement_id)
    text = terms["text"]
    if text is None:
        raise AgreementTextError(
            f"the text of agreement {agreement_id} is not released to this partner: "
            "only a party may sign it"
        )
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if terms["textSha256"] is not None and digest != terms["textSha256"]:
        raise AgreementTextError(
            f"the text of agreement {agreement_id} does not have the SHA-256 the registry "
            f"states for it ({terms['textSha256']}): nothing was signed"
        )
    if expected_sha256 is not None and digest != expected_sha256.strip().lower():
        raise AgreementTextError(
            f"the text of agreement {agreement_id} has SHA-256 {digest}, not the expected "
            f"{expected_sha256}: it changed since it was read; nothing was signed"
        )
    signature = base64.b64encode(private_key.sign(text.encode("utf-8"))).decode("ascii")
    signed: Agreement = yield operations.submit_agreement_signature(agreement_id, key_id, signature)
    return signed


def data_of(response: httpx.Response) -> dict[str, Any]:
    """The ``data`` of the registry's answer, or the typed error it stands for."""
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
    if response.status_code == httpx.codes.TOO_MANY_REQUESTS:
        limited = RateLimitedError(f"the registry asks to slow down ({status})")
        limited.retry_after = _retry_after(response)
        raise limited
    if response.is_server_error:
        raise ServerError(f"the registry failed ({status})")
    raise RegistryClientError(f"unexpected response from the registry ({status})")


def public_text_of(path: str, response: httpx.Response) -> str:
    """The text of a public resource's answer, or the error it stands for."""
    if response.is_success:
        return response.text
    status = f"HTTP {response.status_code} {response.reason_phrase}".rstrip()
    detail = response.text.strip()[:200]
    if response.is_server_error:
        raise ServerError(f"the registry failed ({status}): {detail}")
    raise RegistryClientError(f"GET {path} was refused ({status}): {detail}")


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return float(value) if value.isdigit() else None
