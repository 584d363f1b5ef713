"""How the signed audit log files its events: their class and the aggregate they are about.

The kinds of event it records (``EventType``, named ``<aggregate>.<what_happened>``) are part
of the registry's event vocabulary (``registry.events.LogEventType``): every value is part of
the log's format, read back by verifiers years later.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from registry.events import LogEventType

#: What an entry records: the log's types, part of the event vocabulary.
EventType = LogEventType


class EventClass(StrEnum):
    """The one thing a sealed entry's leaf says about its event: whether it concerns a case.

    Finer classes (agreement, eviction, inventory) were left out on purpose: with the
    submitter and the time, "an eviction event by ZOwonen at 10:03" tells a partner with no
    part in the case more than it may know. Policy changes are no case content, and a
    covenant's partners look for them, so they are told apart.
    """

    CASE = "case"
    POLICY = "policy"


#: What each kind of event is about: the key of its payload that names the aggregate, and how
#: the log files it (``AuditLogEntry.subject`` is ``<prefix>:<id>``).
_AGGREGATES: dict[str, tuple[str, str]] = {
    "policy": ("policy", "policy"),
    "agreement": ("agreement", "agreement"),
    "eviction": ("case", "case"),
    "case": ("case", "case"),  # a case's erasure (registry.privacy.erasure)
    "inventory": ("inventory", "inventory"),
    "municipal_contact": ("inventory", "inventory"),
    # Who works on a case and who coordinates it: filed under the case.
    "involvement": ("case", "case"),
    "coordination": ("case", "case"),
    "shelter": ("case", "case"),
    "aftercare": ("case", "case"),
}


def event_class(event_type: EventType | str) -> EventClass:
    """Whether ``event_type`` concerns a case or an access policy."""
    return EventClass.POLICY if str(event_type).startswith("policy.") else EventClass.CASE


def subject_key(event_type: EventType | str) -> tuple[str, str]:
    """The payload key that names what ``event_type`` is about, and the subject's prefix.

    Raises:
        KeyError: an event type of no known aggregate.
    """
    return _AGGREGATES[str(event_type).split(".", 1)[0]]


def subject_of(event_type: EventType | str, event: Mapping[str, Any]) -> str:
    """How the log files an event (``agreement:<id>``, ``inventory:<id>``, ``case:<id>``,
    ``policy:<id>``): derived from the event, so the stored subject can be checked against it.

    Raises:
        KeyError: the event does not name its aggregate.
    """
    key, prefix = subject_key(event_type)
    return f"{prefix}:{event[key]}"
