"""Typed errors of the partner SDK, one per GraphQL ``extensions.code`` of the registry.

::

    RegistryClientError            any error the registry reported (or an unknown code)
    ├── NotFoundError              NOT_FOUND
    ├── NotAllowedError            NOT_ALLOWED
    ├── InvalidInputError          INVALID_INPUT
    ├── ConflictError              CONFLICT
    ├── UnauthenticatedError       UNAUTHENTICATED (HTTP 401: token refused)
    ├── BadRequestError            BAD_REQUEST (query depth, alias, size limits)
    └── ServerError                INTERNAL_ERROR (masked on the server), or HTTP 5xx

Network failures are not registry errors: they surface as ``httpx.TransportError``.

Checks the partner runs itself on the signed audit log (``clients.verify``,
``clients.monitor``) fail with their own hierarchy, whose messages name the failed check::

    VerificationError              a signed checkpoint, proof or log view failed a check
    ├── VerifierKeyError           the configured verifier key string is malformed
    ├── NoteFormatError            a signed note is malformed (no blank line, bad lines)
    ├── SignatureError             no signature by the key, wrong key ID, bad signature
    ├── CheckpointError            a malformed checkpoint body, or an unexpected origin
    ├── InclusionProofError        an inclusion proof does not hold
    ├── ConsistencyProofError      a consistency proof does not hold, or is missing
    ├── EntryError                 a log entry is not the entry it claims (or was given) to be
    ├── OpeningError               an entry's event (its opening) does not match the entry
    ├── MonitorStateError          the monitor's state file is unreadable or tampered
    ├── LogMisbehaviourError       the log rolled back, forked or was truncated
    ├── CosignatureError           a witness cosignature is malformed or does not verify
    ├── WitnessPolicyError         fewer than the required witnesses cosigned a checkpoint
    └── AgreementTextError         an agreement's text is not the one to sign (not signed)
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = [
    "AgreementTextError",
    "BadRequestError",
    "CheckpointError",
    "ConflictError",
    "ConsistencyProofError",
    "CosignatureError",
    "EntryError",
    "InclusionProofError",
    "InvalidInputError",
    "LogMisbehaviourError",
    "MonitorStateError",
    "NotAllowedError",
    "NotFoundError",
    "NoteFormatError",
    "OpeningError",
    "RegistryClientError",
    "ServerError",
    "SignatureError",
    "UnauthenticatedError",
    "VerificationError",
    "VerifierKeyError",
    "WitnessPolicyError",
    "error_from_graphql",
]


class RegistryClientError(Exception):
    """An error the registry reported.

    Attributes:
        code: The ``extensions.code`` of the first GraphQL error. Errors built from a bare
            HTTP status (a 401 or 5xx without a GraphQL body) carry their class's code; a
            plain RegistryClientError carries None when the registry sent no code.
        message: The human-readable message of the first error.
        errors: Every GraphQL error object of the response, as sent.

    Example:
        >>> from clients import NotFoundError, RegistryClient
        >>> with RegistryClient.from_key_file("var/demo/keys/zowonen.json") as client:
        ...     try:
        ...         client.execute('{ case(id: "00000000-0000-4000-8000-000000000000") { id } }')
        ...     except NotFoundError as error:
        ...         print(error.code, "-", error.message)
        NOT_FOUND - case 00000000-0000-4000-8000-000000000000 not found
    """

    #: The ``extensions.code`` this class stands for; None on the base class.
    extension_code: ClassVar[str | None] = None

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        errors: list[dict[str, Any]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code if code is not None else self.extension_code
        self.errors: list[dict[str, Any]] = errors if errors is not None else []


class NotFoundError(RegistryClientError):
    """The thing asked for does not exist, or is not visible to this partner."""

    extension_code = "NOT_FOUND"


class NotAllowedError(RegistryClientError):
    """The access policy does not allow this partner to do this."""

    extension_code = "NOT_ALLOWED"


class InvalidInputError(RegistryClientError):
    """The registry rejected the input (a malformed id, a date out of range, ...)."""

    extension_code = "INVALID_INPUT"


class ConflictError(RegistryClientError):
    """The change conflicts with the current state (for example a phase already moved on)."""

    extension_code = "CONFLICT"


class UnauthenticatedError(RegistryClientError):
    """The registry refused the token: unknown key, bad signature, expired or replayed."""

    extension_code = "UNAUTHENTICATED"


class BadRequestError(RegistryClientError):
    """The query broke a limit of the registry (depth, aliases, tokens or body size)."""

    extension_code = "BAD_REQUEST"


class ServerError(RegistryClientError):
    """An unexpected error on the registry's side; the details stay in its logs."""

    extension_code = "INTERNAL_ERROR"


