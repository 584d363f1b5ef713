"""Ketenregister partner SDK: sign tokens, call the registry's GraphQL API, typed errors.

Partners install this package on their side; it imports nothing from the server packages.

Example:
    >>> from clients import RegistryClient, NotAllowedError
    >>> with RegistryClient.from_key_file("zowonen.key.json") as client:  # doctest: +SKIP
    ...     print(client.case("case-1"))
"""

from clients.auth import PartnerAuth
from clients.errors import (
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
    "verify_webhook",
]
