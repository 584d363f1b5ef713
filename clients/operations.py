"""The operations partners use, each a GraphQL document with a typed result.

A function here builds an :class:`Operation` (the document, its variables, the type of its
result) and does no I/O; a client runs it: ``client.call(operation)`` on
:class:`clients.RegistryClient` returns the result, ``await client.call(operation)`` on
:class:`clients.AsyncRegistryClient` the same. So both clients share every operation, and a
type checker knows what each returns (:mod:`clients.results`).

For anything else, ``client.execute(query, variables)`` takes any document and returns its
``data`` as a plain dict.

Example:
    >>> from clients import operations
    >>> operation = operations.case("00000000-0000-4000-8000-000000000000")
    >>> operation.field, operation.variables
    ('case', {'id': '00000000-0000-4000-8000-000000000000'})
    >>> operation.document.split("(")[0]
    'query Case'
    >>> operations.register_case({"municipality": "sittard-geleen"}).is_mutation
    True
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar, cast

from clients import results as r

__all__ = [
    "OPERATIONS",
    "Operation",
    "access_report",
    "add_annotation",
    "agreement",
    "agreement_document",
    "case",
    "case_annotations",
    "cases",
    "eviction_monitor",
    "inventory",
    "involve_partner",
    "issue_pickup_code",
    "log_checkpoint",
    "log_consistency",
    "log_entry",
    "municipal_contacts",
    "propose_agreement",
    "record_agreement_review",
    "record_collection",
    "record_disposal",
    "record_household_consent",
    "record_inventory",
    "record_municipal_contact",
    "register_case",
    "release_partner",
    "release_pickup",
    "request_pickup",
    "reserve_shelter",
    "shelter_task",
    "shelter_tasks",
    "submit_agreement_signature",
    "subscribe_webhook",
    "unsubscribe_webhook",
    "verify_pickup_code",
    "webhook_subscriptions",
]

T = TypeVar("T")


@dataclass(frozen=True)
class Operation(Generic[T]):
    """One GraphQL operation ready to send: its document, variables, and the one top-level
    ``field`` of ``data`` that holds its result (of type ``T``)."""

    document: str
    field: str
    variables: dict[str, Any] = dataclasses.field(default_factory=dict)

    @property
    def is_mutation(self) -> bool:
        """Whether it changes something (and so is sent with an ``Idempotency-Key``)."""
        return self.document.startswith("mutation")

    def result(self, data: Mapping[str, Any]) -> T:
        """The typed result in a response's ``data``."""
        return cast(T, data[self.field])


@dataclass(frozen=True)
class _Spec(Generic[T]):
    """An operation without its variables; ``result`` is the type of its result (read by the
    test that checks each against the schema)."""

    document: str
    field: str
    result: Any

    def __call__(self, **variables: Any) -> Operation[T]:
        return Operation(self.document, self.field, variables)


# Selection sets, one per result type of clients.results (the same keys, in the same order).
_INVOLVEMENT = "partner role since"
_CASE = f"""id relation withheld municipality owner phase reasons householdComposition
  childrenInvolved arrearsAmount arrearsMonths earlySignalledOn coordinator judgmentRequestedOn
  judgmentGrantedOn evictionDate evictionOutcome shelterArranged bailiff closedOn closureOutcome
  involvements {{ {_INVOLVEMENT} }} registeredAt contactName contactAddress contactPostalCode
  contactPhone contactEmail"""
_ACTION_ITEM = "id caseId annotationId description assignee dueOn doneAt doneBy overdue"
_ANNOTATION = f"""id caseId kind author actor occurredOn note recordedAt corrects correctedBy
  actionItems {{ {_ACTION_ITEM} }}"""
_AGREEMENT = """id caseId withheld kind status proposedBy proposedAt activatedAt closedAt
  parties { kind partner signedAt keyId signature consentedOn consentManner }
  conditions { number type supportKind text lastCheckMet }
  termStart termEnd reviewIntervalDays
  reviews { number dueOn recordedAt recordedBy checks { condition met note } }
  brokenConditions text textSha256 logIndexes"""
_PICKUP = "id requestedBy requestedAt status releasedBy releasedAt collectedOn"
_CONTACT = """id caseId inventoryId pickupId municipality assignee openedAt dueOn overdue
  outcome attempts contactedOn recordedBy recordedAt"""
