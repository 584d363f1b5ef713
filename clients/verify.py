r"""Verify the registry's signed audit log on the partner's side, with only its public key.

The log publishes *checkpoints*: signed notes (https://c2sp.org/signed-note, Ed25519)
whose body is a tlog-checkpoint (https://c2sp.org/tlog-checkpoint) committing to the root
of an RFC 9162 §2.1 Merkle tree. With the log's verifier key a partner checks

* that a checkpoint is signed by the log: `verify_checkpoint`;
* that an entry is in the tree of a checkpoint: `verify_inclusion`;
* that an event it was shown (an entry's *opening*) is the event the entry's leaf commits to:
  `verify_opening`;
* that a later checkpoint extends an earlier one, so history was not rewritten:
  `verify_consistency` (``clients.monitor`` does this on every new checkpoint).

This module imports nothing from the registry on purpose: the few hashing lines are
written out again here, so a partner trusts this file and the key, not the server's code.
Every check returns the parsed value (or None) or raises a
``clients.errors.VerificationError`` subclass whose message names the failed check.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from clients.errors import (
    CheckpointError,
    ConsistencyProofError,
    EntryError,
    InclusionProofError,
    NoteFormatError,
    OpeningError,
    SignatureError,
    VerifierKeyError,
)

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "Checkpoint",
    "VerifierKey",
    "leaf_hash",
    "node_hash",
    "parse_checkpoint",
    "parse_verifier_key",
    "split_note",
    "verify_checkpoint",
    "verify_consistency",
    "verify_inclusion",
    "verify_note",
    "verify_opening",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""The root of the empty tree (RFC 9162 §2.1.1)."""

_ED25519 = b"\x01"  # signed-note signature type of Ed25519
_SIGNATURE_PREFIX = "\N{EM DASH} "
_MAX_SIGNATURES = 100  # Go's sumdb/note limit; bounds the work a hostile note can cause
_DECIMAL = re.compile(r"0|[1-9][0-9]*")  # no leading zeros, ASCII digits only
_HEX256 = re.compile(r"[0-9a-f]{64}")
SEALED_FORMAT = 2
"""Leaves of this format hold a commitment to their event, which is shown apart."""


def leaf_hash(data: bytes) -> bytes:
    """``SHA-256(0x00 || data)``: the Merkle hash of one log entry."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``: the Merkle hash of an inner node."""
    return hashlib.sha256(b"\x01" + left + right).digest()


@dataclass(frozen=True)
class VerifierKey:
    """The log's public key as configured by the partner (see `parse_verifier_key`)."""

    name: str
    key_id: bytes
    public_key: Ed25519PublicKey = field(repr=False, compare=False)


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: the log `origin` had `size` entries with Merkle root `root`."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()


def _is_valid_key_name(name: str) -> bool:
    return bool(name) and not any(c.isspace() or c == "+" or c < " " for c in name)


def _key_id(name: str, raw_public_key: bytes) -> bytes:
    return hashlib.sha256(name.encode("utf-8") + b"\n" + _ED25519 + raw_public_key).digest()[:4]


def parse_verifier_key(vkey: str) -> VerifierKey:
    """Parse ``<name>+<8 hex key ID>+<base64(0x01 || 32-byte Ed25519 key)>``.

    Raises:
        VerifierKeyError: the string is malformed, not Ed25519, or its key ID does not
            match the name and key (a mistyped or truncated key).
    """
    # The base64 part may itself contain '+', so split off exactly two fields.
    parts = vkey.split("+", 2)
    if len(parts) != 3:
        raise VerifierKeyError("verifier key is not <name>+<key ID>+<key>")
    name, key_id_hex, encoded = parts
    if not _is_valid_key_name(name):
        raise VerifierKeyError(f"verifier key name {name!r} is empty or contains spaces")
    if not re.fullmatch(r"[0-9a-fA-F]{8}", key_id_hex):
        raise VerifierKeyError(f"verifier key ID {key_id_hex!r} is not 8 hex digits")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise VerifierKeyError("verifier key is not valid base64") from None
    if len(raw) != 1 + 32 or raw[:1] != _ED25519:
        raise VerifierKeyError("verifier key is not an Ed25519 key (type 0x01, 32 bytes)")
    key_id = bytes.fromhex(key_id_hex)
    if _key_id(name, raw[1:]) != key_id:
        raise VerifierKeyError(f"verifier key ID {key_id_hex} does not match its name and key")
    return VerifierKey(name, key_id, Ed25519PublicKey.from_public_bytes(raw[1:]))


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
        if not line.startswith(_SIGNATURE_PREFIX):
            raise NoteFormatError(f"signature line {number} does not start with an em dash")
        name, _, encoded = line[len(_SIGNATURE_PREFIX) :].partition(" ")
        if not _is_valid_key_name(name):
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


