"""Crypto-shredding: a household's personal data is sealed under a key of its own case.

Construction (envelope encryption, as cloud KMSs and Tink do it):

- every case has a random 256-bit *data key*; each personal value is sealed with AES-256-GCM
  under it, with a fresh 96-bit nonce, and with the case id and the column's name as
  associated data, so a sealed value copied to another case or column does not open;
- the data key is stored only *wrapped*: AES-256-GCM under the deployment's key-encryption
  key (KEK, ``KETENREGISTER_DATA_KEY`` or the file ``KETENREGISTER_DATA_KEY_FILE``), with the
  case id as associated data, so a wrapped key moved to another case does not open either;
- erasing a household destroys its wrapped data key: whatever sealed bytes of it remain (a
  backup, a WAL page, a row kept for the log) can no longer be opened by anyone, the KEK's
  holder included.

Why this construction: AES-GCM is the authenticated cipher of the ``cryptography`` library the
registry already depends on (no new dependency); a key per case makes erasure one small,
certain deletion instead of a hunt through every copy; keeping the KEK outside the database
means a stolen database or backup opens nothing; and binding case and column as associated
data stops a database writer from swapping ciphertexts between households unnoticed. Random
96-bit nonces are safe here: a data key seals a few dozen values in its life, far below the
2^32 messages per key that NIST SP 800-38D allows for random nonces.
"""

from __future__ import annotations

import base64
import binascii
import os
import secrets
import uuid
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

#: The first byte of every sealed value and wrapped key: the format, so it can change later.
FORMAT = b"\x01"
_NONCE = 12
KEY_BYTES = 32
DATA_KEY_ENV = "KETENREGISTER_DATA_KEY"
DATA_KEY_FILE_ENV = "KETENREGISTER_DATA_KEY_FILE"


class DataKeyError(Exception):
    """A key-encryption key is missing or malformed, or a sealed value does not open."""


class ErasedError(DataKeyError):
    """The case's data key was destroyed: its household was erased."""


@dataclass(frozen=True, eq=False)
class KeyEncryptionKey:
    """The deployment's key-encryption key: wraps and unwraps the cases' data keys."""

    key: bytes

    def __post_init__(self) -> None:
        if len(self.key) != KEY_BYTES:
            raise DataKeyError(f"the data key must be {KEY_BYTES} bytes, not {len(self.key)}")

    @classmethod
    def generate(cls) -> KeyEncryptionKey:
        """A new random key (the demo's and the tests'; a deployment makes its own)."""
        return cls(secrets.token_bytes(KEY_BYTES))

    @classmethod
    def from_text(cls, text: str) -> KeyEncryptionKey:
        """A key written as base64 (what ``encoded`` gives)."""
        try:
            return cls(base64.b64decode(text.strip(), validate=True))
        except (binascii.Error, ValueError) as exc:
            raise DataKeyError("the data key is not base64 of 32 bytes") from exc

    @property
    def encoded(self) -> str:
        """The key as base64 text, for an environment variable or a key file."""
        return base64.b64encode(self.key).decode()

    def wrap(self, case_id: uuid.UUID, data_key: bytes) -> bytes:
        """``data_key`` sealed under this key, bound to ``case_id``."""
        nonce = os.urandom(_NONCE)
        return FORMAT + nonce + self._aead.encrypt(nonce, data_key, _key_aad(case_id))

    def unwrap(self, case_id: uuid.UUID, wrapped: bytes) -> bytes:
        """The data key of ``case_id``; refuses a key wrapped for another case or another KEK."""
        return _open(self._aead, wrapped, _key_aad(case_id), "the data key of this case")

    @cached_property
    def _aead(self) -> AESGCM:
        return AESGCM(self.key)  # made once: a long list unwraps thousands of keys


def _key_aad(case_id: uuid.UUID) -> bytes:
    return b"ketenregister/case-key/" + case_id.bytes