_INVENTORY = f"""id caseId withheld status storageProvider locationCode description volumeM3
  perishableOrDangerous recordedBy recordedAt removedOn recordCopyHandedOverOn thirteenWeeksOn
  disposableFrom pickups {{ {_PICKUP} }} collectedOn releaseAuthorised contacts {{ {_CONTACT} }}
  disposition disposedOn proceeds claimableUntil logIndexes pickupCode"""
_SHELTER = """id caseId municipality assignee openedAt dueOn urgent overdue shelterKind
  reservedFrom arrangedBy reservedBy reservedAt"""
_MONITOR_ROW = """year key signals judgmentsRequested judgmentsGranted evictionsScheduled
  evictionsCalledOff evictionsExecuted householdsGone prevented agreementsMade
  agreementsCompleted agreementsBreached agreementsEndedOtherwise suppressed"""
_CHECKPOINT = "origin size rootHash note signedAt verifierKey"
_ENTRY_PROOF = f"""entry {{ index format data leafHash submitter appendedAt eventClass
  opening {{ data eventType caseId partnerKeyId partnerSignature signedSha256 }} }}
  treeSize inclusionProof checkpoint {{ {_CHECKPOINT} }}"""
_SUBSCRIPTION = "id url eventTypes createdAt active disabledAt disabledReason"
_ACCESS_REPORT = """caseId erasedAt
  recipients { partner actors firstAt lastAt fields purposes channels requests }
  records { traceId partner actor caseId purpose operation fieldsDisclosed fieldsWithheld
    occurredAt outcome }
  json"""

_CASE_ONE: _Spec[r.CaseRecord] = _Spec(
    f"query Case($id: ID!) {{ case(id: $id) {{ {_CASE} }} }}", "case", r.CaseRecord
)
_CASES: _Spec[r.CaseConnection] = _Spec(
    f"""query Cases($filter: CaseFilterInput, $first: Int!, $after: String) {{
  cases(filter: $filter, first: $first, after: $after) {{
    nodes {{ {_CASE} }} pageInfo {{ endCursor hasNextPage }} }} }}""",
    "cases",
    r.CaseConnection,
)
_REGISTER_CASE: _Spec[r.CaseRecord] = _Spec(
    f"""mutation RegisterCase($input: RegisterCaseInput!) {{
  registerCase(input: $input) {{ {_CASE} }} }}""",
    "registerCase",
    r.CaseRecord,
)
_INVOLVE: _Spec[r.CaseRecord] = _Spec(
    f"""mutation InvolvePartner($caseId: ID!, $partner: String!, $role: InvolvementRole!) {{
  involvePartner(caseId: $caseId, partner: $partner, role: $role) {{ {_CASE} }} }}""",
    "involvePartner",
    r.CaseRecord,
)
_RELEASE: _Spec[r.CaseRecord] = _Spec(
    f"""mutation ReleasePartner($caseId: ID!, $partner: String!) {{
  releasePartner(caseId: $caseId, partner: $partner) {{ {_CASE} }} }}""",
    "releasePartner",
    r.CaseRecord,
)
_ADD_ANNOTATION: _Spec[r.Annotation] = _Spec(
    f"""mutation AddAnnotation($input: AnnotationInput!) {{
  addAnnotation(input: $input) {{ {_ANNOTATION} }} }}""",
    "addAnnotation",
    r.Annotation,
)
_ANNOTATIONS: _Spec[list[r.Annotation]] = _Spec(
    f"query Annotations($caseId: ID!) {{ annotations(caseId: $caseId) {{ {_ANNOTATION} }} }}",
    "annotations",
    list[r.Annotation],
)
_AGREEMENT_ONE: _Spec[r.Agreement] = _Spec(
    f"query Agreement($id: ID!) {{ agreement(id: $id) {{ {_AGREEMENT} }} }}",
    "agreement",
    r.Agreement,
)
_AGREEMENT_DOCUMENT: _Spec[r.AgreementDocument] = _Spec(
    """query AgreementDocument($id: ID!) {
  agreementDocument(id: $id) { agreementId textSha256 html pdfBase64 } }""",
    "agreementDocument",
    r.AgreementDocument,
)
_PROPOSE: _Spec[r.Agreement] = _Spec(
    f"""mutation ProposeAgreement($input: ProposeAgreementInput!) {{
  proposeAgreement(input: $input) {{ {_AGREEMENT} }} }}""",
    "proposeAgreement",
    r.Agreement,
)
_SIGN: _Spec[r.Agreement] = _Spec(
    f"""mutation SignAgreement($id: ID!, $keyId: String!, $signature: String!) {{
  signAgreement(id: $id, keyId: $keyId, signature: $signature) {{ {_AGREEMENT} }} }}""",
    "signAgreement",
    r.Agreement,
)
_CONSENT: _Spec[r.Agreement] = _Spec(
    f"""mutation RecordHouseholdConsent($id: ID!, $consentedOn: Date!, $manner: ConsentManner) {{
  recordHouseholdConsent(id: $id, consentedOn: $consentedOn, manner: $manner) {{
    {_AGREEMENT} }} }}""",
    "recordHouseholdConsent",
    r.Agreement,
)
_REVIEW: _Spec[r.Agreement] = _Spec(
    f"""mutation RecordAgreementReview($id: ID!, $review: Int!,
    $checks: [ConditionCheckInput!]!) {{
  recordAgreementReview(id: $id, review: $review, checks: $checks) {{ {_AGREEMENT} }} }}""",
    "recordAgreementReview",
    r.Agreement,
)
_INVENTORY_ONE: _Spec[r.Inventory | None] = _Spec(
    f"query Inventory($caseId: ID!) {{ inventory(caseId: $caseId) {{ {_INVENTORY} }} }}",
    "inventory",
    r.Inventory | None,
)
_RECORD_INVENTORY: _Spec[r.Inventory] = _Spec(
    f"""mutation RecordInventory($input: RecordInventoryInput!) {{
  recordInventory(input: $input) {{ {_INVENTORY} }} }}""",
    "recordInventory",
    r.Inventory,
)


