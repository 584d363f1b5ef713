r"""Witness cosignatures on the log's checkpoints: C2SP tlog-cosignature, Ed25519 cosignature/v1.

A *witness* (*getuige*) is a partner that keeps the last checkpoint of the log it checked and
cosigns a new one only when a consistency proof shows that it extends the old one
(``clients.witness``). A checkpoint that carries cosignatures of witnesses a partner trusts
was seen, append-only, by them too: the registry cannot show that partner a history it did
not show the witnesses.

A cosignature is one more signature line on the checkpoint's signed note::

    — <witness name> base64(key ID || 8-byte big-endian timestamp || Ed25519 signature)

* key ID: ``SHA-256(<name> || 0x0A || 0x04 || 32-byte public key)[:4]`` (signature type
  0x04, so a witness key can never be mistaken for a log key of type 0x01);
* the Ed25519 signature covers ``cosignature/v1\n`` ``time <timestamp>\n`` and then the whole
  checkpoint body (every line before the blank line, extension lines included);
* the timestamp is POSIX seconds, at most 2**63 - 1.

A witness's *verifier key* is ``<name>+<8 hex key ID>+base64(0x04 || public key)``; its
secret key file holds ``PRIVATE+KEY+<name>+<8 hex key ID>+base64(0x04 || seed)`` (the
encoding ``golang.org/x/mod/sumdb/note`` tools and transparency-dev's ``note`` package read).

`WitnessPolicy` is what a partner configures: "k of these witness keys", checked by
``monitor`` and ``verify-entry``. Like ``clients.verify`` this module imports nothing from
the registry.
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from clients.errors import CosignatureError, VerifierKeyError, WitnessPolicyError
from clients.verify.note import SIGNATURE_PREFIX, is_valid_key_name, key_id, parse_key, split_note

__all__ = [
    "COSIGNATURE_TYPE",
    "MAX_TIMESTAMP",
    "CosignerKey",
    "WitnessPolicy",
    "WitnessSigner",
    "cosigned_message",
    "parse_cosigner_key",
    "verify_cosignature",
]

COSIGNATURE_TYPE = b"\x04"
"""The signed-note signature type of timestamped Ed25519 witness cosignatures."""

MAX_TIMESTAMP = 2**63 - 1
"""The largest timestamp a cosignature may carry (tlog-cosignature)."""

_SIGNER_KEY_PREFIX = "PRIVATE+KEY+"
_BLOB_SIZE = 4 + 8 + 64  # key ID, timestamp, Ed25519 signature


def _raw(public_key: Ed25519PublicKey) -> bytes:
    return public_key.public_bytes(Encoding.Raw, PublicFormat.Raw)


@dataclass(frozen=True)
class CosignerKey:
    """A witness's public key as a partner (or the registry) configures it."""

    name: str
    key_id: bytes
    public_key: Ed25519PublicKey = field(repr=False, compare=False)

    @property
    def vkey(self) -> str:
        """The verifier key string: ``<name>+<key ID>+base64(0x04 || key)``."""
        encoded = base64.b64encode(COSIGNATURE_TYPE + _raw(self.public_key)).decode()
        return f"{self.name}+{self.key_id.hex()}+{encoded}"


def parse_cosigner_key(vkey: str) -> CosignerKey:
    """Parse a witness verifier key ``<name>+<8 hex key ID>+base64(0x04 || 32-byte key)``.

    Raises:
        VerifierKeyError: the string is malformed, not a cosignature/v1 Ed25519 key (type
            0x04: a log key of type 0x01 is refused), or its key ID does not match.

    Example:
        >>> key = parse_cosigner_key(
        ...     "remora.n621.de+da77ade7+BOvN63jn/bLvkieywe8R6UYAtVtNbZpXh34x7onlmtw2")
        >>> key.name, key.key_id.hex()
        ('remora.n621.de', 'da77ade7')
    """
    name, expected, raw = parse_key(
        vkey.strip(),
        COSIGNATURE_TYPE,
        "witness key",
        "a cosignature/v1 Ed25519 key (type 0x04, 32 bytes)",
    )
    return CosignerKey(name, expected, Ed25519PublicKey.from_public_bytes(raw))


def cosigned_message(body: str, timestamp: int) -> bytes:
    r"""What a cosignature signs: ``cosignature/v1\ntime <timestamp>\n`` and the checkpoint body.

    Raises:
        CosignatureError: the timestamp is out of range, or the body is not at least the
            three newline-terminated lines of a checkpoint.

    Example:
        >>> cosigned_message("example.org/log\n3\nNmQuc8JUCrEh46a/lUWwokmCzYMOsT080Z3jzmwCHsE=\n",
        ...                  1679315147).decode().splitlines()[:3]
        ['cosignature/v1', 'time 1679315147', 'example.org/log']
    """
    if isinstance(timestamp, bool) or not 0 <= timestamp <= MAX_TIMESTAMP:
        raise CosignatureError(f"cosignature timestamp {timestamp!r} is out of range")
    if not body.endswith("\n") or body.count("\n") < 3:
        raise CosignatureError("a cosigned checkpoint body has at least three lines")
    return f"cosignature/v1\ntime {timestamp}\n{body}".encode()


