"""Partner key files: the JSON file that holds a partner's identity and private key.

Format (written by the registry's demo and by ``ketenregister-client keygen``)::

    {"partner": "<partner id>", "kid": "<key id>", "private_key": "<PKCS8 PEM Ed25519>",
     "registry": "http://127.0.0.1:8000", "audience": "<audience>"}
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path

__all__ = ["KeyFile", "KeyFileError", "load_key_file", "write_key_file"]

_FIELDS = ("partner", "kid", "private_key", "registry", "audience")


class KeyFileError(ValueError):
    """A key file is missing a field, is not JSON, or already exists when writing."""


@dataclass(frozen=True)
class KeyFile:
    """The contents of a partner key file.

    Attributes:
        partner: The partner's id (``iss``/``sub`` of its tokens).
        kid: The id under which the public key is registered.
        private_key: The Ed25519 private key, unencrypted PKCS8 PEM. Left out of ``repr``.
        registry: The registry's base URL, e.g. ``http://127.0.0.1:8000``.
        audience: The registry's audience string (``aud`` of the tokens).
    """

    partner: str
    kid: str
    private_key: str = field(repr=False)
    registry: str
    audience: str


def load_key_file(path: str | os.PathLike[str]) -> KeyFile:
    """Read a partner key file.

    Raises:
        OSError: The file cannot be read.
        KeyFileError: The file is not a JSON object with the five string fields.

    Example:
        >>> key = load_key_file("var/demo/keys/zowonen.json")  # as ketenregister demo wrote it
        >>> key.partner, key.audience
        ('zowonen', 'ketenregister')
        >>> key.private_key.startswith("-----BEGIN PRIVATE KEY-----")
        True
        >>> "PRIVATE KEY" in repr(key)  # kept out of logs and tracebacks
        False
    """
    text = Path(path).read_text(encoding="utf-8")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        # No excerpt of the text in the message: it holds a private key.
        raise KeyFileError(f"{path}: not a JSON key file (line {exc.lineno})") from None
    if not isinstance(raw, dict):
        raise KeyFileError(f"{path}: a key file is a JSON object")
    missing = [name for name in _FIELDS if not isinstance(raw.get(name), str) or not raw[name]]
    if missing:
        raise KeyFileError(f"{path}: missing or empty field(s): {', '.join(missing)}")
    return KeyFile(**{name: raw[name] for name in _FIELDS})


def write_key_file(
    path: str | os.PathLike[str], key_file: KeyFile, *, overwrite: bool = False
) -> None:
    """Write a partner key file readable by its owner only (mode 0600).

    Args:
        path: Where to write.
        key_file: What to write.
        overwrite: Replace an existing file. Off by default: losing a registered private
            key locks the partner out until a new key is registered.

    Raises:
        KeyFileError: The file exists and ``overwrite`` is false.
        OSError: The file cannot be written.
    """
    flags = os.O_WRONLY | os.O_CREAT | (os.O_TRUNC if overwrite else os.O_EXCL)
    try:
        # Created 0600 from the start, so the key is never readable by others, not even
        # for a moment between writing and chmod.
        fd = os.open(path, flags, 0o600)
    except FileExistsError:
        raise KeyFileError(f"{path}: already exists (not overwritten)") from None
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        # An existing file keeps its old mode under O_TRUNC, and umask may differ: set it.
        os.fchmod(out.fileno(), 0o600)
        json.dump(asdict(key_file), out, indent=2)
        out.write("\n")
