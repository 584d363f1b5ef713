"""Typed results of the operations partners use: what :mod:`clients.operations` selects, as
``TypedDict``\\ s.

Why ``TypedDict`` and not dataclasses: the answer is the registry's JSON as it arrived, so
nothing is copied or converted and code that indexed the plain dicts (``case["owner"]``)
keeps working; a type checker still knows every key and its type. A field the policies
withhold is ``None`` (and named in ``withheld``), which is why almost every case field is
``... | None``. GraphQL ``ID``, ``Date``, ``DateTime`` and ``Decimal`` arrive as strings
(ISO 8601 dates, decimals as text so no cent is lost), enums as their names.

Each type holds exactly the fields its operation selects; a test checks every key, its
nullability and its type against ``schema/schema.graphql``
(``tests/clients/test_results.py``).
"""

from __future__ import annotations

from typing import Any, TypedDict

__all__ = [
    "AccessLogRecord",
    "AccessRecipient",
    "AccessReport",
    "ActionItem",
    "Agreement",
    "AgreementCondition",
    "AgreementDocument",
    "AgreementParty",
    "AgreementReview",
    "Annotation",
    "CaseConnection",
    "CaseRecord",
    "ConditionCheck",
    "ConsistencyProof",
    "Inventory",
    "Involvement",
    "LogCheckpoint",
    "LogEntry",
    "LogEntryProof",
    "LogOpening",
    "MonitorRow",
    "MunicipalContact",
    "NewWebhookSubscription",
    "PageInfo",
    "Pickup",
    "PickupCodeCheck",
    "ShelterTask",
    "WebhookSubscription",
]


class Involvement(TypedDict):
    """A partner involved in a case, with its role."""

    partner: str
    role: str
    since: str


class CaseRecord(TypedDict):
    """The shared case record (*casus*) as the policies release it to the caller."""

    id: str
    relation: str
    withheld: list[str]
    municipality: str | None
    owner: str | None
    phase: str | None
    reasons: list[str] | None
    householdComposition: str | None
    childrenInvolved: bool | None
    arrearsAmount: str | None
    arrearsMonths: int | None
    earlySignalledOn: str | None
    coordinator: str | None
    judgmentRequestedOn: str | None
    judgmentGrantedOn: str | None
    evictionDate: str | None
    evictionOutcome: str | None
    shelterArranged: bool | None
    bailiff: str | None
    closedOn: str | None
    closureOutcome: str | None
    involvements: list[Involvement] | None
    registeredAt: str | None
    contactName: str | None
    contactAddress: str | None
    contactPostalCode: str | None
    contactPhone: str | None
    contactEmail: str | None


class PageInfo(TypedDict):
    """Where a page of a list ends: pass ``endCursor`` as ``after`` for the next."""

    endCursor: str | None
    hasNextPage: bool


class CaseConnection(TypedDict):
    """A page of cases."""

    nodes: list[CaseRecord]
    pageInfo: PageInfo


class ActionItem(TypedDict):
    """An action item of a case-conference decision."""

    id: str
    caseId: str
    annotationId: str
    description: str
    assignee: str
    dueOn: str
    doneAt: str | None
    doneBy: str | None
    overdue: bool


class Annotation(TypedDict):
    """What a partner did on a case (an annotation), with its action items."""

    id: str
    caseId: str
    kind: str
    author: str
    actor: str | None
    occurredOn: str
    note: str | None
    recordedAt: str
    corrects: str | None
    correctedBy: str | None
    actionItems: list[ActionItem]


class AgreementParty(TypedDict):
    """A party to an agreement: an organisation and its signature, or the household's consent."""

    kind: str
    partner: str | None
    signedAt: str | None
    keyId: str | None
    signature: str | None
    consentedOn: str | None
    consentManner: str | None


class AgreementCondition(TypedDict):
    """A numbered condition of an agreement."""

    number: int
    type: str
    supportKind: str | None
    text: str | None
    lastCheckMet: bool | None


class ConditionCheck(TypedDict):
    """One condition's check in a review."""

    condition: int
    met: bool
    note: str | None


class AgreementReview(TypedDict):
    """A review of an agreement: due on a day, recorded with one check per condition."""

    number: int
    dueOn: str
    recordedAt: str | None
    recordedBy: str | None
    checks: list[ConditionCheck]


class Agreement(TypedDict):
    """A second-chance agreement (*woonkansovereenkomst*) as the policies release it."""

    id: str
    caseId: str
    withheld: list[str]
    kind: str | None
    status: str | None
    proposedBy: str | None
    proposedAt: str | None
    activatedAt: str | None
    closedAt: str | None
    parties: list[AgreementParty] | None
    conditions: list[AgreementCondition] | None
    termStart: str | None
    termEnd: str | None
    reviewIntervalDays: int | None
    reviews: list[AgreementReview] | None
    brokenConditions: list[int] | None
    text: str | None
    textSha256: str | None
    logIndexes: list[int] | None


class AgreementDocument(TypedDict):
    """An agreement as a readable Dutch document, with the SHA-256 (hex) of its signed text."""

    agreementId: str
    textSha256: str
    html: str | None
    pdfBase64: str | None