def _on_case(operation: str, field_name: str) -> _Spec[r.Inventory]:
    # The inventory steps that take only the case's id.
    return _Spec(
        f"mutation {operation}($caseId: ID!) {{\n"
        f"  {field_name}(caseId: $caseId) {{ {_INVENTORY} }} }}",
        field_name,
        r.Inventory,
    )


_REQUEST_PICKUP = _on_case("RequestPickup", "requestPickup")
_RELEASE_PICKUP = _on_case("ReleasePickup", "releasePickup")
_ISSUE_PICKUP_CODE = _on_case("IssuePickupCode", "issuePickupCode")
_VERIFY_PICKUP_CODE: _Spec[r.PickupCodeCheck] = _Spec(
    """mutation VerifyPickupCode($caseId: ID!, $code: String!) {
  verifyPickupCode(caseId: $caseId, code: $code) { accepted } }""",
    "verifyPickupCode",
    r.PickupCodeCheck,
)
_RECORD_COLLECTION: _Spec[r.Inventory] = _Spec(
    f"""mutation RecordCollection($caseId: ID!, $collectedOn: Date!) {{
  recordCollection(caseId: $caseId, collectedOn: $collectedOn) {{ {_INVENTORY} }} }}""",
    "recordCollection",
    r.Inventory,
)
_RECORD_DISPOSAL: _Spec[r.Inventory] = _Spec(
    f"""mutation RecordDisposal($input: RecordDisposalInput!) {{
  recordDisposal(input: $input) {{ {_INVENTORY} }} }}""",
    "recordDisposal",
    r.Inventory,
)
_MUNICIPAL_CONTACTS: _Spec[list[r.MunicipalContact]] = _Spec(
    f"""query MunicipalContacts($openOnly: Boolean!, $overdueOnly: Boolean!, $first: Int!) {{
  municipalContacts(openOnly: $openOnly, overdueOnly: $overdueOnly, first: $first) {{
    {_CONTACT} }} }}""",
    "municipalContacts",
    list[r.MunicipalContact],
)
_RECORD_CONTACT: _Spec[r.MunicipalContact] = _Spec(
    f"""mutation RecordMunicipalContact($id: ID!, $outcome: ContactOutcome!, $attempts: Int!,
    $contactedOn: Date!) {{
  recordMunicipalContact(id: $id, outcome: $outcome, attempts: $attempts,
    contactedOn: $contactedOn) {{ {_CONTACT} }} }}""",
    "recordMunicipalContact",
    r.MunicipalContact,
)
_SHELTER_TASK: _Spec[r.ShelterTask | None] = _Spec(
    f"query ShelterTask($caseId: ID!) {{ shelterTask(caseId: $caseId) {{ {_SHELTER} }} }}",
    "shelterTask",
    r.ShelterTask | None,
)
_SHELTER_TASKS: _Spec[list[r.ShelterTask]] = _Spec(
    f"""query ShelterTasks($openOnly: Boolean!, $overdueOnly: Boolean!, $first: Int!) {{
  shelterTasks(openOnly: $openOnly, overdueOnly: $overdueOnly, first: $first) {{
    {_SHELTER} }} }}""",
    "shelterTasks",
    list[r.ShelterTask],
)
_RESERVE_SHELTER: _Spec[r.ShelterTask] = _Spec(
    f"""mutation ReserveShelter($input: ReserveShelterInput!) {{
  reserveShelter(input: $input) {{ {_SHELTER} }} }}""",
    "reserveShelter",
    r.ShelterTask,
)
_MONITOR: _Spec[list[r.MonitorRow]] = _Spec(
    f"""query EvictionMonitor($by: MonitorBy!, $fromYear: Int!, $toYear: Int!,
    $municipalities: [String!]) {{
  evictionMonitor(by: $by, fromYear: $fromYear, toYear: $toYear,
    municipalities: $municipalities) {{ {_MONITOR_ROW} }} }}""",
    "evictionMonitor",
    list[r.MonitorRow],
)
_CHECKPOINT_ONE: _Spec[r.LogCheckpoint] = _Spec(
    f"query LogCheckpoint {{ auditLogCheckpoint {{ {_CHECKPOINT} }} }}",
    "auditLogCheckpoint",
    r.LogCheckpoint,
)
_LOG_ENTRY: _Spec[r.LogEntryProof] = _Spec(
    f"""query LogEntry($index: Int!, $treeSize: Int) {{
  auditLogEntry(index: $index, treeSize: $treeSize) {{ {_ENTRY_PROOF} }} }}""",
    "auditLogEntry",
    r.LogEntryProof,
)
_LOG_CONSISTENCY: _Spec[r.ConsistencyProof] = _Spec(
    """query LogConsistency($oldSize: Int!, $newSize: Int!) {
  auditLogConsistency(oldSize: $oldSize, newSize: $newSize) { oldSize newSize proof } }""",
    "auditLogConsistency",
    r.ConsistencyProof,
)
_SUBSCRIBE: _Spec[r.NewWebhookSubscription] = _Spec(
    f"""mutation SubscribeWebhook($url: String!, $eventTypes: [String!]!) {{
  subscribeWebhook(url: $url, eventTypes: $eventTypes) {{
    subscription {{ {_SUBSCRIPTION} }} secret }} }}""",
    "subscribeWebhook",
    r.NewWebhookSubscription,
)
_UNSUBSCRIBE: _Spec[r.WebhookSubscription] = _Spec(
    f"""mutation UnsubscribeWebhook($id: ID!) {{
  unsubscribeWebhook(id: $id) {{ {_SUBSCRIPTION} }} }}""",
    "unsubscribeWebhook",
    r.WebhookSubscription,
)
_SUBSCRIPTIONS: _Spec[list[r.WebhookSubscription]] = _Spec(
    f"query WebhookSubscriptions {{ webhookSubscriptions {{ {_SUBSCRIPTION} }} }}",
    "webhookSubscriptions",
    list[r.WebhookSubscription],
)
_ACCESS_REPORT_ONE: _Spec[r.AccessReport] = _Spec(
    f"query AccessReport($caseId: ID!) {{ accessReport(caseId: $caseId) {{ {_ACCESS_REPORT} }} }}",
    "accessReport",
    r.AccessReport,
)

