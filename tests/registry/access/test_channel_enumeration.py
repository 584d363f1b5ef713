"""Every operation of the schema that takes a case id or answers with case data writes an
access-log record when a partner that can see the case calls it (issue 16, part 1).

The operations are read from the schema itself, so a new one fails here until it is called
below (and logs) or listed in ``NO_CASE_DATA`` with the reason it reveals nothing of a case.
"""

from __future__ import annotations

import base64
import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

import pytest
from graphql import GraphQLField, GraphQLInputObjectType, GraphQLNamedType, get_named_type
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from clients.tokens import load_private_key
from registry.models import AccessLogRecord, Case, Phase, SecondChanceAgreement
from schema.build import build_schema
from tests.arrange import NEW_CASE, case_in, evicted_case, involved_case
from tests.conftest import DEMO_TODAY, Clock, DemoKey, GraphQL

#: Object types that carry case data: an operation answering with one is a channel.
CASE_DATA_TYPES = {
    "Case",
    "CaseConnection",
    "Annotation",
    "ActionItem",
    "Agreement",
    "DueReview",
    "Inventory",
    "InventoryClocks",
    "MunicipalContact",
    "LogEntryProof",
    "AccessLogEntry",
    "AccessExplanation",
    "DryRunField",
    "AftercareContact",
    "FollowUp",
    "HouseholdAccessReport",
}

#: Operations that match the rule above but reveal nothing the caller was not given already.
NO_CASE_DATA = {
    "myDisclosures": "the caller's own side of the access log: what it was given already",
}

#: Operations that take nothing of a case and answer nothing of one (checked: they match
#: neither rule, so they need no entry; listed here only so a reader sees they were judged).
JUDGED_CASE_FREE = {
    "fieldCatalogue",
    "policies",
    "lifecycleTransitions",
    "lifecycleClosures",
    "webhookEventTypes",
    "webhookSubscriptions",
    "webhookDeliveries",
    "agreementFigures",
    "auditLogCheckpoint",
    "auditLogConsistency",
    "issueGrant",
    "issueRestriction",
    "revokePolicy",
    "subscribeWebhook",
    "unsubscribeWebhook",
    "redeliverWebhook",
}

THURSDAY = dt.datetime.combine(DEMO_TODAY + dt.timedelta(days=3), dt.time(10), dt.UTC)
OWNER, MUNICIPALITY = "parteon", "gemeente-zaanstad"
BAILIFF, STORAGE = "kerckhoffs-lasonder", "opslag-zaanstad"
TEAM = "wijkteam-zaandam-noord"
PARTIES = ["nijestee", "bureau-woonkans", "wij-groningen"]


def _takes_case(field: GraphQLField) -> bool:
    for name, arg in field.args.items():
        if name == "caseId":
            return True
        named = get_named_type(arg.type)
        if isinstance(named, GraphQLInputObjectType) and "caseId" in named.fields:
            return True
    return False


def _answers_case_data(field: GraphQLField) -> bool:
    named: GraphQLNamedType = get_named_type(field.type)
    return named.name in CASE_DATA_TYPES


def case_channels() -> set[str]:
    """The operations of the schema that take a case id or answer with case data."""
    graphql_schema = build_schema(introspection=True)._schema
    found = set()
    for root in (graphql_schema.query_type, graphql_schema.mutation_type):
        assert root is not None
        for name, field in root.fields.items():
            if _takes_case(field) or _answers_case_data(field):
                found.add(name)
    return found


@dataclass
class Call:
    """One call of an operation, by a partner that can see the case."""

    operation: str
    partner: str
    document: str
    variables: dict[str, Any]
    case_id: str | None  # the case the record must name (None: a list, any record)