class Pickup(TypedDict):
    """A household's request to pick up its stored goods."""

    id: str
    requestedBy: str
    requestedAt: str
    status: str
    releasedBy: str | None
    releasedAt: str | None
    collectedOn: str | None


class MunicipalContact(TypedDict):
    """The municipality's contact with a household before its goods are released."""

    id: str
    caseId: str
    inventoryId: str
    pickupId: str
    municipality: str
    assignee: str | None
    openedAt: str
    dueOn: str
    overdue: bool
    outcome: str | None
    attempts: int | None
    contactedOn: str | None
    recordedBy: str | None
    recordedAt: str | None


class Inventory(TypedDict):
    """A case's goods stored after an eviction, as the policies release them.

    ``pickupCode`` is set only in the answer of ``issuePickupCode`` (shown once).
    """

    id: str
    caseId: str
    withheld: list[str]
    status: str | None
    storageProvider: str | None
    locationCode: str | None
    description: str | None
    volumeM3: str | None
    perishableOrDangerous: bool | None
    recordedBy: str | None
    recordedAt: str | None
    removedOn: str | None
    recordCopyHandedOverOn: str | None
    thirteenWeeksOn: str | None
    disposableFrom: str | None
    pickups: list[Pickup] | None
    collectedOn: str | None
    releaseAuthorised: bool | None
    contacts: list[MunicipalContact] | None
    disposition: str | None
    disposedOn: str | None
    proceeds: str | None
    claimableUntil: str | None
    logIndexes: list[int] | None
    pickupCode: str | None


class PickupCodeCheck(TypedDict):
    """Whether the pickup code shown was accepted."""

    accepted: bool


class ShelterTask(TypedDict):
    """The municipality's task to arrange a place for a household before its eviction."""

    id: str
    caseId: str
    municipality: str
    assignee: str | None
    openedAt: str
    dueOn: str
    urgent: bool
    overdue: bool
    shelterKind: str | None
    reservedFrom: str | None
    arrangedBy: str | None
    reservedBy: str | None
    reservedAt: str | None


class MonitorRow(TypedDict):
    """A year's eviction figures for one corporation or municipality; small numbers are
    suppressed (``None``, named in ``suppressed``)."""

    year: int
    key: str
    signals: int | None
    judgmentsRequested: int | None
    judgmentsGranted: int | None
    evictionsScheduled: int | None
    evictionsCalledOff: int | None
    evictionsExecuted: int | None
    householdsGone: int | None
    prevented: int | None
    agreementsMade: int | None
    agreementsCompleted: int | None
    agreementsBreached: int | None
    agreementsEndedOtherwise: int | None
    suppressed: list[str]


class LogCheckpoint(TypedDict):
    """A signed checkpoint of the audit log; check ``note`` with :mod:`clients.verify`."""

    origin: str
    size: int
    rootHash: str
    note: str
    signedAt: str
    verifierKey: str | None


class LogOpening(TypedDict):
    """The event a sealed log entry commits to, as far as the policies release it."""

    data: str
    eventType: str
    caseId: str | None
    partnerKeyId: str | None
    partnerSignature: str | None
    signedSha256: str | None


class LogEntry(TypedDict):
    """One entry of the signed audit log (its leaf data, and its opening if released)."""

    index: int
    format: int
    data: str | None
    leafHash: str
    submitter: str
    appendedAt: str
    eventClass: str
    opening: LogOpening | None


class LogEntryProof(TypedDict):
    """An entry with its inclusion proof in the tree of ``treeSize`` entries."""

    entry: LogEntry
    treeSize: int
    inclusionProof: list[str]
    checkpoint: LogCheckpoint | None


class ConsistencyProof(TypedDict):
    """Proof that the tree of ``oldSize`` entries is a prefix of the tree of ``newSize``."""

    oldSize: int
    newSize: int
    proof: list[str]


class WebhookSubscription(TypedDict):
    """A webhook subscription of the partner."""

    id: str
    url: str
    eventTypes: list[str]
    createdAt: str
    active: bool
    disabledAt: str | None
    disabledReason: str | None


class NewWebhookSubscription(TypedDict):
    """A new subscription and its ``whsec_`` secret (shown in this answer only)."""

    subscription: WebhookSubscription
    secret: str


class AccessLogRecord(TypedDict):
    """One access-log record: who received which fields of a case, for which purpose."""

    traceId: str
    partner: str
    actor: str | None
    caseId: str
    purpose: str
    operation: str
    fieldsDisclosed: list[str]
    fieldsWithheld: list[str]
    occurredAt: str
    outcome: str


class AccessRecipient(TypedDict):
    """A partner that received a case's data, summed over its requests."""

    partner: str
    actors: list[str]
    firstAt: str
    lastAt: str
    fields: list[str]
    purposes: list[str]
    channels: list[str]
    requests: int


class AccessReport(TypedDict):
    """Who received a case's data (the household's right of access), and any erasure."""

    caseId: str
    erasedAt: str | None
    recipients: list[AccessRecipient]
    records: list[AccessLogRecord]
    json: Any
