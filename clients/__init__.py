"""Ketenregister partner SDK: sign tokens, call the registry's GraphQL API (sync and async),
typed results (:mod:`clients.operations`) and errors, sign agreements, check webhooks.

Partners install this package on their side; it imports nothing from the server packages.

Example:
    As ZOwonen, with its key file as ``ketenregister demo`` writes it, against the demo
    registry: its cases, and a refusal as a typed error.

    >>> from clients import NotAllowedError, RegistryClient
    >>> with RegistryClient.from_key_file("var/demo/keys/zowonen.json") as client:
    ...     cases = client.execute("{ cases(first: 2) { nodes { owner } } }")["cases"]["nodes"]
    ...     try:
    ...         client.execute('mutation { issueGrant(input: {municipality: "sittard-geleen",'
    ...                        ' partnerKind: WELFARE, fields: ["evictionDate"]}) { id } }')
    ...     except NotAllowedError as error:
    ...         print(error.code)
    NOT_ALLOWED
    >>> [case["owner"] for case in cases]
    ['zowonen', 'zowonen']
"""

from clients import operations, results
from clients.aio import AsyncRegistryClient
from clients.auth import PartnerAuth
from clients.errors import (
    AgreementTextError,
    BadRequestError,
    ConflictError,
    InvalidInputError,
    NotAllowedError,
    NotFoundError,
    RateLimitedError,
    RegistryClientError,
    ServerError,
    UnauthenticatedError,
    UnavailableError,
)
from clients.keyfile import KeyFile, KeyFileError, load_key_file
from clients.sdk import RegistryClient
from clients.webhooks import WebhookVerificationError, verify_webhook

__all__ = [
    "AgreementTextError",
    "AsyncRegistryClient",
    "BadRequestError",
    "ConflictError",
    "InvalidInputError",
    "KeyFile",
    "KeyFileError",
    "NotAllowedError",
    "NotFoundError",
    "PartnerAuth",
    "RateLimitedError",
    "RegistryClient",
    "RegistryClientError",
    "ServerError",
    "UnauthenticatedError",
    "UnavailableError",
    "WebhookVerificationError",
    "load_key_file",
    "operations",
    "results",
    "verify_webhook",
]