class Channels:
    """Runs calls and checks that each wrote an access-log record for its caller."""

    def __init__(self, gql: GraphQL, sessions: sessionmaker[Session]) -> None:
        self.gql = gql
        self.sessions = sessions
        self.called: set[str] = set()
        self.silent: list[str] = []

    def _count(self, partner: str, case_id: str | None) -> int:
        stmt = select(func.count()).where(AccessLogRecord.partner_id == partner)
        if case_id is not None:
            stmt = stmt.where(AccessLogRecord.case_id == uuid.UUID(case_id))
        with self.sessions() as session:
            return session.scalar(stmt) or 0

    def __call__(
        self,
        operation: str,
        partner: str,
        selection: str,
        variables: dict[str, Any] | None = None,
        *,
        case_id: str | None,
        kind: str = "query",
        signature: str = "",
    ) -> Any:
        """Call ``operation``; returns its data. The record is found by counting the caller's
        records (of the case, when one is named) before and after."""
        before = self._count(partner, case_id)
        document = f"{kind} Probe{signature} {{ {operation}{selection} }}"
        body = self.gql(partner, document, variables or {})
        assert "errors" not in body, (operation, body)
        self.called.add(operation)
        if self._count(partner, case_id) == before:
            self.silent.append(operation)
        return body["data"][operation]


@pytest.fixture
def channels(gql: GraphQL, sessions: sessionmaker[Session]) -> Channels:
    return Channels(gql, sessions)


@pytest.fixture
def on_thursday(clock: Clock) -> Clock:
    clock.now = THURSDAY  # tokens are signed and checked on this clock too
    return clock


def _day(days: int = 0) -> str:
    return (THURSDAY.date() + dt.timedelta(days=days)).isoformat()


def _case_channels(call: Channels, sessions: sessionmaker[Session]) -> None:
    """Reads of a case and its annotations, explanations and involvement changes."""
    case_id = involved_case(sessions, "partners-in-welzijn", "zowonen")
    one = {"id": case_id}
    sig = "($id: ID!)"
    call("case", "partners-in-welzijn", "(id: $id) { id }", one, case_id=case_id, signature=sig)
    call("cases", "zowonen", "(first: 5) { nodes { id } }", case_id=None)
    call("accessReport", "zowonen", "(caseId: $id) { caseId }", one, case_id=case_id, signature=sig)
    call(
        "accessHistory", "zowonen", "(caseId: $id) { partner }", one, case_id=case_id, signature=sig
    )
    call(
        "explainAccess",
        "zowonen",
        "(caseId: $id) { relation }",
        one,
        case_id=case_id,
        signature=sig,
    )
    call(
        "dryRunGrant",
        "gemeente-sittard-geleen",
        """(caseId: $id, partner: "partners-in-welzijn", grant: {municipality:
        "sittard-geleen", partnerKind: DISTRICT_TEAM, fields: ["reasons"],
        purposes: ["eviction_prevention"], validUntil: "2028-12-31"}) { field }""",
        one,
        case_id=case_id,
        signature=sig,
    )
    call(
        "releasePartner",
        "zowonen",
        '(caseId: $id, partner: "partners-in-welzijn") { id }',
        one,
        case_id=case_id,
        kind="mutation",
        signature=sig,
    )
    call(
        "involvePartner",
        "zowonen",
        '(caseId: $id, partner: "partners-in-welzijn", role: OUTREACH) { id }',
        one,
        case_id=case_id,
        kind="mutation",
        signature=sig,
    )
    call(
        "updateCase",
        "zowonen",
        "(id: $id, input: {arrearsMonths: 5}) { arrearsMonths }",
        one,
        case_id=case_id,
        kind="mutation",
        signature=sig,
    )
    registered = call(
        "registerCase",
        "zowonen",
        "(input: $input) { id }",
        {"input": NEW_CASE},
        case_id=None,
        kind="mutation",
        signature="($input: RegisterCaseInput!)",
    )
    # The front desk finds it by its exact address ("Proefweg 1", "6131 AA").
    found = call(
        "casesAtAddress",
        "gemeente-sittard-geleen",
        '(postalCode: "6131 AA", houseNumber: 1) { id }',
        case_id=registered["id"],
    )
    assert [c["id"] for c in found] == [registered["id"]]
    # And reports on its household ("Test Huishouden" there) across its cases.
    reported = call(
        "householdAccessReport",
        "gemeente-sittard-geleen",
        '(name: "Test Huishouden", postalCode: "6131 AA", houseNumber: 1) { cases { caseId } }',
        case_id=registered["id"],
    )
    assert registered["id"] in [c["caseId"] for c in reported["cases"]]


