"""The kinds of event the signed audit log records, named ``<aggregate>.<what_happened>``.

Every value here is part of the log's format: an entry's ``type`` says which of these it is,
and a verifier reads it back years later. Add members; never rename or reuse one.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Any


class EventType(StrEnum):
    """What an audit-log entry records."""

    # Access policies (DESIGN.md: every policy change is written to the signed audit log).
    POLICY_GRANT_ISSUED = "policy.grant_issued"
    POLICY_RESTRICTION_ISSUED = "policy.restriction_issued"
    POLICY_REVOKED = "policy.revoked"
    # Second-chance agreements (woonkansovereenkomsten).
    AGREEMENT_PROPOSED = "agreement.proposed"
    AGREEMENT_SIGNED = "agreement.signed"
    AGREEMENT_CONSENT_RECORDED = "agreement.consent_recorded"
    AGREEMENT_ACTIVATED = "agreement.activated"
    AGREEMENT_REVIEW_RECORDED = "agreement.review_recorded"
    AGREEMENT_CLOSED = "agreement.closed"
    # Evictions (DESIGN.md: every eviction event goes into the signed audit log).
    EVICTION_SCHEDULED = "eviction.scheduled"
    EVICTION_CALLED_OFF = "eviction.called_off"
    EVICTION_CARRIED_OUT = "eviction.carried_out"
    # Stored inventory after an eviction (art. 556 lid 3 Rv) and the municipal contact a
    # pickup request triggers.
    INVENTORY_STORED = "inventory.stored"
    INVENTORY_PICKUP_REQUESTED = "inventory.pickup_requested"
    MUNICIPAL_CONTACT_OPENED = "municipal_contact.opened"
    MUNICIPAL_CONTACT_OUTCOME_RECORDED = "municipal_contact.outcome_recorded"
    INVENTORY_PICKUP_RELEASED = "inventory.pickup_released"
    INVENTORY_COLLECTED = "inventory.collected"
    INVENTORY_DISPOSED = "inventory.disposed"


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
    "inventory": ("inventory", "inventory"),
    "municipal_contact": ("inventory", "inventory"),
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
