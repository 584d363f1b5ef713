"""Keyset cursors of case lists: an opaque text naming the last case a page held.

A cursor is the base64url text (no padding) of the JSON array ``[registered_at, case id]``,
the time in ISO 8601 with its UTC offset. Decoding accepts what encoding gives out and answers
everything else with ``InvalidInputError``, the same on every database: text too long to be a
cursor, not base64, not JSON, nested JSON, the wrong shape, a time without a time zone, a time
or id that does not parse.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import uuid

from registry.errors import InvalidInputError

#: A cursor this registry gives out has about 110 characters. Longer text is refused before it
#: is decoded, which also bounds how deeply the JSON inside can nest.
MAX_LENGTH = 200

Position = tuple[dt.datetime, uuid.UUID]


def encode(registered_at: dt.datetime, case_id: uuid.UUID) -> str:
    """The cursor of the case registered at ``registered_at`` (timezone-aware) with ``case_id``."""
    raw = json.dumps([registered_at.isoformat(), str(case_id)]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str) -> Position:
    """The (UTC time, case id) a cursor names; ``InvalidInputError`` for any other text."""
    position = _parse(cursor) if len(cursor) <= MAX_LENGTH else None
    if position is None:
        # The text itself stays out of the message: it may be long, and it is the caller's own.
        raise InvalidInputError("after is not a cursor this registry gave out (use an endCursor)")
    return position


def _parse(cursor: str) -> Position | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = json.loads(raw)
    # binascii.Error, JSONDecodeError and UnicodeDecodeError are all ValueErrors; the length
    # limit keeps nesting shallow, and RecursionError is caught all the same (fail closed).
    except (ValueError, RecursionError):
        return None
    match value:
        case [str() as stamp_text, str() as id_text]:
            pass
        case _:
            return None
    try:
        stamp = dt.datetime.fromisoformat(stamp_text)
        case_id = uuid.UUID(id_text)
    except ValueError:
        return None
    # Only aware times are given out; a naive one cannot be compared with the stored UTC times
    # (the column refuses it), and converting year 1 or 9999 to UTC can overflow.
    if stamp.utcoffset() is None:
        return None
    try:
        return stamp.astimezone(dt.UTC), case_id
    except OverflowError:
        return None