def _signal_and_coordination_channels(call: Channels, case_id: str) -> None:
    """A repeat signal, its reply clock, a collection pause, and the case's coordination."""
    one = {"id": case_id}
    mut = {"kind": "mutation", "signature": "($id: ID!)", "case_id": case_id}
    signal = f'{{signalledOn: "{_day()}", arrearsMonths: "2.5", arrearsAmount: "1900"}}'
    call("signalAgain", OWNER, f"(caseId: $id, input: {signal}) {{ id }}", one, **mut)
    call("answerSignal", MUNICIPALITY, "(caseId: $id, clock: HELP_OFFER) { id }", one, **mut)
    pause = f'{{pausedFrom: "{_day()}", reason: HELP_ACCEPTED}}'
    call("pauseCollection", OWNER, f"(caseId: $id, input: {pause}) {{ id }}", one, **mut)
    call("nameCoordinator", MUNICIPALITY, f'(caseId: $id, partner: "{TEAM}") {{ id }}', one, **mut)
    call("transferCoordination", MUNICIPALITY, f'(caseId: $id, to: "{OWNER}") {{ id }}', one, **mut)
    call(
        "setInvolvementContact",
        OWNER,
        '(caseId: $id, name: "Incasso-afdeling", phone: "0751234567") { id }',
        one,
        **mut,
    )


def _shelter_and_meeting_channels(call: Channels, case_id: str) -> None:
    """The municipality's shelter task of a scheduled eviction, and the eviction meeting."""
    one = {"id": case_id}
    sig = "($id: ID!)"
    call(
        "shelterTask", MUNICIPALITY, "(caseId: $id) { dueOn }", one, case_id=case_id, signature=sig
    )
    call(
        "reserveShelter",
        MUNICIPALITY,
        f"""(input: {{caseId: $id, kind: CRISIS_SHELTER, reservedFrom: "{_day()}",
        arrangedBy: "{MUNICIPALITY}"}}) {{ dueOn }}""",
        one,
        case_id=case_id,
        kind="mutation",
        signature=sig,
    )
    scheduled = call.gql(  # a meeting without cases: no case channel
        MUNICIPALITY,
        f"""mutation {{ scheduleMeeting(input: {{municipality: "zaanstad",
        kind: EVICTION_MEETING, heldOn: "{_day(7)}", chair: "{MUNICIPALITY}",
        participants: ["{MUNICIPALITY}", "{OWNER}"]}}) {{ id }} }}""",
    )
    meeting = scheduled["data"]["scheduleMeeting"]
    on_agenda = {"meeting": meeting["id"], **one}
    both = "($meeting: ID!, $id: ID!)"
    call(
        "addAgendaItem",
        MUNICIPALITY,
        "(meetingId: $meeting, caseId: $id) { id }",
        on_agenda,
        case_id=case_id,
        kind="mutation",
        signature=both,
    )
    call(
        "recordMeetingDecision",
        MUNICIPALITY,
        '(meetingId: $meeting, caseId: $id, note: "Woonbegeleiding aanbieden") { id }',
        on_agenda,
        case_id=case_id,
        kind="mutation",
        signature=both,
    )


def _aftercare_channels(call: Channels, case_id: str) -> None:
    """The household's new contact details after the eviction, and a follow-up."""
    one = {"id": case_id}
    sig = "($id: ID!)"
    mut = {"kind": "mutation", "signature": sig, "case_id": case_id}
    call(
        "recordAftercareContact",
        MUNICIPALITY,
        '(input: {caseId: $id, consent: IN_PERSON, phone: "0612345678"}) { phone }',
        one,
        **mut,
    )
    call(
        "aftercareContact",
        MUNICIPALITY,
        "(caseId: $id) { phone }",
        one,
        case_id=case_id,
        signature=sig,
    )
    scheduled = call(
        "scheduleFollowUp",
        MUNICIPALITY,
        f"""(input: {{caseId: $id, kind: CONTACT, assignee: "{TEAM}",
        dueOn: "{_day(14)}"}}) {{ id }}""",
        one,
        **mut,
    )
    call("followUps", TEAM, "(caseId: $id) { id }", one, case_id=case_id, signature=sig)
    call("followUpList", TEAM, "(assignedToMe: true) { id }", case_id=case_id)
    call(
        "recordFollowUpDone",
        TEAM,
        "(id: $item, outcome: REACHED) { id }",
        {"item": scheduled["id"]},
        case_id=case_id,
        kind="mutation",
        signature="($item: ID!)",
    )


