"""Passwords, hashed with argon2id (argon2-cffi's defaults follow RFC 9106's advice)."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from registry.errors import InvalidInputError

#: NIST SP 800-63B asks for at least 8; staff reach personal data, so more.
MIN_LENGTH = 12
MAX_LENGTH = 256

_hasher = PasswordHasher()  # argon2id by default

#: Checked against when the username is unknown, so that a login takes as long either way.
_DUMMY_HASH = _hasher.hash("not a real password; only spends time")


def check_strength(password: str) -> None:
    """Refuse (``InvalidInputError``) a password too short or too long to be accepted."""
    if len(password) < MIN_LENGTH:
        raise InvalidInputError(f"password must be at least {MIN_LENGTH} characters")
    if len(password) > MAX_LENGTH:
        raise InvalidInputError(f"password must be at most {MAX_LENGTH} characters")


def hash_password(password: str) -> str:
    """The argon2id hash of ``password`` (PHC string, salt included)."""
    return _hasher.hash(password)


def verify(password_hash: str | None, password: str) -> bool:
    """Whether ``password`` matches ``password_hash``; with None, spends the same time and
    says no (an unknown username is not told apart by timing)."""
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    """Whether the hash was made with weaker parameters than today's (rehash at login)."""
    return _hasher.check_needs_rehash(password_hash)