#: Every operation of this module by name, for the test that checks each against the schema.
OPERATIONS: dict[str, _Spec[Any]] = {
    spec.document.split("(")[0].split("{")[0].split()[1]: spec
    for spec in (
        _CASE_ONE,
        _CASES,
        _REGISTER_CASE,
        _INVOLVE,
        _RELEASE,
        _ADD_ANNOTATION,
        _ANNOTATIONS,
        _AGREEMENT_ONE,
        _AGREEMENT_DOCUMENT,
        _PROPOSE,
        _SIGN,
        _CONSENT,
        _REVIEW,
        _INVENTORY_ONE,
        _RECORD_INVENTORY,
        _REQUEST_PICKUP,
        _RELEASE_PICKUP,
        _ISSUE_PICKUP_CODE,
        _VERIFY_PICKUP_CODE,
        _RECORD_COLLECTION,
        _RECORD_DISPOSAL,
        _MUNICIPAL_CONTACTS,
        _RECORD_CONTACT,
        _SHELTER_TASK,
        _SHELTER_TASKS,
        _RESERVE_SHELTER,
        _MONITOR,
        _CHECKPOINT_ONE,
        _LOG_ENTRY,
        _LOG_CONSISTENCY,
        _SUBSCRIBE,
        _UNSUBSCRIBE,
        _SUBSCRIPTIONS,
        _ACCESS_REPORT_ONE,
    )
}


