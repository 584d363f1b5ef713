"""The registry's log signing key: an Ed25519 key named after the log's origin.

The key lives in a file holding Go's sumdb/note signer-key string
(``PRIVATE+KEY+<origin>+<key ID>+<key>``, see ``note.signer_key``), readable by the registry
only. Partners configure the matching verifier key (``GET /log/key``) and need nothing else.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from registry.auditlog import note

#: The origin of a registry that does not configure one; deployments should name their own
#: (tlog-checkpoint: a schema-less URL such as ``ketenregister.example.nl/log``).
DEFAULT_ORIGIN = "ketenregister.local/log"


class LogKeyError(ValueError):
    """The log key file is missing, malformed, or names another origin (a startup error)."""


@dataclass(frozen=True)
class LogSigner:
    """Signs the log's checkpoints under the key name ``origin``."""

    origin: str
    private_key: Ed25519PrivateKey = field(repr=False)

    @classmethod
    def generate(cls, origin: str = DEFAULT_ORIGIN) -> LogSigner:
        """A new random key for ``origin``."""
        key = Ed25519PrivateKey.generate()
        note.key_hash(origin, key.public_key())  # refuses a name a signed note cannot carry
        return cls(origin, key)

    @classmethod
    def from_file(cls, path: str | os.PathLike[str], origin: str | None = None) -> LogSigner:
        """Read a key file; ``origin``, when given, must be the key's name."""
        try:
            text = Path(path).read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise LogKeyError(f"cannot read the log key file: {exc.strerror}") from None
        try:
            name, key = note.parse_signer_key(text)
        except note.NoteFormatError as exc:
            raise LogKeyError(f"log key file: {exc}") from None
        if origin is not None and name != origin:
            raise LogKeyError(f"the log key is for origin {name!r}, not {origin!r}")
        return cls(name, key)

    def write(self, path: str | os.PathLike[str]) -> None:
        """Write the key file, readable by its owner only."""
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(note.signer_key(self.origin, self.private_key) + "\n")
        os.chmod(target, 0o600)

    @property
    def verifier_key(self) -> str:
        """What partners configure to verify checkpoints: ``<origin>+<key ID>+<key>``."""
        return note.verifier_key(self.origin, self.private_key.public_key())

    def sign_checkpoint(self, size: int, root: bytes) -> str:
        """The signed checkpoint note for a tree of ``size`` entries with ``root``."""
        return note.sign_checkpoint(self.origin, size, root, self.private_key)
