"""What the events of the signed audit log reveal, in the words of the policy vocabulary.

The vocabulary itself (every field and group) is declared by the registry's aggregates and
handed to the engine (``policies.vocabulary``); the names below must be fields of it, which a
test checks.
"""

from __future__ import annotations

#: What an event of the signed audit log reveals of its case, as the fields a partner must be
#: allowed to read, every one of them, to be shown the event (the entry's opening): a partner
#: that may not read ``municipalContact`` is not shown how the household answered the
#: municipality, whatever else it may read. Keys are the log's event types; an event type not
#: listed here is shown to nobody (default deny). Policy changes are no case data and follow
#: the covenant instead (``registry.access.disclosure.Disclosure.policy_log_opening``).
LOG_EVENT_FIELDS: dict[str, frozenset[str]] = {
    "agreement.proposed": frozenset(
        {
            "agreementStatus",
            "agreementKind",
            "agreementParties",
            "agreementConditions",
            "agreementTerm",
        }
    ),
    "agreement.signed": frozenset({"agreementStatus", "agreementParties"}),
    "agreement.consent_recorded": frozenset({"agreementStatus", "agreementParties"}),
    "agreement.activated": frozenset({"agreementStatus", "agreementTerm"}),
    "agreement.review_recorded": frozenset({"agreementReviews"}),
    "agreement.closed": frozenset({"agreementStatus"}),
    "eviction.scheduled": frozenset({"evictionDate", "bailiff"}),
    "eviction.called_off": frozenset({"evictionOutcome"}),
    "eviction.carried_out": frozenset({"evictionOutcome"}),
    "inventory.stored": frozenset({"inventoryStorage", "inventoryDates"}),
    "inventory.pickup_requested": frozenset({"inventoryPickup"}),
    "municipal_contact.opened": frozenset({"municipalContact"}),
    "municipal_contact.outcome_recorded": frozenset({"municipalContact"}),
    "inventory.pickup_released": frozenset({"inventoryReleaseAuthorised"}),
    "inventory.collected": frozenset({"inventoryPickup"}),
    "inventory.disposed": frozenset({"inventoryDisposal"}),
}