# Cases and involvement.


def case(case_id: str) -> Operation[r.CaseRecord]:
    """One case; a case the partner may not see fails with ``NotFoundError``, exactly as one
    that does not exist."""
    return _CASE_ONE(id=case_id)


def cases(
    *, first: int = 50, after: str | None = None, where: Mapping[str, Any] | None = None
) -> Operation[r.CaseConnection]:
    """A page of the cases the partner relates to, in registration order; pass the page's
    ``pageInfo.endCursor`` as ``after`` for the next; ``where`` is a ``CaseFilterInput``."""
    return _CASES(first=first, after=after, filter=where)


def register_case(case_input: Mapping[str, Any]) -> Operation[r.CaseRecord]:
    """Register a case as its owner (a corporation); ``case_input`` is a ``RegisterCaseInput``."""
    return _REGISTER_CASE(input=case_input)


def involve_partner(case_id: str, partner: str, role: str) -> Operation[r.CaseRecord]:
    """List ``partner`` as involved in a case with ``role`` (an ``InvolvementRole`` name)."""
    return _INVOLVE(caseId=case_id, partner=partner, role=role)


def release_partner(case_id: str, partner: str) -> Operation[r.CaseRecord]:
    """End ``partner``'s involvement in a case."""
    return _RELEASE(caseId=case_id, partner=partner)


# Annotations.


def add_annotation(annotation_input: Mapping[str, Any]) -> Operation[r.Annotation]:
    """Record what the partner did on a case; ``annotation_input`` is an ``AnnotationInput``."""
    return _ADD_ANNOTATION(input=annotation_input)


def case_annotations(case_id: str) -> Operation[list[r.Annotation]]:
    """A case's annotations, as far as the policies release them."""
    return _ANNOTATIONS(caseId=case_id)


# Second-chance agreements.


def agreement(agreement_id: str) -> Operation[r.Agreement]:
    """One agreement, as the policies release it (its ``text`` to its parties)."""
    return _AGREEMENT_ONE(id=agreement_id)


def agreement_document(agreement_id: str) -> Operation[r.AgreementDocument]:
    """The agreement as a Dutch document (HTML, PDF) with the SHA-256 of its signed text."""
    return _AGREEMENT_DOCUMENT(id=agreement_id)


def propose_agreement(proposal: Mapping[str, Any]) -> Operation[r.Agreement]:
    """Propose an agreement for a case; ``proposal`` is a ``ProposeAgreementInput``."""
    return _PROPOSE(input=proposal)


def submit_agreement_signature(
    agreement_id: str, key_id: str, signature: str
) -> Operation[r.Agreement]:
    """Submit a signature made elsewhere (base64 Ed25519 over the UTF-8 of the agreement's
    ``text``). ``client.sign_agreement`` fetches, checks, signs and submits in one call."""
    return _SIGN(id=agreement_id, keyId=key_id, signature=signature)


def record_household_consent(
    agreement_id: str, consented_on: str, manner: str | None = None
) -> Operation[r.Agreement]:
    """Record the household's consent (``manner``: ``IN_PERSON``, ``ON_PAPER``, ``DIGITALLY``)."""
    return _CONSENT(id=agreement_id, consentedOn=consented_on, manner=manner)


def record_agreement_review(
    agreement_id: str, review: int, checks: list[Mapping[str, Any]]
) -> Operation[r.Agreement]:
    """Record review number ``review``: one ``{condition, met, note}`` check per condition."""
    return _REVIEW(id=agreement_id, review=review, checks=checks)


# Stored goods after an eviction (inventory) and their pickup.


def inventory(case_id: str) -> Operation[r.Inventory | None]:
    """A case's stored goods, or None when none were recorded."""
    return _INVENTORY_ONE(caseId=case_id)


def record_inventory(inventory_input: Mapping[str, Any]) -> Operation[r.Inventory]:
    """Record goods removed and stored; ``inventory_input`` is a ``RecordInventoryInput``."""
    return _RECORD_INVENTORY(input=inventory_input)


def request_pickup(case_id: str) -> Operation[r.Inventory]:
    """The household asks to pick up its goods."""
    return _REQUEST_PICKUP(caseId=case_id)


def release_pickup(case_id: str) -> Operation[r.Inventory]:
    """Authorise the goods' release for pickup (the municipality)."""
    return _RELEASE_PICKUP(caseId=case_id)


