"""The kinds of event the signed audit log records, named ``<aggregate>.<what_happened>``.

Every value here is part of the log's format: an entry's ``type`` says which of these it is,
and a verifier reads it back years later. Add members; never rename or reuse one.
"""

from __future__ import annotations

from enum import StrEnum


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
