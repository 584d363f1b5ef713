r"""Openings of sealed log entries: the event a partner was shown, checked against the
commitment in the entry's leaf."""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from clients.errors import EntryError, OpeningError

_HEX256 = re.compile(r"[0-9a-f]{64}")
SEALED_FORMAT = 2
"""Leaves of this format hold a commitment to their event, which is shown apart."""


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
