"""Signed checkpoints: the C2SP signed-note and tlog-checkpoint formats with Ed25519.

A *signed note* (https://c2sp.org/signed-note) is UTF-8 text ending in a newline, a blank
line, and one signature line per signer::

    <text>\\n
    \\n
    — <key name> <base64(4-byte key ID || Ed25519 signature over the text)>\\n

The key ID is ``SHA-256(key name || 0x0A || 0x01 || public key)[:4]``; a partner
configures the log's *verifier key* ``<name>+<key ID in hex>+<base64(0x01 || public key)>``
and needs nothing else (``clients.verify``). The formats match Go's
``golang.org/x/mod/sumdb/note``, so its tools can check our checkpoints and vice versa.

A *checkpoint* (https://c2sp.org/tlog-checkpoint) is a note whose text is the log's origin,
its size in decimal and its root hash in base64, one per line.
"""

from __future__ import annotations

import base64
import binascii
import hashlib

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import (
    Encoding,
    NoEncryption,
    PrivateFormat,
    PublicFormat,
)

__all__ = [
    "ED25519_SIGNATURE_TYPE",
    "NoteFormatError",
    "format_checkpoint",
    "key_hash",
    "parse_signer_key",
    "sign_checkpoint",
    "sign_note",
    "signer_key",
    "verifier_key",
]

ED25519_SIGNATURE_TYPE = b"\x01"
"""The signed-note signature type identifier byte for Ed25519."""

SIGNATURE_PREFIX = "\N{EM DASH} "
"""Every signature line starts with an em dash (U+2014) and a space."""

_SIGNER_KEY_PREFIX = "PRIVATE+KEY+"  # Go's sumdb/note encoding of a signer key
_HASH_SIZE = 32


class NoteFormatError(ValueError):
    """Text, a key name or a key string cannot be used in a signed note or checkpoint."""


def _check_key_name(name: str) -> None:
    # The name is how a verifier finds its key in the signature lines, so the signed-note
    # spec forbids the characters that would make a line ambiguous: spaces and '+'.
    if not name:
        raise NoteFormatError("key name is empty")
    if any(char.isspace() or char == "+" or char < " " for char in name):
        raise NoteFormatError(f"key name {name!r} contains a space, '+' or control character")


def _check_text(text: str) -> bytes:
    """The UTF-8 bytes of note text that the signed-note spec allows; raise otherwise."""
    if not text.endswith("\n"):
        raise NoteFormatError("note text must end in a newline")
    if any(char < " " and char != "\n" for char in text):
        raise NoteFormatError("note text contains a control character other than newline")
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # lone surrogates: not valid UTF-8
        raise NoteFormatError("note text is not valid UTF-8") from None