def verify_cosignature(line: str, body: str, key: CosignerKey) -> int:
    r"""Check one signature line as ``key``'s cosignature on checkpoint ``body``; return its time.

    ``line`` is ``— <name> <base64>`` with or without its newline.

    Raises:
        CosignatureError: the line is malformed, by another witness or key, out of range,
            or its signature does not verify.
    """
    text = line[:-1] if line.endswith("\n") else line
    if "\n" in text or not text.startswith(SIGNATURE_PREFIX):
        raise CosignatureError("a cosignature is one line starting with an em dash")
    name, _, encoded = text[len(SIGNATURE_PREFIX) :].partition(" ")
    if name != key.name:
        raise CosignatureError(f"cosignature is by {name!r}, expected {key.name}")
    try:
        blob = base64.b64decode(encoded, validate=True)
    except binascii.Error:
        raise CosignatureError(f"cosignature by {name} is not valid base64") from None
    if blob[:4] != key.key_id:
        raise CosignatureError(
            f"cosignature by {name} has key ID {blob[:4].hex()}, expected {key.key_id.hex()}"
        )
    return _verify_blob(blob, body, key)


def _verify_blob(blob: bytes, body: str, key: CosignerKey) -> int:
    """Verify ``key ID || timestamp || signature`` (the key ID already matched)."""
    if len(blob) != _BLOB_SIZE:
        raise CosignatureError(
            f"cosignature by {key.name} is {len(blob)} bytes, expected {_BLOB_SIZE} "
            "(key ID, timestamp, Ed25519 signature)"
        )
    timestamp = int.from_bytes(blob[4:12], "big")
    message = cosigned_message(body, timestamp)
    try:
        key.public_key.verify(blob[12:], message)
    except InvalidSignature:
        raise CosignatureError(f"cosignature by {key.name} does not verify") from None
    return timestamp


