"""Reading stored entries back: a leaf of either format, and the event its opening reveals.

Format 2 (sealed, see ``sealing``): the leaf says index, time, submitter, class and a
commitment; the event is in the opening, and nothing of it is used before the opening is
checked against the commitment. Format 1 (written before sealing): the leaf holds the event
itself and is its own opening. Every check raises ``LogIntegrityError`` naming what no longer
adds up, so the registry refuses to serve an entry someone edited.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from registry.auditlog import sealing
from registry.auditlog.checkpoints import LogIntegrityError
from registry.auditlog.events import EventClass, EventType, event_class, subject_key

_HEX256 = re.compile(r"[0-9a-f]{64}")


@dataclass(frozen=True)
class Leaf:
    """What every partner may read of an entry (for format 1, what the registry reads)."""

    format: int
    index: int
    time: dt.datetime
    submitter: str
    event_class: EventClass
    #: Format 2: the hex SHA-256 of the opening.
    commitment: str | None = None
    #: Format 1: the event and the submitter's signature, in the clear.
    legacy_event: Mapping[str, Any] | None = None
    legacy_signature: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Opened:
    """An entry's event, checked against its leaf."""

    event_type: EventType
    #: The event's type and fields, as logged.
    event: Mapping[str, Any]
    signature: Mapping[str, str] | None
    #: What a partner checks the event with: the opening (format 2) or the leaf (format 1).
    data: bytes

    @property
    def case_id(self) -> uuid.UUID | None:
        """The case the event names (format 2 case events; format 1 events name none)."""
        case = self.event.get("case")
        return uuid.UUID(case) if isinstance(case, str) else None

    @property
    def subject(self) -> str | None:
        """How the log files the event, when the event names its aggregate (a format 1
        eviction event holds only a commitment, and names none)."""
        key, prefix = subject_key(self.event_type)
        value = self.event.get(key)
        return None if value is None else f"{prefix}:{value}"


def _edited(position: int, what: str) -> LogIntegrityError:
    return LogIntegrityError(f"entry {position} {what}: it was edited")


def _time(text: Any, position: int) -> dt.datetime:
    if not isinstance(text, str):
        raise _edited(position, "has no time")
    try:
        return dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise _edited(position, "has a malformed time") from None


def _event_type(value: Any, what: str) -> EventType:
    try:
        return EventType(value)
    except ValueError:
        raise LogIntegrityError(f"{what} names an unknown event type: it was edited") from None


def parse_leaf(data: bytes, position: int) -> Leaf:
    """The leaf stored as entry ``position``.

    Raises:
        LogIntegrityError: it is not JSON, names another index (entries swapped or moved), or
            is not a well-formed leaf of a known format.
    """
    try:
        value = json.loads(data)
    except ValueError:
        raise _edited(position, "is not JSON") from None
    if not isinstance(value, dict):
        raise _edited(position, "is not a JSON object")
    embedded = value.get("index")
    if embedded != position:
        raise LogIntegrityError(
            f"entry {position} holds the data of entry {embedded}: entries were swapped or moved"
        )
    version = value.get("v")
    submitter = value.get("submitter")
    if not isinstance(submitter, str):
        raise _edited(position, "names no submitter")
    time = _time(value.get("time"), position)
    if version == sealing.FORMAT:
        sealed = value.get("commitment")
        if not isinstance(sealed, str) or not _HEX256.fullmatch(sealed):
            raise _edited(position, "holds no commitment")
        try:
            kind = EventClass(str(value.get("class")))
        except ValueError:
            raise _edited(position, "names no event class") from None
        return Leaf(version, position, time, submitter, kind, commitment=sealed)
    if version == sealing.LEGACY_FORMAT:
        event = value.get("event")
        if not isinstance(event, dict):
            raise _edited(position, "holds no event")
        kind = event_class(_event_type(event.get("type"), f"entry {position}"))
        signature = value.get("signature")
        return Leaf(
            version,
            position,
            time,
            submitter,
            kind,
            legacy_event=event,
            legacy_signature=signature if isinstance(signature, dict) else None,
        )
    raise _edited(position, f"is of unknown format {version!r}")


def open_entry(leaf: Leaf, leaf_data: bytes, opening: bytes | None) -> Opened:
    """The event of an entry: its opening checked against the leaf's commitment (format 2),
    or the leaf's own event (format 1).

    Raises:
        LogIntegrityError: the opening is missing, does not match the commitment, or is not a
            well-formed opening of an event of the leaf's class.
    """
    position = leaf.index
    if leaf.format == sealing.LEGACY_FORMAT:
        assert leaf.legacy_event is not None  # parse_leaf gives a format 1 leaf its event
        kind = _event_type(leaf.legacy_event.get("type"), f"entry {position}")
        return Opened(kind, leaf.legacy_event, leaf.legacy_signature, leaf_data)
    if opening is None:
        raise LogIntegrityError(f"the opening of entry {position} is missing: it was deleted")
    if sealing.commitment(opening) != leaf.commitment:
        raise LogIntegrityError(
            f"the opening of entry {position} does not match its leaf's commitment: the "
            "opening or the leaf was edited"
        )
    # It matches the signed commitment, so it is what was logged; a malformed one could only
    # be a registry bug, never a partner's input: refused all the same.
    try:
        value = json.loads(opening)
    except ValueError:
        value = None
    event = value.get("event") if isinstance(value, dict) else None
    salt = value.get("salt") if isinstance(value, dict) else None
    if not isinstance(event, dict) or not isinstance(salt, str) or not _HEX256.fullmatch(salt):
        raise LogIntegrityError(f"the opening of entry {position} is not well-formed")
    kind = _event_type(event.get("type"), f"the opening of entry {position}")
    if event_class(kind) is not leaf.event_class:
        raise LogIntegrityError(
            f"the opening of entry {position} is a {kind} event, but its leaf says class "
            f"{leaf.event_class}"
        )
    signature = value.get("signature")
    return Opened(kind, event, signature if isinstance(signature, dict) else None, opening)
