"""The vocabulary of access policies: every field a policy can release, and named groups.

Field names are the GraphQL field names, so a policy, a ``withheld`` list, an explanation and an
access-log record all speak of a field the same way. Each aggregate lists its own fields here;
a field that is not listed can never be released (default deny).
"""

from __future__ import annotations

from collections.abc import Iterable

#: The shared case record (domain.md, "The minimal shared case record").
CASE_FIELDS: dict[str, str] = {
    "municipality": "the municipality the case belongs to",
    "owner": "the corporation that registered the case (the data owner)",
    "phase": "the BZK phase, 0 (arrears) to 6 (after the eviction)",
    "reasons": "why eviction threatens: rent arrears, nuisance, housing fraud, ...",
    "householdComposition": "single, couple, single parent, family, other",
    "childrenInvolved": "whether minor children live in the household",
    "arrearsAmount": "rent arrears in euros",
    "arrearsMonths": "months of rent in arrears",
    "earlySignalChecks": "the statutory preconditions met before the early signal",
    "earlySignalledOn": "the date of the statutory early signal to the municipality",
    "judgmentRequestedOn": "the date the corporation asked the court for dissolution",
    "judgmentGrantedOn": "the date the court granted it",
    "evictionDate": "the scheduled eviction date",
    "evictionOutcome": "executed, called off, or household already gone",
    "shelterArranged": "whether shelter was arranged after the eviction",
    "housingBlockUntil": "until when the corporation blocks the household from renting",
    "housingBlockUntilDebtSettled": "whether the housing block lasts until the debt is settled",
    "bailiff": "the bailiff who is to carry out the scheduled eviction",
    "householdDestination": "where the household went after the eviction, as far as known",
    "destinationArrangedBy": "the partner who arranged where the household went",
    "closedOn": "the date the case was closed",
    "closureOutcome": "how the case ended: prevented (and how), evicted, or household gone",
    "involvements": "which partners are involved, and in what role",
    "registeredAt": "when the case was registered",
}

#: Identity and contact details: personal data, kept apart and released least.
IDENTITY_FIELDS: dict[str, str] = {
    "contactName": "the tenant's name",
    "contactAddress": "the address of the home",
    "contactPostalCode": "the postal code of the home",
    "contactPhone": "the tenant's phone number",
    "contactEmail": "the tenant's e-mail address",
}

#: Annotations partners add to a case, one field per kind: a policy releases a kind of
#: annotation like any other field (registry.models.AnnotationKind names the same kinds).
ANNOTATION_FIELDS: dict[str, str] = {
    "annotationContactAttempt": "partners' attempts to reach the tenant",
    "annotationHomeVisit": "home visits made",
    "annotationHelpAccepted": "the tenant accepted help",
    "annotationHelpRefused": "the tenant refused help",
    "annotationPaymentArrangement": "payment arrangements made",
    "annotationCaseConference": "case-conference decisions and their action items",
}

#: A case's second-chance agreements (woonkansovereenkomsten), in a few coarse fields.
AGREEMENT_FIELDS: dict[str, str] = {
    "agreementKind": "stay, rehouse or omklapwoning",
    "agreementStatus": "proposed, active, completed, breached or ended otherwise, and when",
    "agreementParties": "the parties, their signatures and the household's recorded consent",
    "agreementConditions": "the conditions: type, whose support is accepted, explanation",
    "agreementTerm": "the term's start and end and the review interval",
    "agreementReviews": "the reviews: due dates and each condition's check (met, note)",
    "agreementText": "the canonical text the party organisations sign",
    "agreementLog": "where the agreement's events are in the signed audit log",
}

#: A case's stored inventory after an eviction (art. 556 lid 3 Rv), the pickups asked for, the
#: municipal contact a pickup triggers, and what became of uncollected goods.
INVENTORY_FIELDS: dict[str, str] = {
    "inventoryStorage": "the stored goods: storage provider, location code, nature and size, "
    "perishable or dangerous, and whether they are stored, collected or disposed of",
    "inventoryDates": "removal, the copy of the official record handed over, the end of the "
    "13 weeks and the earliest day the goods may be disposed of",
    "inventoryPickup": "pickup requests: when, by whom, on hold, released or collected",
    "inventoryReleaseAuthorised": "whether the municipality authorised the release of the "
    "goods for pickup (all a storage provider needs)",
    "municipalContact": "the municipal contact a pickup triggers: due date, attempts, outcome",
    "inventoryDisposal": "what became of uncollected goods: sold (proceeds and until when they "
    "may be claimed), given away or destroyed",
    "inventoryLog": "where the inventory's events are in the signed audit log",
}