@dataclass(frozen=True)
class WitnessSigner:
    """A witness's signing key (keep it secret): makes cosignature lines."""

    name: str
    private_key: Ed25519PrivateKey = field(repr=False)

    @classmethod
    def generate(cls, name: str) -> WitnessSigner:
        """A new random key for the witness ``name`` (a schema-less URL is recommended)."""
        if not is_valid_key_name(name):
            raise VerifierKeyError(f"witness name {name!r} is empty or contains spaces or '+'")
        return cls(name, Ed25519PrivateKey.generate())

    @classmethod
    def from_key_string(cls, skey: str) -> WitnessSigner:
        """Parse ``PRIVATE+KEY+<name>+<key ID>+base64(0x04 || seed)``.

        Raises:
            VerifierKeyError: malformed, not a cosignature/v1 key, or the key ID does not match.
        """
        skey = skey.strip()
        if not skey.startswith(_SIGNER_KEY_PREFIX):
            raise VerifierKeyError("witness signer key does not start with PRIVATE+KEY+")
        parts = skey[len(_SIGNER_KEY_PREFIX) :].split("+", 2)
        if len(parts) != 3 or not is_valid_key_name(parts[0]):
            raise VerifierKeyError("witness signer key is not PRIVATE+KEY+<name>+<key ID>+<key>")
        name, key_id_hex, encoded = parts
        try:
            raw = base64.b64decode(encoded, validate=True)
        except binascii.Error:
            raise VerifierKeyError("witness signer key is not valid base64") from None
        if len(raw) != 33 or raw[:1] != COSIGNATURE_TYPE:
            raise VerifierKeyError("witness signer key is not of type 0x04 with a 32-byte seed")
        signer = cls(name, Ed25519PrivateKey.from_private_bytes(raw[1:]))
        if signer.key.key_id.hex() != key_id_hex.lower():
            raise VerifierKeyError(f"witness signer key ID {key_id_hex} does not match its key")
        return signer

    @classmethod
    def from_file(cls, path: str | os.PathLike[str]) -> WitnessSigner:
        """Read a key file written by `write`."""
        try:
            return cls.from_key_string(Path(path).read_text(encoding="utf-8"))
        except OSError as exc:
            raise VerifierKeyError(f"cannot read the witness key file: {exc.strerror}") from None

    def key_string(self) -> str:
        """The secret key as a ``PRIVATE+KEY+...`` string."""
        seed = self.private_key.private_bytes_raw()
        encoded = base64.b64encode(COSIGNATURE_TYPE + seed).decode()
        return f"{_SIGNER_KEY_PREFIX}{self.name}+{self.key.key_id.hex()}+{encoded}"

    def write(self, path: str | os.PathLike[str]) -> None:
        """Write the key file, readable by its owner only; never overwrite one."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(self.key_string() + "\n")

    @property
    def key(self) -> CosignerKey:
        """The public half, as partners configure it."""
        raw = _raw(self.private_key.public_key())
        return CosignerKey(
            self.name, key_id(self.name, COSIGNATURE_TYPE, raw), self.private_key.public_key()
        )

    def cosign(self, body: str, timestamp: int) -> str:
        r"""The cosignature line (with its newline) on checkpoint ``body`` at ``timestamp``.

        Example:
            >>> signer = WitnessSigner("witness.example/w1",
            ...                        Ed25519PrivateKey.from_private_bytes(bytes(32)))
            >>> body = "example.org/log\n3\nNmQuc8JUCrEh46a/lUWwokmCzYMOsT080Z3jzmwCHsE=\n"
            >>> line = signer.cosign(body, 1679315147)
            >>> verify_cosignature(line, body, signer.key)
            1679315147
        """
        signature = self.private_key.sign(cosigned_message(body, timestamp))
        blob = self.key.key_id + timestamp.to_bytes(8, "big") + signature
        return f"{SIGNATURE_PREFIX}{self.name} {base64.b64encode(blob).decode()}\n"


@dataclass(frozen=True)
class WitnessPolicy:
    r"""A witness policy: at least ``required`` of these witnesses cosigned the checkpoint.

    An empty policy (no keys, ``required`` 0) is met by any checkpoint: it asks for nothing.

    Example:
        >>> groningen = WitnessSigner.generate("groningen.example/witness")
        >>> woonkans = WitnessSigner.generate("woonkans.example/witness")
        >>> note = ("example.org/log\n3\nNmQuc8JUCrEh46a/lUWwokmCzYMOsT080Z3jzmwCHsE=\n\n"
        ...         "— example.org/log mK8CO+BRZWsNbOSLZ6WX5b6XB6NSJreLGWgIvO9WSF9Xf30mG"
        ...         "VOflBb+3wsZedooBn0s6XcTjNJr3TQZ4R1bK66pygY=\n")
        >>> body = note.split("\n\n")[0] + "\n"
        >>> cosigned = note + groningen.cosign(body, 1700000000)
        >>> WitnessPolicy.of([groningen.key.vkey, woonkans.key.vkey], 1).check(cosigned)
        ['groningen.example/witness']
        >>> WitnessPolicy.of([groningen.key.vkey, woonkans.key.vkey]).check(cosigned)
        ... # doctest: +ELLIPSIS
        Traceback (most recent call last):
        clients.errors.WitnessPolicyError: witness policy not met: 1 of the required 2 ...
    """

    keys: tuple[CosignerKey, ...]
    required: int

    @classmethod
    def of(cls, vkeys: Sequence[str], required: int | None = None) -> WitnessPolicy:
        """A policy over verifier key strings; ``required`` defaults to all of them.

        Raises:
            VerifierKeyError: a key is malformed, or two keys share a name.
            WitnessPolicyError: ``required`` is below 1 or above the number of keys.
        """
        keys = tuple(parse_cosigner_key(vkey) for vkey in vkeys)
        names = [key.name for key in keys]
        if len(set(names)) != len(names):
            raise VerifierKeyError("two witness keys share a name")
        wanted = len(keys) if required is None else required
        # Fail closed on a policy that could never fail: k = 0 while keys are given would
        # accept a checkpoint no witness saw.
        if keys and not 1 <= wanted <= len(keys):
            raise WitnessPolicyError(
                f"witness policy asks for {wanted} of {len(keys)} witness keys; "
                f"choose 1 to {len(keys)}"
            )
        if not keys and wanted:
            raise WitnessPolicyError(f"witness policy asks for {wanted} cosignatures but no keys")
        return cls(keys, wanted)

    def check(self, note_text: str) -> list[str]:
        """Check the note's cosignatures against the policy; return the witnesses that cosigned.

        Signature lines by other keys are ignored (the log's own, unknown witnesses). A
        cosignature by a configured key that does not verify fails the policy outright:
        somebody altered it, and the note is not to be trusted (signed-note).

        Raises:
            NoteFormatError: the note is malformed.
            WitnessPolicyError: fewer than ``required`` configured witnesses cosigned,
                naming each witness that did not.
            CosignatureError: a cosignature by a configured witness key does not verify.
        """
        body, signatures = split_note(note_text)
        if self.required == 0:
            return []
        cosigned: list[str] = []
        missing: list[str] = []
        for key in self.keys:
            # Only a line with this key's name and key ID is this key's; any other line
            # (the log's signature, another witness, an older key of the same name) is
            # ignored, as signed-note says. A matching one must verify.
            mine = [b for name, b in signatures if name == key.name and b[:4] == key.key_id]
            for blob in mine:
                _verify_blob(blob, body, key)
            (cosigned if mine else missing).append(key.name)
        if len(cosigned) < self.required:
            raise WitnessPolicyError(
                f"witness policy not met: {len(cosigned)} of the required {self.required} "
                f"witnesses cosigned this checkpoint (no valid cosignature by "
                f"{', '.join(missing)})"
            )
        return cosigned