def _lifecycle_and_inventory_channels(call: Channels, sessions: sessionmaker[Session]) -> None:
    """A Parteon case from arrears through eviction, stored goods and closure, annotated."""
    case_id = case_in(sessions, OWNER, Phase.ARREARS, THURSDAY.date())
    one = {"id": case_id}
    sig = "($id: ID!)"
    mut = {"kind": "mutation", "signature": sig, "case_id": case_id}
    call("moveCase", OWNER, "(id: $id, to: EARLY_SIGNAL) { phase }", one, **mut)
    _signal_and_coordination_channels(call, case_id)
    call("moveCase", OWNER, "(id: $id, to: COLLECTION) { phase }", one, **mut)
    call("requestJudgment", OWNER, f'(id: $id, requestedOn: "{_day()}") {{ phase }}', one, **mut)
    call("recordJudgment", OWNER, f'(id: $id, grantedOn: "{_day()}") {{ phase }}', one, **mut)
    schedule = f'(id: $id, date: "{_day()}", bailiff: "{BAILIFF}") {{ phase }}'
    call("scheduleEviction", OWNER, schedule, one, **mut)
    call("callOffEviction", OWNER, "(id: $id) { phase }", one, **mut)
    call("scheduleEviction", OWNER, schedule, one, **mut)
    _shelter_and_meeting_channels(call, case_id)
    call("carryOutEviction", OWNER, "(id: $id, outcome: EXECUTED) { phase }", one, **mut)
    call(
        "recordAftercare",
        OWNER,
        "(id: $id, input: {housingBlockUntilDebtSettled: true}) { phase }",
        one,
        **mut,
    )
    _aftercare_channels(call, case_id)
    conference = call(
        "addAnnotation",
        OWNER,
        f"""(input: {{caseId: $id, kind: CASE_CONFERENCE, occurredOn: "{_day()}",
        actionItems: [{{description: "bel de huurder", assignee: "{MUNICIPALITY}",
        dueOn: "{_day(7)}"}}]}}) {{ actionItems {{ id }} }}""",
        one,
        **mut,
    )
    call("annotations", OWNER, "(caseId: $id) { id }", one, case_id=case_id, signature=sig)
    call("actionItems", MUNICIPALITY, "(assignedToMe: true) { id }", case_id=case_id)
    call(
        "completeActionItem",
        MUNICIPALITY,
        "(id: $item) { id }",
        {"item": conference["actionItems"][0]["id"]},
        case_id=case_id,
        kind="mutation",
        signature="($item: ID!)",
    )
    call(
        "recordInventory",
        BAILIFF,
        f"""(input: {{caseId: $id, storageProvider: "{STORAGE}", locationCode: "ZD-1",
        description: "huisraad", volumeM3: "4.5", perishableOrDangerous: false,
        removedOn: "{_day()}", recordCopyHandedOverOn: "{_day()}"}}) {{ id }}""",
        one,
        **mut,
    )
    stored = call(
        "inventory",
        MUNICIPALITY,
        "(caseId: $id) { logIndexes }",
        one,
        case_id=case_id,
        signature=sig,
    )
    call("requestPickup", STORAGE, "(caseId: $id) { id }", one, **mut)
    contacts = call("municipalContacts", MUNICIPALITY, " { id caseId }", case_id=case_id)
    contact = next(c for c in contacts if c["caseId"] == case_id)
    call("inventoryClocks", MUNICIPALITY, "(withinDays: 14) { today }", case_id=case_id)
    call(
        "recordMunicipalContact",
        MUNICIPALITY,
        f"""(id: $contact, outcome: HELP_ACCEPTED, attempts: 1, contactedOn: "{_day()}")
        {{ id }}""",
        {"contact": contact["id"]},
        case_id=case_id,
        kind="mutation",
        signature="($contact: ID!)",
    )
    call("releasePickup", MUNICIPALITY, "(caseId: $id) { id }", one, **mut)
    code = call("issuePickupCode", MUNICIPALITY, "(caseId: $id) { pickupCode }", one, **mut)
    call(
        "verifyPickupCode",
        STORAGE,
        "(caseId: $id, code: $code) { accepted }",
        {**one, "code": code["pickupCode"]},
        case_id=case_id,
        kind="mutation",
        signature="($id: ID!, $code: String!)",
    )
    call(
        "recordCollection", STORAGE, f'(caseId: $id, collectedOn: "{_day()}") {{ id }}', one, **mut
    )
    call(
        "auditLogEntry",
        MUNICIPALITY,
        "(index: $index) { entry { opening { eventType } } }",
        {"index": stored["logIndexes"][0]},
        case_id=case_id,
        signature="($index: Int!)",
    )
    call("closeCase", OWNER, "(id: $id, outcome: EVICTED) { phase }", one, **mut)

    perishable = evicted_case(sessions, OWNER, THURSDAY.date(), bailiff=BAILIFF, exclude=(case_id,))
    other = {"id": perishable}
    call(
        "recordInventory",
        BAILIFF,
        f"""(input: {{caseId: $id, storageProvider: "{STORAGE}", locationCode: "ZD-2",
        description: "koelkast", volumeM3: "1", perishableOrDangerous: true,
        removedOn: "{_day()}", recordCopyHandedOverOn: "{_day()}"}}) {{ id }}""",
        other,
        case_id=perishable,
        kind="mutation",
        signature=sig,
    )
    call(
        "recordDisposal",
        MUNICIPALITY,
        f'(input: {{caseId: $id, disposition: DESTROYED, disposedOn: "{_day()}"}}) {{ id }}',
        other,
        case_id=perishable,
        kind="mutation",
        signature=sig,
    )
    call(
        "eraseHousehold",
        MUNICIPALITY,
        "(caseId: $id) { caseId }",
        other,
        case_id=perishable,
        kind="mutation",
        signature=sig,
    )