FIELDS: dict[str, str] = {
    **CASE_FIELDS,
    **IDENTITY_FIELDS,
    **ANNOTATION_FIELDS,
    **AGREEMENT_FIELDS,
    **INVENTORY_FIELDS,
}

_IDENTITY = frozenset(IDENTITY_FIELDS)
_ANNOTATIONS = frozenset(ANNOTATION_FIELDS)

#: Named groups a policy may use instead of listing fields one by one.
FIELD_GROUPS: dict[str, frozenset[str]] = {
    "all": frozenset(FIELDS),
    # What the corporation reads of its own case (a built-in rule): everything but how the
    # household answered the municipality's offer of help, which is the municipality's
    # social-domain business and no landlord's.
    "ownCase": frozenset(FIELDS) - {"municipalContact"},
    "identity": _IDENTITY,
    "annotations": _ANNOTATIONS,
    # The eviction itself: judgment, date, bailiff, what happened on the day.
    "eviction": frozenset(
        {
            "judgmentRequestedOn",
            "judgmentGrantedOn",
            "evictionDate",
            "bailiff",
            "evictionOutcome",
        }
    ),
    # After the eviction: where the household went, who arranged it, children, housing block.
    "aftercare": frozenset(
        {
            "evictionOutcome",
            "householdDestination",
            "destinationArrangedBy",
            "shelterArranged",
            "childrenInvolved",
            "housingBlockUntil",
            "housingBlockUntilDebtSettled",
        }
    ),
    # What the landlord must pass to the municipality in the statutory early signal
    # (Wet gemeentelijke schuldhulpverlening, art. 3 lid 4 and the Besluit): who, where, how much.
    "earlySignal": _IDENTITY
    | {
        "municipality",
        "owner",
        "arrearsAmount",
        "arrearsMonths",
        "earlySignalChecks",
        "earlySignalledOn",
    },
    # What a district team, welfare organisation or credit bank needs for a home visit.
    "homeVisit": frozenset(
        {
            "contactName",
            "contactAddress",
            "contactPostalCode",
            "contactPhone",
            "municipality",
            "phase",
            "householdComposition",
            "childrenInvolved",
            "arrearsAmount",
            "arrearsMonths",
            "evictionDate",
            "involvements",
        }
    )
    # Who tried to reach the tenant, who visited, what was agreed: what the next visitor
    # needs to know before knocking.
    | _ANNOTATIONS,
    # Everything about a case's second-chance agreements (no contact details).
    "agreement": frozenset(AGREEMENT_FIELDS),
    # What a party organisation needs to sign an agreement and keep to it.
    "agreementTerms": frozenset(
        {
            "agreementKind",
            "agreementStatus",
            "agreementParties",
            "agreementConditions",
            "agreementTerm",
            "agreementText",
        }
    ),
    # Everything about a case's stored inventory, its pickups and the municipal contact
    # (no contact details: whoever reaches out to the household needs a grant for those).
    "inventory": frozenset(INVENTORY_FIELDS),
    # What Bureau Woonkans needs to decide on a second chance (no contact details).
    "secondChance": frozenset(
        {
            "municipality",
            "owner",
            "phase",
            "reasons",
            "householdComposition",
            "childrenInvolved",
            "arrearsAmount",
            "arrearsMonths",
            "judgmentGrantedOn",
            "evictionDate",
            "evictionOutcome",
            "housingBlockUntil",
            "housingBlockUntilDebtSettled",
            "householdDestination",
            "closureOutcome",
            "involvements",
            # Whether help was accepted and arrangements kept weighs in a second chance.
            "annotationHelpAccepted",
            "annotationHelpRefused",
            "annotationPaymentArrangement",
            "annotationCaseConference",
        }
    ),
}


def is_known_field(name: str) -> bool:
    """Whether ``name`` is a field or a field group that policies may name."""
    return name in FIELDS or name in FIELD_GROUPS


def expand_fields(names: Iterable[str]) -> frozenset[str]:
    """The fields that ``names`` (fields and groups) stand for; unknown names raise KeyError."""
    fields: set[str] = set()
    for name in names:
        if name in FIELD_GROUPS:
            fields |= FIELD_GROUPS[name]
        elif name in FIELDS:
            fields.add(name)
        else:
            raise KeyError(name)
    return frozenset(fields)