def _public_bytes(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


def key_hash(name: str, public_key: Ed25519PublicKey) -> bytes:
    """The 4-byte key ID: ``SHA-256(name || 0x0A || 0x01 || public key)[:4]``.

    It names the key in signature lines; it identifies, it does not authenticate.
    """
    _check_key_name(name)
    material = name.encode("utf-8") + b"\n" + ED25519_SIGNATURE_TYPE + _public_bytes(public_key)
    return hashlib.sha256(material).digest()[:4]


def verifier_key(name: str, public_key: Ed25519PublicKey) -> str:
    """The verifier key a partner configures: ``<name>+<8 hex key ID>+<base64(0x01 || key)>``.

    Example:
        >>> key = Ed25519PrivateKey.from_private_bytes(bytes(32)).public_key()
        >>> verifier_key("ketenregister.example/log", key).count("+")
        2
    """
    encoded = base64.b64encode(ED25519_SIGNATURE_TYPE + _public_bytes(public_key)).decode()
    return f"{name}+{key_hash(name, public_key).hex()}+{encoded}"


def signer_key(name: str, private_key: Ed25519PrivateKey) -> str:
    """The log's secret key as Go's sumdb/note writes it, for configuration files.

    ``PRIVATE+KEY+<name>+<8 hex key ID>+<base64(0x01 || 32-byte seed)>``. Keep it secret.
    """
    seed = private_key.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    key_id = key_hash(name, private_key.public_key()).hex()
    encoded = base64.b64encode(ED25519_SIGNATURE_TYPE + seed).decode()
    return f"{_SIGNER_KEY_PREFIX}{name}+{key_id}+{encoded}"


def parse_signer_key(skey: str) -> tuple[str, Ed25519PrivateKey]:
    """The key name and private key in a `signer_key` string.

    Raises:
        NoteFormatError: the string is malformed, not Ed25519, or its key ID does not
            match its key (a truncated or mistyped secret).
    """
    if not skey.startswith(_SIGNER_KEY_PREFIX):
        raise NoteFormatError("signer key does not start with PRIVATE+KEY+")
    # The base64 part may itself contain '+', so split off exactly two fields.
    parts = skey[len(_SIGNER_KEY_PREFIX) :].split("+", 2)
    if len(parts) != 3:
        raise NoteFormatError("signer key is not PRIVATE+KEY+<name>+<key ID>+<key>")
    name, key_id, encoded = parts
    try:
        raw = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise NoteFormatError("signer key is not valid base64") from None
    if len(raw) != 33 or raw[:1] != ED25519_SIGNATURE_TYPE:
        raise NoteFormatError("signer key is not an Ed25519 key (type 0x01, 32 bytes)")
    private_key = Ed25519PrivateKey.from_private_bytes(raw[1:])
    if key_hash(name, private_key.public_key()).hex() != key_id:
        raise NoteFormatError(f"signer key ID {key_id} does not match its key")
    return name, private_key


def sign_note(text: str, name: str, private_key: Ed25519PrivateKey) -> str:
    """The signed note: `text`, a blank line and the signature line of key `name`.

    The signature covers exactly the UTF-8 bytes of `text`, final newline included.

    Raises:
        NoteFormatError: `text` does not end in a newline or contains control
            characters, or `name` is not a valid key name.

    Example:
        >>> key = Ed25519PrivateKey.from_private_bytes(bytes(32))
        >>> sign_note("hello\\n", "example.com/log", key).splitlines()[2][:17]
        '— example.com/log'
    """
    message = _check_text(text)
    signature = key_hash(name, private_key.public_key()) + private_key.sign(message)
    return f"{text}\n{SIGNATURE_PREFIX}{name} {base64.b64encode(signature).decode()}\n"


def format_checkpoint(origin: str, size: int, root: bytes, extensions: tuple[str, ...] = ()) -> str:
    """The checkpoint body: ``<origin>\\n<size in decimal>\\n<base64 root>\\n``.

    Extension lines are allowed by the spec but not auditable by monitors; we add none
    unless asked.

    Raises:
        NoteFormatError: an empty or multi-line origin or extension line, a negative
            size, or a root that is not a 32-byte SHA-256 hash.
    """
    if not origin or "\n" in origin:
        raise NoteFormatError("checkpoint origin must be one non-empty line")
    if isinstance(size, bool) or size < 0:
        raise NoteFormatError(f"checkpoint size {size!r} is not a non-negative integer")
    if len(root) != _HASH_SIZE:
        raise NoteFormatError(f"checkpoint root is {len(root)} bytes, expected {_HASH_SIZE}")
    if any(not line or "\n" in line for line in extensions):
        raise NoteFormatError("checkpoint extension lines must be single non-empty lines")
    lines = [origin, str(size), base64.b64encode(root).decode(), *extensions]
    return "".join(f"{line}\n" for line in lines)


def sign_checkpoint(origin: str, size: int, root: bytes, private_key: Ed25519PrivateKey) -> str:
    """The signed checkpoint for a tree of `size` leaves, signed under the key name `origin`.

    tlog-checkpoint recommends that the log's key name equals its origin, and
    ``clients.verify.verify_checkpoint`` expects that by default.
    """
    return sign_note(format_checkpoint(origin, size, root), origin, private_key)