def _signature(key: DemoKey, text: str) -> str:
    return base64.b64encode(load_private_key(key.private_key).sign(text.encode())).decode()


def _agreement_channels(
    call: Channels, sessions: sessionmaker[Session], demo_keys: dict[str, DemoKey], clock: Clock
) -> None:
    """A second-chance agreement from proposal to closure."""
    with sessions() as session:
        taken = select(SecondChanceAgreement.case_id)
        case_id = str(
            session.scalars(
                select(Case.id)
                .where(Case.owner_id == "nijestee", Case.id.not_in(taken))
                .order_by(Case.registered_at)
            ).first()
        )
    sig = "($id: ID!)"
    for partner in ("bureau-woonkans", "wij-groningen"):  # as the agreement tests do
        call.gql(
            "nijestee",
            """mutation($c: ID!, $p: String!) { involvePartner(caseId: $c,
            partner: $p, role: SECOND_CHANCE) { id } }""",
            {"c": case_id, "p": partner},
        )
    today = clock.now.date()
    proposed = call(
        "proposeAgreement",
        "bureau-woonkans",
        "(input: $input) { id text }",
        {
            "input": {
                "caseId": case_id,
                "kind": "STAY",
                "parties": PARTIES,
                "conditions": [{"type": "PAY_RENT_ON_TIME"}],
                "termStart": today.isoformat(),
                "termEnd": (today + dt.timedelta(days=364)).isoformat(),
                "reviewIntervalDays": 91,
            }
        },
        case_id=case_id,
        kind="mutation",
        signature="($input: ProposeAgreementInput!)",
    )
    agreement = {"id": proposed["id"]}
    for partner in PARTIES:
        key = demo_keys[partner]
        call(
            "signAgreement",
            partner,
            "(id: $id, keyId: $kid, signature: $sig) { id }",
            {**agreement, "kid": key.kid, "sig": _signature(key, proposed["text"])},
            case_id=case_id,
            kind="mutation",
            signature="($id: ID!, $kid: String!, $sig: String!)",
        )
    call(
        "recordHouseholdConsent",
        "bureau-woonkans",
        f'(id: $id, consentedOn: "{today}") {{ status }}',
        agreement,
        case_id=case_id,
        kind="mutation",
        signature=sig,
    )
    call("agreement", "nijestee", "(id: $id) { id }", agreement, case_id=case_id, signature=sig)
    call(
        "agreements",
        "nijestee",
        "(caseId: $id) { id }",
        {"id": case_id},
        case_id=case_id,
        signature=sig,
    )
    clock.advance(days=85)
    call("agreementReviewsDue", "bureau-woonkans", "(withinDays: 14) { caseId }", case_id=case_id)
    call(
        "recordAgreementReview",
        "bureau-woonkans",
        "(id: $id, review: 1, checks: [{condition: 1, met: true}]) { id }",
        agreement,
        case_id=case_id,
        kind="mutation",
        signature=sig,
    )
    call(
        "closeAgreement",
        "bureau-woonkans",
        "(id: $id, outcome: ENDED_OTHERWISE) { status }",
        agreement,
        case_id=case_id,
        kind="mutation",
        signature=sig,
    )