def parse_checkpoint(body: str) -> Checkpoint:
    """Parse a tlog-checkpoint body: origin, decimal size, base64 root, extension lines.

    Raises:
        CheckpointError: the body does not follow c2sp.org/tlog-checkpoint.
    """
    if not body.endswith("\n"):
        raise CheckpointError("checkpoint does not end in a newline")
    lines = body[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointError(f"checkpoint has {len(lines)} lines, expected at least 3")
    origin, size_line, root_line, *extensions = lines
    if not origin:
        raise CheckpointError("checkpoint origin is empty")
    if not _DECIMAL.fullmatch(size_line):
        raise CheckpointError(f"checkpoint size {size_line!r} is not a decimal number")
    try:
        root = base64.b64decode(root_line, validate=True)
    except binascii.Error:
        raise CheckpointError("checkpoint root is not valid base64") from None
    # Re-encoding rejects non-canonical base64, so one root has exactly one spelling.
    if len(root) != HASH_SIZE or base64.b64encode(root).decode() != root_line:
        raise CheckpointError(f"checkpoint root is not a base64 {HASH_SIZE}-byte hash")
    if not all(extensions):
        raise CheckpointError("checkpoint has an empty extension line")
    return Checkpoint(origin, int(size_line), root, tuple(extensions))


def verify_checkpoint(
    note_text: str, vkey: str | VerifierKey, origin: str | None = None
) -> Checkpoint:
    r"""Verify a signed checkpoint and return it.

    Args:
        note_text: The signed note as the log serves it.
        vkey: The log's verifier key.
        origin: The origin the checkpoint must name. Defaults to the key name, because
            tlog-checkpoint has the log sign under its origin; checking it keeps a key
            that signs for two logs from passing one log's checkpoint off as the other's.

    Raises:
        VerificationError: a subclass naming the failed check (signature, format, origin).

    Example:
        >>> vkey = "example.org/log+98af023b+AQOhB7/zzhC+HXDdGOdLwJln5NYwm6UNXx3chmQSVTG4"
        >>> note = ("example.org/log\n3\nNmQuc8JUCrEh46a/lUWwokmCzYMOsT080Z3jzmwCHsE=\n\n"
        ...         "— example.org/log mK8CO+BRZWsNbOSLZ6WX5b6XB6NSJreLGWgIvO9WSF9Xf30mG"
        ...         "VOflBb+3wsZedooBn0s6XcTjNJr3TQZ4R1bK66pygY=\n")
        >>> checkpoint = verify_checkpoint(note, vkey)
        >>> checkpoint.origin, checkpoint.size
        ('example.org/log', 3)
    """
    key = parse_verifier_key(vkey) if isinstance(vkey, str) else vkey
    checkpoint = parse_checkpoint(verify_note(note_text, key))
    expected = key.name if origin is None else origin
    if checkpoint.origin != expected:
        raise CheckpointError(f"checkpoint origin is {checkpoint.origin}, expected {expected}")
    return checkpoint


def _check_sizes(error: type[Exception], hashes: dict[str, bytes]) -> None:
    for name, value in hashes.items():
        if len(value) != HASH_SIZE:
            raise error(f"{name} is {len(value)} bytes, expected {HASH_SIZE}")


def _proof_hashes(proof: Sequence[bytes]) -> dict[str, bytes]:
    return {f"proof hash {number}": value for number, value in enumerate(proof)}


def verify_inclusion(
    leaf: bytes,
    index: int,
    size: int,
    proof: Sequence[bytes],
    root: bytes,
    *,
    leaf_is_hash: bool = False,
) -> None:
    """Check that entry `leaf` is number `index` in the tree of `size` entries with `root`.

    The algorithm of RFC 9162 §2.1.3.2. Pass ``leaf_is_hash=True`` when `leaf` is already
    the leaf hash rather than the entry itself.

    Raises:
        InclusionProofError: the index is outside the tree, the proof has the wrong
            length, or it does not lead to `root`.

    Example:
        >>> root = node_hash(node_hash(leaf_hash(b"a"), leaf_hash(b"b")), leaf_hash(b"c"))
        >>> verify_inclusion(b"c", 2, 3, [node_hash(leaf_hash(b"a"), leaf_hash(b"b"))], root)
    """
    if index < 0 or index >= size:
        raise InclusionProofError(f"index {index} is beyond tree size {size}")
    current = leaf if leaf_is_hash else leaf_hash(leaf)
    _check_sizes(InclusionProofError, {**_proof_hashes(proof), "root": root, "leaf hash": current})
    fn, sn = index, size - 1
    for sibling in proof:
        if sn == 0:
            raise InclusionProofError(f"inclusion proof is too long for tree size {size}")
        if fn & 1 or fn == sn:
            current = node_hash(sibling, current)
            while fn and not fn & 1:  # skip levels where this node has no right sibling
                fn, sn = fn >> 1, sn >> 1
        else:
            current = node_hash(current, sibling)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise InclusionProofError(f"inclusion proof is too short for tree size {size}")
    if current != root:
        raise InclusionProofError("inclusion proof does not lead to the checkpoint root")


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of `old_size` entries is a prefix of the tree of `new_size`.

    The algorithm of RFC 9162 §2.1.4.2 for ``0 < old_size < new_size``. Equal sizes need
    an empty proof and equal roots; the empty tree is a prefix of every tree.

    Raises:
        ConsistencyProofError: the sizes are out of order, the proof has the wrong
            length, or it does not lead to both roots.

    Example:
        >>> old_root = node_hash(leaf_hash(b"a"), leaf_hash(b"b"))
        >>> new_root = node_hash(old_root, leaf_hash(b"c"))
        >>> verify_consistency(2, 3, old_root, new_root, [leaf_hash(b"c")])
    """
    if old_size < 0 or old_size > new_size:
        raise ConsistencyProofError(f"old size {old_size} is beyond new size {new_size}")
    _check_sizes(
        ConsistencyProofError,
        {**_proof_hashes(proof), "old root": old_root, "new root": new_root},
    )
    if old_size == new_size or old_size == 0:
        if proof:
            raise ConsistencyProofError(
                f"consistency proof from size {old_size} to {new_size} must be empty"
            )
        if old_size == 0 and old_root != EMPTY_ROOT:
            raise ConsistencyProofError("old root is not the root of the empty tree")
        if old_size == new_size and old_root != new_root:
            raise ConsistencyProofError(f"roots differ at the same tree size {new_size}")
        return
    if not proof:
        raise ConsistencyProofError("consistency proof is empty")
    path = list(proof)
    # When the old tree is perfect its root is a node of the new tree the proof leaves out.
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    first = second = path[0]
    for node in path[1:]:
        if sn == 0:
            raise ConsistencyProofError(
                f"consistency proof is too long for sizes {old_size} and {new_size}"
            )
        if fn & 1 or fn == sn:
            first, second = node_hash(node, first), node_hash(node, second)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            second = node_hash(second, node)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ConsistencyProofError(
            f"consistency proof is too short for sizes {old_size} and {new_size}"
        )
    if first != old_root:
        raise ConsistencyProofError("consistency proof does not lead to the old root")
    if second != new_root:
        raise ConsistencyProofError("consistency proof does not lead to the new root")


def _json_object(data: bytes, error: type[Exception], what: str) -> dict[str, Any]:
    try:
        value = json.loads(data)
    except ValueError:
        raise error(f"{what} is not JSON") from None
    if not isinstance(value, dict):
        raise error(f"{what} is not a JSON object")
    return value


def verify_opening(leaf: bytes, opening: bytes) -> dict[str, Any]:
    r"""Check that ``opening`` is the event the log entry ``leaf`` commits to; return the event.

    A sealed leaf (format 2) holds ``commitment``, the hex SHA-256 of the opening's bytes: the
    canonical JSON of the event, a 256-bit random salt and the submitter's signature, if it
    signed. The salt keeps the commitment from giving the event away, so only a partner shown
    the opening learns it, and that partner checks it here against the leaf it proved is in
    the log (`verify_inclusion`). A format 1 leaf holds its event itself, and is its opening.

    Raises:
        EntryError: the leaf is not JSON, or of an unknown format.
        OpeningError: the opening does not match the leaf's commitment, is not well-formed,
            or is an event of another class than the leaf says.

    Example:
        >>> import hashlib
        >>> opening = (b'{"event":{"case":"c1","outcome":"breached","type":"agreement.closed"},'
        ...            b'"salt":"' + b"ab" * 32 + b'"}')
        >>> leaf = ('{"class":"case","commitment":"' + hashlib.sha256(opening).hexdigest()
        ...         + '","index":5,"submitter":"bureau-woonkans","time":"2026-11-02T10:00:00.000Z",'
        ...         '"v":2}').encode()
        >>> verify_opening(leaf, opening)["outcome"]
        'breached'
        >>> verify_opening(leaf, opening.replace(b"breached", b"completed"))
        Traceback (most recent call last):
        clients.errors.OpeningError: the opening of entry 5 does not match its leaf's commitment
    """
    parsed = _json_object(leaf, EntryError, "the entry")
    index = parsed.get("index")
    if parsed.get("v") == 1:
        if opening != leaf:
            raise OpeningError(
                f"the opening of entry {index} is not the entry: a format 1 entry is its own "
                "opening"
            )
        event = parsed.get("event")
        if not isinstance(event, dict):
            raise EntryError(f"entry {index} holds no event")
        return event
    if parsed.get("v") != SEALED_FORMAT:
        raise EntryError(f"entry {index} is of unknown format {parsed.get('v')!r}")
    if hashlib.sha256(opening).hexdigest() != parsed.get("commitment"):
        raise OpeningError(f"the opening of entry {index} does not match its leaf's commitment")
    value = _json_object(opening, OpeningError, f"the opening of entry {index}")
    event, salt = value.get("event"), value.get("salt")
    if not isinstance(event, dict) or not isinstance(event.get("type"), str):
        raise OpeningError(f"the opening of entry {index} holds no event")
    if not isinstance(salt, str) or not _HEX256.fullmatch(salt):
        raise OpeningError(f"the opening of entry {index} holds no 256-bit salt")
    kind = "policy" if event["type"].startswith("policy.") else "case"
    if parsed.get("class") != kind:
        raise OpeningError(
            f"the opening of entry {index} is a {event['type']} event, but its leaf says class "
            f"{parsed.get('class')}"
        )
    return event
