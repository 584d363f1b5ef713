"""The policy vocabulary the registry assembles: exactly the fields and groups policies have
always named.

The literals below are copies of the vocabulary as it stood before each aggregate came to
declare its own fields; a stored policy names these, so none may change by accident.
"""

from __future__ import annotations

from registry.access.vocabulary import VOCABULARY

FIELDS = VOCABULARY.names
FIELD_GROUPS = VOCABULARY.groups

#: Every field a policy can release, in the order decisions and explanations list them.
FIELD_NAMES = (
    "municipality",
    "owner",
    "phase",
    "reasons",
    "householdComposition",
    "childrenInvolved",
    "arrearsAmount",
    "arrearsMonths",
    "earlySignalChecks",
    "earlySignalledOn",
    "judgmentRequestedOn",
    "judgmentGrantedOn",
    "evictionDate",
    "evictionOutcome",
    "shelterArranged",
    "housingBlockUntil",
    "housingBlockUntilDebtSettled",
    "bailiff",
    "householdDestination",
    "destinationArrangedBy",
    "closedOn",
    "closureOutcome",
    "involvements",
    "registeredAt",
    "contactName",
    "contactAddress",
    "contactPostalCode",
    "contactPhone",
    "contactEmail",
    "annotationContactAttempt",
    "annotationHomeVisit",
    "annotationHelpAccepted",
    "annotationHelpRefused",
    "annotationPaymentArrangement",
    "annotationCaseConference",
    "agreementKind",
    "agreementStatus",
    "agreementParties",
    "agreementConditions",
    "agreementTerm",
    "agreementReviews",
    "agreementText",
    "agreementLog",
    "inventoryStorage",
    "inventoryDates",
    "inventoryPickup",
    "inventoryReleaseAuthorised",
    "municipalContact",
    "inventoryDisposal",
    "inventoryLog",
    "shelterTask",
)