def issue_pickup_code(case_id: str) -> Operation[r.Inventory]:
    """A new one-time pickup code, in ``pickupCode`` of this answer only (the municipality)."""
    return _ISSUE_PICKUP_CODE(caseId=case_id)


def verify_pickup_code(case_id: str, code: str) -> Operation[r.PickupCodeCheck]:
    """Check the code the person collecting the goods shows."""
    return _VERIFY_PICKUP_CODE(caseId=case_id, code=code)


def record_collection(case_id: str, collected_on: str) -> Operation[r.Inventory]:
    """The goods were handed over on a released pickup."""
    return _RECORD_COLLECTION(caseId=case_id, collectedOn=collected_on)


def record_disposal(disposal: Mapping[str, Any]) -> Operation[r.Inventory]:
    """Record what became of uncollected goods; ``disposal`` is a ``RecordDisposalInput``."""
    return _RECORD_DISPOSAL(input=disposal)


def municipal_contacts(
    *, open_only: bool = True, overdue_only: bool = False, first: int = 100
) -> Operation[list[r.MunicipalContact]]:
    """Municipal contacts of the cases the partner relates to, soonest due first."""
    return _MUNICIPAL_CONTACTS(openOnly=open_only, overdueOnly=overdue_only, first=first)


def record_municipal_contact(
    contact_id: str, outcome: str, attempts: int, contacted_on: str
) -> Operation[r.MunicipalContact]:
    """Record a municipal contact's outcome (``NOT_REACHED`` after at least three attempts)."""
    return _RECORD_CONTACT(
        id=contact_id, outcome=outcome, attempts=attempts, contactedOn=contacted_on
    )


# Shelter before an eviction, and the eviction monitor.


def shelter_task(case_id: str) -> Operation[r.ShelterTask | None]:
    """A case's shelter task, or None when none was opened or it is not released."""
    return _SHELTER_TASK(caseId=case_id)


def shelter_tasks(
    *, open_only: bool = True, overdue_only: bool = False, first: int = 100
) -> Operation[list[r.ShelterTask]]:
    """The shelter tasks of the cases the partner relates to, urgent first."""
    return _SHELTER_TASKS(openOnly=open_only, overdueOnly=overdue_only, first=first)


def reserve_shelter(reservation: Mapping[str, Any]) -> Operation[r.ShelterTask]:
    """Record the place reserved for a household; ``reservation`` is a ``ReserveShelterInput``."""
    return _RESERVE_SHELTER(input=reservation)


def eviction_monitor(
    by: str, from_year: int, to_year: int, *, municipalities: list[str] | None = None
) -> Operation[list[r.MonitorRow]]:
    """The eviction monitor per year, ``by`` ``CORPORATION`` or ``MUNICIPALITY``."""
    return _MONITOR(by=by, fromYear=from_year, toYear=to_year, municipalities=municipalities)


# The signed audit log (check what these return with clients.verify).


def log_checkpoint() -> Operation[r.LogCheckpoint]:
    """The log's latest signed checkpoint."""
    return _CHECKPOINT_ONE()


def log_entry(index: int, *, tree_size: int | None = None) -> Operation[r.LogEntryProof]:
    """Entry ``index`` with its inclusion proof (in the latest checkpoint's tree by default)."""
    return _LOG_ENTRY(index=index, treeSize=tree_size)


def log_consistency(old_size: int, new_size: int) -> Operation[r.ConsistencyProof]:
    """Proof that the tree of ``old_size`` entries is a prefix of that of ``new_size``."""
    return _LOG_CONSISTENCY(oldSize=old_size, newSize=new_size)


# Webhooks and the household's right of access.


def subscribe_webhook(url: str, event_types: list[str]) -> Operation[r.NewWebhookSubscription]:
    """Subscribe an endpoint; the answer's ``secret`` is shown this once."""
    return _SUBSCRIBE(url=url, eventTypes=event_types)


def unsubscribe_webhook(subscription_id: str) -> Operation[r.WebhookSubscription]:
    """Stop a subscription of the partner's."""
    return _UNSUBSCRIBE(id=subscription_id)


def webhook_subscriptions() -> Operation[list[r.WebhookSubscription]]:
    """The partner's subscriptions, disabled ones included."""
    return _SUBSCRIPTIONS()


def access_report(case_id: str) -> Operation[r.AccessReport]:
    """Who received this case's data, when, which fields, for which purpose (owner and
    municipality)."""
    return _ACCESS_REPORT_ONE(caseId=case_id)