class RateLimitedError(RegistryClientError):
    """The partner is over its rate limit: nothing was done; try again after ``retry_after``
    seconds (the client does so itself a few times)."""

    extension_code = "RATE_LIMITED"
    #: Seconds the registry asked to wait before trying again (``Retry-After``), if it said.
    retry_after: float | None = None


class UnavailableError(RegistryClientError):
    """The registry is busy or its database is out of reach for now: nothing was done, and
    the same request may be sent again (the client does so itself a few times)."""

    extension_code = "UNAVAILABLE"
    #: Seconds the registry asked to wait before trying again (``Retry-After``), if it said.
    retry_after: float | None = None


_BY_CODE: dict[str, type[RegistryClientError]] = {
    cls.extension_code: cls
    for cls in (
        NotFoundError,
        NotAllowedError,
        InvalidInputError,
        ConflictError,
        UnauthenticatedError,
        BadRequestError,
        ServerError,
        UnavailableError,
        RateLimitedError,
    )
    if cls.extension_code is not None
}


def error_from_graphql(errors: list[dict[str, Any]]) -> RegistryClientError:
    """Build the typed error for the first entry of a GraphQL ``errors`` list.

    An unknown or missing code gives a plain :class:`RegistryClientError` that still
    carries the code the registry sent, so newer server codes never crash older clients.

    Example:
        >>> error_from_graphql([{"message": "no", "extensions": {"code": "NOT_ALLOWED"}}])
        NotAllowedError('no')
        >>> error = error_from_graphql([{"message": "new", "extensions": {"code": "NEW_CODE"}}])
        >>> type(error).__name__, error.code
        ('RegistryClientError', 'NEW_CODE')
    """
    first = errors[0] if errors and isinstance(errors[0], dict) else {}
    message = first.get("message")
    extensions = first.get("extensions")
    code = extensions.get("code") if isinstance(extensions, dict) else None
    if not isinstance(code, str):
        code = None
    cls = _BY_CODE.get(code, RegistryClientError) if code is not None else RegistryClientError
    return cls(
        message if isinstance(message, str) else "the registry reported an error without a message",
        code=code,
        errors=errors,
    )


# Verification of the signed audit log. These are not registry errors: the partner's own
# checks failed, so they share no base class with RegistryClientError.


class VerificationError(Exception):
    """A signed checkpoint, a Merkle proof or the log's history failed a check.

    The message names the check that failed; treat every subclass as "do not trust".
    """


class VerifierKeyError(VerificationError):
    """The verifier key string is not ``<name>+<8 hex key ID>+<base64(0x01 || key)>``."""


class NoteFormatError(VerificationError):
    """The text is not a well-formed signed note (c2sp.org/signed-note)."""


class SignatureError(VerificationError):
    """The note carries no valid signature by the expected key."""


class CheckpointError(VerificationError):
    """The note body is not a well-formed checkpoint, or is for another origin."""


class InclusionProofError(VerificationError):
    """An inclusion proof does not show the entry is in the tree of the checkpoint."""


class ConsistencyProofError(VerificationError):
    """A consistency proof does not show the old tree is a prefix of the new one."""


class EntryError(VerificationError):
    """A log entry's data is malformed, names another index, or is not what was given before."""


class OpeningError(VerificationError):
    """An entry's event (its opening) does not match the commitment in the entry's leaf, or is
    not a well-formed opening: it is not the event the log holds."""


class MonitorStateError(VerificationError):
    """The monitor's state file cannot be read or its stored checkpoint does not verify."""


class LogMisbehaviourError(VerificationError):
    """The log showed a rollback, a fork or a truncation; ``outcome`` says which."""

    def __init__(self, message: str, *, outcome: str) -> None:
        super().__init__(message)
        self.outcome = outcome


class CosignatureError(VerificationError):
    """A witness cosignature (c2sp.org/tlog-cosignature) is malformed or does not verify."""


class WitnessPolicyError(VerificationError):
    """A checkpoint lacks the cosignatures of the witnesses the partner requires."""


class AgreementTextError(VerificationError):
    """An agreement's text is not released to the partner, or is not the text whose SHA-256
    the registry states or the signatory expected: the SDK signed nothing."""