#: Every named group and its exact members.
GROUPS = {
    "all": frozenset(
        {
            "agreementConditions",
            "agreementKind",
            "agreementLog",
            "agreementParties",
            "agreementReviews",
            "agreementStatus",
            "agreementTerm",
            "agreementText",
            "annotationCaseConference",
            "annotationContactAttempt",
            "annotationHelpAccepted",
            "annotationHelpRefused",
            "annotationHomeVisit",
            "annotationPaymentArrangement",
            "arrearsAmount",
            "arrearsMonths",
            "bailiff",
            "childrenInvolved",
            "closedOn",
            "closureOutcome",
            "contactAddress",
            "contactEmail",
            "contactName",
            "contactPhone",
            "contactPostalCode",
            "destinationArrangedBy",
            "earlySignalChecks",
            "earlySignalledOn",
            "evictionDate",
            "evictionOutcome",
            "householdComposition",
            "householdDestination",
            "housingBlockUntil",
            "housingBlockUntilDebtSettled",
            "inventoryDates",
            "inventoryDisposal",
            "inventoryLog",
            "shelterTask",
            "inventoryPickup",
            "inventoryReleaseAuthorised",
            "inventoryStorage",
            "involvements",
            "judgmentGrantedOn",
            "judgmentRequestedOn",
            "municipalContact",
            "municipality",
            "owner",
            "phase",
            "reasons",
            "registeredAt",
            "shelterArranged",
        }
    ),
    "ownCase": frozenset(
        {
            "agreementConditions",
            "agreementKind",
            "agreementLog",
            "agreementParties",
            "agreementReviews",
            "agreementStatus",
            "agreementTerm",
            "agreementText",
            "annotationCaseConference",
            "annotationContactAttempt",
            "annotationHelpAccepted",
            "annotationHelpRefused",
            "annotationHomeVisit",
            "annotationPaymentArrangement",
            "arrearsAmount",
            "arrearsMonths",
            "bailiff",
            "childrenInvolved",
            "closedOn",
            "closureOutcome",
            "contactAddress",
            "contactEmail",
            "contactName",
            "contactPhone",
            "contactPostalCode",
            "destinationArrangedBy",
            "earlySignalChecks",
            "earlySignalledOn",
            "evictionDate",
            "evictionOutcome",
            "householdComposition",
            "householdDestination",
            "housingBlockUntil",
            "housingBlockUntilDebtSettled",
            "inventoryDates",
            "inventoryDisposal",
            "inventoryLog",
            "shelterTask",
            "inventoryPickup",
            "inventoryReleaseAuthorised",
            "inventoryStorage",
            "involvements",
            "judgmentGrantedOn",
            "judgmentRequestedOn",
            "municipality",
            "owner",
            "phase",
            "reasons",
            "registeredAt",
            "shelterArranged",
        }
    ),
    "identity": frozenset(
        {
            "contactAddress",
            "contactEmail",
            "contactName",
            "contactPhone",
            "contactPostalCode",
        }
    ),
    "annotations": frozenset(
        {
            "annotationCaseConference",
            "annotationContactAttempt",
            "annotationHelpAccepted",
            "annotationHelpRefused",
            "annotationHomeVisit",
            "annotationPaymentArrangement",
        }
    ),
    "eviction": frozenset(
        {
            "bailiff",
            "evictionDate",
            "evictionOutcome",
            "judgmentGrantedOn",
            "judgmentRequestedOn",
            "shelterTask",
        }
    ),
    "aftercare": frozenset(
        {
            "childrenInvolved",
            "destinationArrangedBy",
            "evictionOutcome",
            "householdDestination",
            "housingBlockUntil",
            "housingBlockUntilDebtSettled",
            "shelterArranged",
            "shelterTask",
        }
    ),
    "earlySignal": frozenset(
        {
            "arrearsAmount",
            "arrearsMonths",
            "contactAddress",
            "contactEmail",
            "contactName",
            "contactPhone",
            "contactPostalCode",
            "earlySignalChecks",
            "earlySignalledOn",
            "municipality",
            "owner",
        }
    ),
    "homeVisit": frozenset(
        {
            "annotationCaseConference",
            "annotationContactAttempt",
            "annotationHelpAccepted",
            "annotationHelpRefused",
            "annotationHomeVisit",
            "annotationPaymentArrangement",
            "arrearsAmount",
            "arrearsMonths",
            "childrenInvolved",
            "contactAddress",
            "contactName",
            "contactPhone",
            "contactPostalCode",
            "evictionDate",
            "householdComposition",
            "involvements",
            "municipality",
            "phase",
        }
    ),
    "agreement": frozenset(
        {
            "agreementConditions",
            "agreementKind",
            "agreementLog",
            "agreementParties",
            "agreementReviews",
            "agreementStatus",
            "agreementTerm",
            "agreementText",
        }
    ),
    "agreementTerms": frozenset(
        {
            "agreementConditions",
            "agreementKind",
            "agreementParties",
            "agreementStatus",
            "agreementTerm",
            "agreementText",
        }
    ),
    "inventory": frozenset(
        {
            "inventoryDates",
            "inventoryDisposal",
            "inventoryLog",
            "inventoryPickup",
            "inventoryReleaseAuthorised",
            "inventoryStorage",
            "municipalContact",
        }
    ),
    "secondChance": frozenset(
        {
            "annotationCaseConference",
            "annotationHelpAccepted",
            "annotationHelpRefused",
            "annotationPaymentArrangement",
            "arrearsAmount",
            "arrearsMonths",
            "childrenInvolved",
            "closureOutcome",
            "evictionDate",
            "evictionOutcome",
            "householdComposition",
            "householdDestination",
            "housingBlockUntil",
            "housingBlockUntilDebtSettled",
            "involvements",
            "judgmentGrantedOn",
            "municipality",
            "owner",
            "phase",
            "reasons",
        }
    ),
}


def test_the_fields_are_the_same_in_the_same_order() -> None:
    assert tuple(FIELDS) == FIELD_NAMES


def test_every_group_has_exactly_its_members() -> None:
    assert dict(FIELD_GROUPS) == GROUPS
    assert list(FIELD_GROUPS) == list(GROUPS)  # the order Casbin's role links are added in
