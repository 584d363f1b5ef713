r"""Checkpoints (https://c2sp.org/tlog-checkpoint): the log's signed tree heads, each naming
the log's origin, its size and the Merkle root of its entries."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from clients.errors import CheckpointError
from clients.verify.merkle import HASH_SIZE
from clients.verify.note import VerifierKey, parse_verifier_key, verify_note

_DECIMAL = re.compile(r"0|[1-9][0-9]*")  # no leading zeros, ASCII digits only


@dataclass(frozen=True)
class Checkpoint:
    """A tree head: the log `origin` had `size` entries with Merkle root `root`."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()


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
