"""The registry's one error hierarchy.

    RegistryError                 base; carries a machine-readable ``code``
     ├── NotFoundError            NOT_FOUND      (also: exists but the caller may not see it)
     ├── NotAllowedError          NOT_ALLOWED    (the caller may see it, but not do this)
     ├── InvalidInputError        INVALID_INPUT  (malformed or inconsistent input)
     ├── ConflictError            CONFLICT       (the state does not allow it now)
     ├── UnavailableError         UNAVAILABLE    (the deployment lacks what this needs)
     ├── RateLimitedError         RATE_LIMITED   (the partner sends too much: HTTP 429)
     └── AuthenticationError      UNAUTHENTICATED (token missing or refused; HTTP 401)

Messages are written for the partner's engineer: they say what was wrong, never how the
registry is built (no SQL, paths or tracebacks).
"""

from __future__ import annotations


class RegistryError(Exception):
    """Base of every expected error; ``code`` reaches GraphQL as ``extensions.code``."""

    code = "REGISTRY_ERROR"

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFoundError(RegistryError):
    """The thing does not exist, or the caller may not know that it does (no existence oracle)."""

    code = "NOT_FOUND"


class NotAllowedError(RegistryError):
    """The caller may see the thing but may not do this to it."""

    code = "NOT_ALLOWED"


class InvalidInputError(RegistryError):
    """The input is malformed or inconsistent; nothing was changed."""

    code = "INVALID_INPUT"


class ConflictError(RegistryError):
    """The request is well formed but the current state does not allow it."""

    code = "CONFLICT"


class UnavailableError(RegistryError):
    """This deployment cannot do this now (e.g. it has no log signing key configured)."""

    code = "UNAVAILABLE"


class RateLimitedError(RegistryError):
    """The partner is over one of its limits; ``retry_after`` says when to try again."""

    code = "RATE_LIMITED"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class AuthenticationError(RegistryError):
    """The request carries no acceptable partner token (answered with HTTP 401); ``reason``
    says why, for the operator's counts only."""

    code = "UNAUTHENTICATED"

    def __init__(self, message: str, *, reason: str = "unknown") -> None:
        super().__init__(message)
        self.reason = reason
