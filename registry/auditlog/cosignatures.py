r"""Witness cosignatures as the registry checks them: C2SP tlog-cosignature, Ed25519 v1.

A witness's cosignature is one more signature line on a checkpoint's signed note
(https://c2sp.org/tlog-cosignature)::

    — <witness name> base64(key ID || 8-byte big-endian timestamp || Ed25519 signature)

The key ID is ``SHA-256(name || 0x0A || 0x04 || public key)[:4]`` and the signature covers
``cosignature/v1\n`` ``time <timestamp>\n`` followed by the checkpoint body. The registry
only verifies cosignatures (the witnesses sign, ``clients.witness``), before it stores one
and when ``ketenregister log verify`` re-checks the stored checkpoints; a line that does not
verify is never stored, so never served.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from registry.auditlog.note import SIGNATURE_PREFIX

__all__ = [
    "COSIGNATURE_TYPE",
    "CosignatureError",
    "WitnessKey",
    "cosigned_message",
    "parse_witness_key",
    "signature_line_key",
    "verify_cosignature",
]

COSIGNATURE_TYPE = b"\x04"
"""The signed-note signature type of timestamped Ed25519 witness cosignatures."""

_MAX_TIMESTAMP = 2**63 - 1
_BLOB_SIZE = 4 + 8 + 64  # key ID, timestamp, Ed25519 signature


class CosignatureError(ValueError):
    """A witness key or cosignature line is malformed, or a cosignature does not verify."""


@dataclass(frozen=True)
class WitnessKey:
    """A witness's public key: ``name``, the 4-byte key ID, and the Ed25519 key."""

    name: str
    key_id: bytes
    public_key: Ed25519PublicKey = field(repr=False, compare=False)


def _key_id(name: str, raw_public_key: bytes) -> bytes:
    return hashlib.sha256(
        name.encode("utf-8") + b"\n" + COSIGNATURE_TYPE + raw_public_key
    ).digest()[:4]


def _valid_name(name: str) -> bool:
    return bool(name) and not any(c.isspace() or c == "+" or c < " " for c in name)


def parse_witness_key(vkey: str) -> WitnessKey:
    """Parse ``<name>+<8 hex key ID>+base64(0x04 || 32-byte Ed25519 key)``.

    Raises:
        CosignatureError: malformed, not a cosignature/v1 key (a log key of type 0x01 is
            refused), or the key ID does not match the name and key.

    Example:
        >>> parse_witness_key(
        ...     "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2").name
        'remora.n621.de'
    """
    parts = vkey.strip().split("+", 2)
    if len(parts) != 3 or not _valid_name(parts[0]):
        raise CosignatureError("witness key is not <name>+<key ID>+<key>")
    name, key_id_hex, encoded = parts
    if not re.fullmatch(r"[0-9a-fA-F]{8}", key_id_hex):
        raise CosignatureError(f"witness key ID {key_id_hex!r} is not 8 hex digits")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise CosignatureError("witness key is not valid base64") from None
    if len(raw) != 33 or raw[:1] != COSIGNATURE_TYPE:
        raise CosignatureError(
            f"witness key {name} is not a cosignature/v1 Ed25519 key (type 0x04, 32 bytes)"
        )
    if _key_id(name, raw[1:]).hex() != key_id_hex.lower():
        raise CosignatureError(f"witness key ID {key_id_hex} does not match its name and key")
    return WitnessKey(name, bytes.fromhex(key_id_hex), Ed25519PublicKey.from_public_bytes(raw[1:]))


def cosigned_message(body: str, timestamp: int) -> bytes:
    """``cosignature/v1\\ntime <timestamp>\\n`` followed by the checkpoint body: what is signed."""
    if not 0 <= timestamp <= _MAX_TIMESTAMP:
        raise CosignatureError(f"cosignature timestamp {timestamp} is out of range")
    if not body.endswith("\n") or body.count("\n") < 3:
        raise CosignatureError("a cosigned checkpoint body has at least three lines")
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


def signature_line_key(line: str) -> tuple[str, bytes]:
    """The key name and key ID a signature line names (``— <name> <base64>``).

    Raises:
        CosignatureError: the line is not a signature line.
    """
    text = line.removesuffix("\n")
    if "\n" in text or not text.startswith(SIGNATURE_PREFIX):
        raise CosignatureError("a signature line is one line starting with an em dash")
    name, _, encoded = text[len(SIGNATURE_PREFIX) :].partition(" ")
    if not _valid_name(name):
        raise CosignatureError("signature line has no valid key name")
    try:
        blob = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise CosignatureError(f"signature line of {name} is not valid base64") from None
    if len(blob) < 5:
        raise CosignatureError(f"signature line of {name} is too short")
    return name, blob[:4]


def verify_cosignature(line: str, body: str, key: WitnessKey) -> int:
    """Check ``line`` as ``key``'s cosignature on the checkpoint ``body``; return its timestamp.

    Raises:
        CosignatureError: the line is malformed, names another witness or key, or does not
            verify; the message says which.
    """
    name, key_id = signature_line_key(line)
    if name != key.name or key_id != key.key_id:
        raise CosignatureError(
            f"cosignature is by {name} with key ID {key_id.hex()}, expected {key.name} with "
            f"key ID {key.key_id.hex()}"
        )
    blob = base64.b64decode(line.removesuffix("\n").rpartition(" ")[2])
    if len(blob) != _BLOB_SIZE:
        raise CosignatureError(
            f"cosignature by {name} is {len(blob)} bytes, expected {_BLOB_SIZE} "
            "(key ID, timestamp, Ed25519 signature)"
        )
    timestamp = int.from_bytes(blob[4:12], "big")
    try:
        key.public_key.verify(blob[12:], cosigned_message(body, timestamp))
    except InvalidSignature:
        raise CosignatureError(f"cosignature by {name} does not verify") from None
    return timestamp