def test_every_case_channel_is_called_here_or_judged_free_of_case_data() -> None:
    channels = case_channels()
    assert not channels & JUDGED_CASE_FREE, channels & JUDGED_CASE_FREE
    known = CALLED | set(NO_CASE_DATA)
    assert channels - known == set(), "call these in this module, or say why they reveal nothing"
    assert known - channels == set(), "no longer case channels: remove them here"


#: The operations the test below calls (kept in step with it by the test above and below).
CALLED = frozenset(
    {
        "addAgendaItem",
        "aftercareContact",
        "answerSignal",
        "followUpList",
        "followUps",
        "recordAftercareContact",
        "recordFollowUpDone",
        "scheduleFollowUp",
        "issuePickupCode",
        "nameCoordinator",
        "pauseCollection",
        "recordMeetingDecision",
        "reserveShelter",
        "setInvolvementContact",
        "shelterTask",
        "signalAgain",
        "transferCoordination",
        "verifyPickupCode",
        "accessHistory",
        "accessReport",
        "actionItems",
        "addAnnotation",
        "agreement",
        "agreementReviewsDue",
        "agreements",
        "annotations",
        "auditLogEntry",
        "callOffEviction",
        "carryOutEviction",
        "case",
        "cases",
        "casesAtAddress",
        "closeAgreement",
        "closeCase",
        "completeActionItem",
        "dryRunGrant",
        "eraseHousehold",
        "explainAccess",
        "householdAccessReport",
        "inventory",
        "inventoryClocks",
        "involvePartner",
        "moveCase",
        "municipalContacts",
        "proposeAgreement",
        "recordAftercare",
        "recordAgreementReview",
        "recordCollection",
        "recordDisposal",
        "recordHouseholdConsent",
        "recordInventory",
        "recordJudgment",
        "recordMunicipalContact",
        "registerCase",
        "releasePartner",
        "releasePickup",
        "requestJudgment",
        "requestPickup",
        "scheduleEviction",
        "signAgreement",
        "updateCase",
    }
)


def test_every_case_channel_writes_an_access_log_record(
    channels: Channels,
    sessions: sessionmaker[Session],
    demo_keys: dict[str, DemoKey],
    on_thursday: Clock,
) -> None:
    _case_channels(channels, sessions)
    _lifecycle_and_inventory_channels(channels, sessions)
    _agreement_channels(channels, sessions, demo_keys, on_thursday)
    assert channels.silent == []
    assert channels.called == CALLED
