r"""Signed notes (https://c2sp.org/signed-note) with Ed25519 signatures: the log's verifier
key, the note's text and signature lines, and the check that the log signed it.

The key names and key IDs are shared with witness cosignatures (``clients.cosignature``),
which differ in their signature type.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass, field

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from clients.errors import NoteFormatError, SignatureError, VerifierKeyError

ED25519 = b"\x01"
"""The signed-note signature type of Ed25519."""
SIGNATURE_PREFIX = "\N{EM DASH} "
"""What every signature line of a note starts with."""
_MAX_SIGNATURES = 100  # Go's sumdb/note limit; bounds the work a hostile note can cause


@dataclass(frozen=True)
class VerifierKey:
    """The log's public key as configured by the partner (see `parse_verifier_key`)."""

    name: str
    key_id: bytes
    public_key: Ed25519PublicKey = field(repr=False, compare=False)


def is_valid_key_name(name: str) -> bool:
    """Whether ``name`` may name a key: not empty, no space, ``+`` or control character."""
    return bool(name) and not any(c.isspace() or c == "+" or c < " " for c in name)


def key_id(name: str, key_type: bytes, raw_public_key: bytes) -> bytes:
    """The 4-byte key ID: ``SHA-256(<name> || 0x0A || <type> || key)[:4]``."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + key_type + raw_public_key).digest()[:4]


def parse_key(vkey: str, key_type: bytes, what: str, kind: str) -> tuple[str, bytes, bytes]:
    """Split ``<name>+<8 hex key ID>+base64(<type> || 32-byte key)`` into the name, key ID
    and raw public key, checked: ``what`` names the key in messages ("verifier key"), ``kind``
    the key it must be ("an Ed25519 key (type 0x01, 32 bytes)").

    Raises:
        VerifierKeyError: the string is malformed, of another type, or its key ID does not
            match the name and key (a mistyped or truncated key).
    """
    # The base64 part may itself contain '+', so split off exactly two fields.
    parts = vkey.split("+", 2)
    if len(parts) != 3:
        raise VerifierKeyError(f"{what} is not <name>+<key ID>+<key>")
    name, key_id_hex, encoded = parts
    if not is_valid_key_name(name):
        raise VerifierKeyError(f"{what} name {name!r} is empty or contains spaces")
    if not re.fullmatch(r"[0-9a-fA-F]{8}", key_id_hex):
        raise VerifierKeyError(f"{what} ID {key_id_hex!r} is not 8 hex digits")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise VerifierKeyError(f"{what} is not valid base64") from None
    if len(raw) != 1 + 32 or raw[:1] != key_type:
        raise VerifierKeyError(f"{what} is not {kind}")
    expected = bytes.fromhex(key_id_hex)
    if key_id(name, key_type, raw[1:]) != expected:
        raise VerifierKeyError(f"{what} ID {key_id_hex} does not match its name and key")
    return name, expected, raw[1:]


def parse_verifier_key(vkey: str) -> VerifierKey:
    """Parse ``<name>+<8 hex key ID>+<base64(0x01 || 32-byte Ed25519 key)>``.

    Raises:
        VerifierKeyError: the string is malformed, not Ed25519, or its key ID does not
            match the name and key (a mistyped or truncated key).
    """
    name, expected, raw = parse_key(
        vkey, ED25519, "verifier key", "an Ed25519 key (type 0x01, 32 bytes)"
    )
    return VerifierKey(name, expected, Ed25519PublicKey.from_public_bytes(raw))


def split_note(note_text: str) -> tuple[str, list[tuple[str, bytes]]]:
    """The note text and its ``(key name, key ID || signature)`` lines; raise if malformed."""
    if any(c < " " and c != "\n" for c in note_text):
        raise NoteFormatError("note contains a control character other than newline")
    # The text may contain blank lines itself; the signatures start after the last one.
    blank = note_text.rfind("\n\n")
    if blank < 0:
        raise NoteFormatError("note has no blank line before its signatures")
    text, signature_block = note_text[: blank + 1], note_text[blank + 2 :]
    if not signature_block:
        raise NoteFormatError("note has no signature lines")
    if not signature_block.endswith("\n"):
        raise NoteFormatError("note does not end in a newline after its signatures")
    lines = signature_block[:-1].split("\n")
    if len(lines) > _MAX_SIGNATURES:
        raise NoteFormatError(f"note has {len(lines)} signatures, more than {_MAX_SIGNATURES}")
    signatures = []
    for number, line in enumerate(lines, start=1):
        if not line.startswith(SIGNATURE_PREFIX):
            raise NoteFormatError(f"signature line {number} does not start with an em dash")
        name, _, encoded = line[len(SIGNATURE_PREFIX) :].partition(" ")
        if not is_valid_key_name(name):
            raise NoteFormatError(f"signature line {number} has no valid key name")
        try:
            blob = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise NoteFormatError(f"signature line {number} is not valid base64") from None
        if len(blob) < 5:  # a key ID and at least one byte of signature
            raise NoteFormatError(f"signature line {number} is too short")
        signatures.append((name, blob))
    return text, signatures


def verify_note(note_text: str, vkey: str | VerifierKey) -> str:
    r"""Check that `note_text` is a signed note signed by `vkey`, and return its text.

    Signatures by other keys are ignored (witnesses may add theirs), as the spec says;
    a signature by this key that does not verify rejects the whole note.

    Raises:
        VerifierKeyError: `vkey` is a malformed string.
        NoteFormatError: the note is malformed.
        SignatureError: no signature by the key, only one with another key ID, or a
            signature by the key that does not verify.

    Example:
        >>> vkey = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"
        >>> note = ("If you think cryptography is the answer to your problem,\n"
        ...         "then you don't know what your problem is.\n\n"
        ...         "— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcEl"
        ...         "ZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n")
        >>> verify_note(note, vkey).splitlines()[1]
        "then you don't know what your problem is."
    """
    key = parse_verifier_key(vkey) if isinstance(vkey, str) else vkey
    text, signatures = split_note(note_text)
    message = text.encode("utf-8")
    verified = False
    other_key_ids = []
    for name, blob in signatures:
        if name != key.name:
            continue
        if blob[:4] != key.key_id:
            other_key_ids.append(blob[:4].hex())
            continue
        try:
            key.public_key.verify(blob[4:], message)
        except InvalidSignature:
            raise SignatureError(f"signature by {key.name} does not verify") from None
        verified = True
    if verified:
        return text
    if other_key_ids:
        raise SignatureError(
            f"signature by {key.name} has key ID {', '.join(other_key_ids)}, "
            f"expected {key.key_id.hex()}"
        )
    signers = ", ".join(name for name, _ in signatures)
    raise SignatureError(f"note has no signature by {key.name} (signed by: {signers})")