def _value_aad(case_id: uuid.UUID, column: str) -> bytes:
    return b"ketenregister/value/" + case_id.bytes + b"/" + column.encode()


def _open(aead: AESGCM, sealed: bytes, aad: bytes, what: str) -> bytes:
    if sealed[:1] != FORMAT or len(sealed) < 1 + _NONCE + 16:
        raise DataKeyError(f"{what} is not in a known sealed format")
    try:
        return aead.decrypt(sealed[1 : 1 + _NONCE], sealed[1 + _NONCE :], aad)
    except InvalidTag:
        raise DataKeyError(
            f"{what} does not open with this key (wrong key, case or column)"
        ) from None


def new_data_key() -> bytes:
    """A fresh random data key for one case."""
    return secrets.token_bytes(KEY_BYTES)


class CaseCipher:
    """Seals and opens the values of one case under its (unwrapped) data key."""

    __slots__ = ("_aad", "_aead", "case_id")

    def __init__(self, case_id: uuid.UUID, data_key: bytes) -> None:
        self.case_id = case_id
        self._aead = AESGCM(data_key)
        self._aad: dict[str, bytes] = {}

    def _aad_of(self, column: str) -> bytes:
        aad = self._aad.get(column)
        if aad is None:
            aad = self._aad[column] = _value_aad(self.case_id, column)
        return aad

    def seal(self, column: str, value: str) -> bytes:
        """``value`` sealed for ``column`` of this case."""
        nonce = os.urandom(_NONCE)
        return FORMAT + nonce + self._aead.encrypt(nonce, value.encode(), self._aad_of(column))

    def open(self, column: str, sealed: bytes) -> str:
        """The value sealed for ``column`` of this case."""
        if sealed[:1] != FORMAT:
            raise DataKeyError(f"{column} is not in a known sealed format")
        try:
            plain = self._aead.decrypt(
                sealed[1 : 1 + _NONCE], sealed[1 + _NONCE :], self._aad_of(column)
            )
        except InvalidTag:
            raise DataKeyError(f"{column} does not open under this case's key") from None
        return plain.decode()


_installed: KeyEncryptionKey | None = None


def install(kek: KeyEncryptionKey | None) -> None:
    """Make ``kek`` this process's key-encryption key (the composition root does, from the
    settings); None: read it from the environment when first needed."""
    global _installed  # one key per process, set once by the composition root
    _installed = kek


def from_environment() -> KeyEncryptionKey | None:
    """The key named by ``KETENREGISTER_DATA_KEY`` (base64) or ``KETENREGISTER_DATA_KEY_FILE``
    (a file holding it), or None when neither is set."""
    text = os.environ.get(DATA_KEY_ENV)
    if text:
        return KeyEncryptionKey.from_text(text)
    path = os.environ.get(DATA_KEY_FILE_ENV)
    if path:
        return read_file(Path(path))
    return None


def read_file(path: Path) -> KeyEncryptionKey:
    """A key from a key file (``write_file``)."""
    try:
        return KeyEncryptionKey.from_text(path.read_text())
    except OSError as exc:
        raise DataKeyError(f"cannot read the data key file: {exc.strerror}") from exc


def write_file(kek: KeyEncryptionKey, path: Path) -> None:
    """Write ``kek`` to a new key file readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(kek.encoded + "\n")


def current() -> KeyEncryptionKey:
    """This process's key-encryption key. Fails closed: without one, no personal value is
    sealed or opened (the alternative, storing it in the clear, is what this prevents)."""
    global _installed  # read once from the environment, then kept
    if _installed is None:
        _installed = from_environment()
    if _installed is None:
        raise DataKeyError(
            f"no data key: set {DATA_KEY_ENV} (base64 of 32 random bytes, as `openssl rand "
            f"-base64 32` prints them) or {DATA_KEY_FILE_ENV} (a file holding that)"
        )
    return _installed
