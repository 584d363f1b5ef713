"""Who is shown what of a signed-log entry, through the real app: every partner reads every
sealed leaf; an entry's event (its opening) reaches only a partner that may read the fields it
reveals, and that release is access-logged. For every event type the log records, a partner
with no relation to the case, one that relates to it but may not read those fields, and one
that may, read the entry: only the last is shown the event, and the first two get the very
same answer."""

from __future__ import annotations

import base64
import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clients.tokens import load_private_key
from clients.verify import verify_checkpoint, verify_inclusion, verify_opening
from registry.auditlog import EventType
from registry.auditlog.sequencer import read_state
from registry.events import LOG_EVENT_FIELDS
from registry.models import AccessLogRecord, Case, Phase, SecondChanceAgreement
from tests.arrange import case_in, evicted_case
from tests.conftest import DEMO_TODAY, Clock, DemoKey, GraphQL

#: A Thursday near the demo's day (the municipal contact counts working days).
THURSDAY = dt.datetime.combine(DEMO_TODAY + dt.timedelta(days=3), dt.time(10), dt.UTC)
ENTRY = """query LogEntry($index: Int!) { auditLogEntry(index: $index) {
  treeSize inclusionProof checkpoint { size note }
  entry { index format data leafHash submitter appendedAt eventClass
    opening { data eventType caseId partnerKeyId partnerSignature signedSha256 } } } }"""

#: Per event type: (no relation, relates but may not read the fields, may read them).
Readers = tuple[str, str, str]
Step = Callable[..., list[int]]


@pytest.fixture
def on_thursday(clock: Clock) -> Clock:
    clock.now = THURSDAY  # tokens are signed and checked on this clock too
    return clock


@pytest.fixture
def step(gql: GraphQL, sessions: sessionmaker[Session]) -> Step:
    """Run a mutation that must succeed; returns the indexes of the log entries it appended."""

    def run(
        partner: str, query: str, variables: dict[str, Any] | None = None, **token: Any
    ) -> list[int]:
        with sessions() as session:
            before = read_state(session).size
        body = gql(partner, query, variables, **token)
        assert "errors" not in body, body
        with sessions() as session:
            return list(range(before, read_state(session).size))

    return run


def _traced(gql: GraphQL, partner: str, index: int) -> tuple[dict[str, Any], str]:
    trace = secrets.token_hex(16)
    body = gql(
        partner,
        ENTRY,
        {"index": index},
        headers={"traceparent": f"00-{trace}-{secrets.token_hex(8)}-01"},
    )
    assert "errors" not in body, body
    return body["data"]["auditLogEntry"], trace


def _records(sessions: sessionmaker[Session], trace: str) -> list[AccessLogRecord]:
    with sessions() as session:
        return list(
            session.scalars(select(AccessLogRecord).where(AccessLogRecord.trace_id == trace))
        )


def _check(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    vkey: str,
    index: int,
    event_type: str,
    case_id: str | None,
    readers: Readers,
) -> None:
    uninvolved, without, allowed = readers
    answers = {partner: _traced(gql, partner, index) for partner in readers}
    (blind, blind_trace), (withheld, withheld_trace) = answers[uninvolved], answers[without]
    shown, shown_trace = answers[allowed]
    context = f"{event_type} (entry {index})"
    # No relation and no field: the same answer, the leaf and its proof without the event.
    assert blind == withheld, context
    assert withheld["entry"]["opening"] is None, context
    assert {**shown, "entry": {**shown["entry"], "opening": None}} == withheld, context
    # Every partner proves the leaf is in the log; it holds no case content.
    data = withheld["entry"]["data"]
    checkpoint = verify_checkpoint(withheld["checkpoint"]["note"], vkey)
    proof = [base64.b64decode(h) for h in withheld["inclusionProof"]]
    verify_inclusion(data.encode(), index, checkpoint.size, proof, checkpoint.root)
    assert withheld["entry"]["format"] == 2
    assert event_type not in data and (case_id is None or case_id not in data), context
    # The partner that may read the fields is shown the event, and checks it against the leaf.
    opening = shown["entry"]["opening"]
    assert opening is not None, context
    assert opening["eventType"] == event_type
    assert opening["caseId"] == case_id
    assert verify_opening(data.encode(), opening["data"].encode())["type"] == event_type
    # The release is a disclosure of the case's fields; the refusal to a partner that relates
    # to the case is logged as withheld; a partner with no relation left no record.
    if case_id is None:  # a policy change: no case data, no record
        assert _records(sessions, shown_trace) == []
        return
    fields = sorted(LOG_EVENT_FIELDS[event_type])
    [released] = _records(sessions, shown_trace)
    assert (str(released.case_id), released.fields_disclosed) == (case_id, fields)
    [refused] = _records(sessions, withheld_trace)
    assert (str(refused.case_id), refused.fields_disclosed, refused.fields_withheld) == (
        case_id,
        [],
        fields,
    )
    assert refused.outcome == "withheld"
    assert _records(sessions, blind_trace) == []


def _signature(key: DemoKey, text: str) -> str:
    return base64.b64encode(load_private_key(key.private_key).sign(text.encode())).decode()


AGREEMENT = "id text"
PARTIES = ["nijestee", "bureau-woonkans", "wij-groningen"]
#: Involved in the case, with a covenant that releases none of an agreement's fields.
CARE = "meldpunt-overlast-en-zorg"


def _agreement_events(
    gql: GraphQL, sessions: sessionmaker[Session], step: Step, keys: dict[str, DemoKey]
) -> tuple[str, list[tuple[int, str]]]:
    """Every kind of agreement event, for a fresh Nijestee case: (case id, (index, type))."""
    today = THURSDAY.date()
    with sessions() as session:
        case_id = str(
            session.scalars(
                select(Case.id)
                .where(
                    Case.owner_id == "nijestee",
                    Case.id.not_in(select(SecondChanceAgreement.case_id)),
                )
                .order_by(Case.registered_at)
            ).first()
        )
    for partner, role in (
        ("bureau-woonkans", "SECOND_CHANCE"),
        ("wij-groningen", "HOME_VISITS"),
        ("ehbg-groningen", "DEBT_COUNSELLING"),
        (CARE, "CARE"),
    ):
        body = gql(
            "nijestee",
            """mutation($c: ID!, $p: String!, $r: InvolvementRole!) {
            involvePartner(caseId: $c, partner: $p, role: $r) { id } }""",
            {"c": case_id, "p": partner, "r": role},
        )
        assert [e["extensions"]["code"] for e in body.get("errors", [])] in ([], ["CONFLICT"])
    draft = {
        "caseId": case_id,
        "kind": "STAY",
        "parties": PARTIES,
        "conditions": [{"type": "PAY_RENT_ON_TIME"}, {"type": "NO_NUISANCE"}],
        "termStart": today.isoformat(),
        "termEnd": (today + dt.timedelta(days=364)).isoformat(),
        "reviewIntervalDays": 91,
    }
    body = gql(
        "bureau-woonkans",
        f"mutation($d: ProposeAgreementInput!) {{ proposeAgreement(input: $d) {{ {AGREEMENT} }} }}",
        {"d": draft},
    )
    agreement = body["data"]["proposeAgreement"]
    with sessions() as session:
        logged = [(read_state(session).size - 1, "agreement.proposed")]
    for partner in PARTIES:
        key = keys[partner]
        [signed] = step(
            partner,
            """mutation($id: ID!, $k: String!, $s: String!) {
            signAgreement(id: $id, keyId: $k, signature: $s) { id } }""",
            {"id": agreement["id"], "k": key.kid, "s": _signature(key, agreement["text"])},
        )
        logged.append((signed, "agreement.signed"))
    consent, activated = step(
        "bureau-woonkans",
        """mutation($id: ID!, $on: Date!) {
        recordHouseholdConsent(id: $id, consentedOn: $on) { id } }""",
        {"id": agreement["id"], "on": today.isoformat()},
    )
    logged += [(consent, "agreement.consent_recorded"), (activated, "agreement.activated")]
    [review] = step(
        "bureau-woonkans",
        """mutation($id: ID!) { recordAgreementReview(id: $id, review: 1, checks: [
        {condition: 1, met: true}, {condition: 2, met: false, note: "overlast gemeld"}]) {
        id } }""",
        {"id": agreement["id"]},
    )
    [closed] = step(
        "bureau-woonkans",
        "mutation($id: ID!) { closeAgreement(id: $id, outcome: BREACHED) { id } }",
        {"id": agreement["id"]},
    )
    logged += [(review, "agreement.review_recorded"), (closed, "agreement.closed")]
    return case_id, logged


#: The order in which the agreement scenario logs its events.
AGREEMENT_EVENTS = [
    "agreement.proposed",
    *["agreement.signed"] * len(PARTIES),
    "agreement.consent_recorded",
    "agreement.activated",
    "agreement.review_recorded",
    "agreement.closed",
]
#: The order in which the eviction and inventory scenario logs its events (then a disposal).
CASE_EVENTS = [
    "eviction.scheduled",
    "eviction.called_off",
    "eviction.scheduled",
    "eviction.carried_out",
    "inventory.stored",
    "inventory.pickup_requested",
    "municipal_contact.opened",
    "municipal_contact.outcome_recorded",
    "inventory.pickup_released",
    "inventory.collected",
]
POLICY_EVENTS = [
    "policy.grant_issued",
    "policy.revoked",
    "policy.restriction_issued",
    "policy.four_eyes_set",
    "policy.grant_approved",
    "policy.involvement_rule_issued",
    "policy.involvement_rule_revoked",
]
#: The order in which the coordination scenario logs its case events.
COORDINATION_EVENTS = [
    "involvement.partner_involved",
    "coordination.named",
    "involvement.partner_involved",
    "involvement.partner_released",
    "involvement.partner_involved",
    "coordination.transferred",
]


def test_the_scenarios_below_log_every_event_type() -> None:
    tried = {
        *AGREEMENT_EVENTS,
        *CASE_EVENTS,
        "inventory.disposed",
        *POLICY_EVENTS,
        *COORDINATION_EVENTS,
        "shelter.reserved",
        "case.erased",  # test_an_erasure_is_logged_with_ids_only
        # tests/registry/aftercare: the consent's manner and a follow-up's outcome code
        "aftercare.contact_recorded",
        "aftercare.follow_up_done",
    }
    assert tried == {str(t) for t in EventType}
    # Every case event reveals named fields: none is shown to everyone, or to no one.
    assert set(LOG_EVENT_FIELDS) == tried - set(POLICY_EVENTS)


def test_an_erasure_is_logged_with_ids_only_and_its_opening_goes_with_the_case(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    case_id = case_in(sessions, "zowonen", Phase.COLLECTION, DEMO_TODAY)
    with sessions() as session:
        index = read_state(session).size
    erased = gql(
        "zowonen", "mutation($id: ID!) { eraseHousehold(caseId: $id) { caseId } }", {"id": case_id}
    )
    assert "errors" not in erased, erased
    with sessions() as session:
        assert read_state(session).size == index + 1
    for partner in ("zowonen", "gemeente-sittard-geleen"):
        body = gql(partner, ENTRY, {"index": index})
        assert "errors" not in body, body
        entry = body["data"]["auditLogEntry"]["entry"]
        assert case_id not in entry["data"]  # the leaf names no case
        # The case is gone, and with it anyone's relation to it: its opening is shown to no one.
        assert entry["opening"] is None


@pytest.mark.usefixtures("on_thursday")
def test_agreement_events_reach_only_partners_that_may_read_their_fields(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    step: Step,
    demo_keys: dict[str, DemoKey],
    client: Any,
) -> None:
    vkey = client.get("/log/key").text.strip()
    case_id, logged = _agreement_events(gql, sessions, step, demo_keys)
    assert [kind for _, kind in logged] == AGREEMENT_EVENTS
    for index, kind in logged:
        _check(
            gql,
            sessions,
            vkey,
            index,
            kind,
            case_id,
            ("kerckhoffs-lasonder", CARE, "bureau-woonkans"),
        )
    # EHBG is party to none of it but reads an agreement's terms: the proposal, not how the
    # household did at its review (issue 9: it read "met":[2],"notMet":[1]).
    review = next(index for index, kind in logged if kind == "agreement.review_recorded")
    proposal = next(index for index, kind in logged if kind == "agreement.proposed")
    _check(
        gql,
        sessions,
        vkey,
        review,
        "agreement.review_recorded",
        case_id,
        ("parteon", "ehbg-groningen", "nijestee"),
    )
    assert _traced(gql, "ehbg-groningen", proposal)[0]["entry"]["opening"] is not None


@pytest.mark.usefixtures("on_thursday")
def test_eviction_and_inventory_events_reach_only_partners_that_may_read_their_fields(
    gql: GraphQL, sessions: sessionmaker[Session], step: Step, client: Any
) -> None:
    vkey = client.get("/log/key").text.strip()
    today = THURSDAY.date().isoformat()
    team, bailiff, storage, town = (
        "wijkteam-zaandam-noord",
        "kerckhoffs-lasonder",
        "opslag-zaanstad",
        "gemeente-zaanstad",
    )
    case_id = case_in(sessions, "parteon", Phase.JUDGMENT_SERVED, THURSDAY.date(), involved=(team,))
    schedule = """mutation($id: ID!, $on: Date!) { scheduleEviction(id: $id, date: $on,
        bailiff: "kerckhoffs-lasonder") { id } }"""
    by_case = {"id": case_id, "on": today}
    logged = step("parteon", schedule, by_case)
    logged += step("parteon", "mutation($id: ID!) { callOffEviction(id: $id) { id } }", by_case)
    logged += step("parteon", schedule, by_case)
    logged += step(
        "parteon",
        "mutation($id: ID!) { carryOutEviction(id: $id, outcome: EXECUTED) { id } }",
        by_case,
    )
    record = """mutation($c: ID!, $on: Date!, $perishable: Boolean!) { recordInventory(input: {
        caseId: $c, storageProvider: "opslag-zaanstad", locationCode: "ZD-H12-04",
        description: "huisraad: bankstel, tafel", removedOn: $on, recordCopyHandedOverOn: $on,
        perishableOrDangerous: $perishable}) { id } }"""
    logged += step(bailiff, record, {"c": case_id, "on": today, "perishable": False})
    logged += step(
        storage, "mutation($c: ID!) { requestPickup(caseId: $c) { id } }", {"c": case_id}
    )
    contacts = gql(town, "{ municipalContacts { id caseId } }")["data"]["municipalContacts"]
    contact = next(c["id"] for c in contacts if c["caseId"] == case_id)
    logged += step(
        town,
        """mutation($id: ID!, $on: Date!) { recordMunicipalContact(id: $id,
        outcome: HELP_ACCEPTED, attempts: 1, contactedOn: $on) { id } }""",
        {"id": contact, "on": today},
    )
    logged += step(town, "mutation($c: ID!) { releasePickup(caseId: $c) { id } }", {"c": case_id})
    logged += step(
        storage,
        "mutation($c: ID!, $on: Date!) { recordCollection(caseId: $c, collectedOn: $on) { id } }",
        {"c": case_id, "on": today},
    )
    # Perishable goods of another evicted household may be destroyed at once.
    other = evicted_case(sessions, "parteon", THURSDAY.date(), bailiff=bailiff, exclude=(case_id,))
    disposal = step(bailiff, record, {"c": other, "on": today, "perishable": True})
    disposal += step(
        town,
        """mutation($c: ID!, $on: Date!) { recordDisposal(input: {caseId: $c,
        disposition: DESTROYED, disposedOn: $on}) { id } }""",
        {"c": other, "on": today},
    )
    eviction: Readers = ("nijestee", team, "parteon")
    goods: Readers = ("nijestee", storage, bailiff)
    # Parteon owns the case but may not read how the household answered the municipality
    # (issue 9: it read "outcome":"help_accepted").
    contact_readers: Readers = ("nijestee", "parteon", town)
    readers: list[Readers] = [
        *[eviction] * 4,
        goods,
        goods,
        contact_readers,
        contact_readers,
        ("nijestee", team, storage),
        goods,
    ]
    for index, kind, who in zip(logged, CASE_EVENTS, readers, strict=True):
        _check(gql, sessions, vkey, index, kind, case_id, who)
    _check(
        gql, sessions, vkey, disposal[-1], "inventory.disposed", other, ("nijestee", bailiff, town)
    )


@pytest.mark.usefixtures("on_thursday")
def test_a_shelter_reservation_reaches_only_partners_that_may_read_the_task(
    gql: GraphQL, sessions: sessionmaker[Session], step: Step, client: Any
) -> None:
    vkey = client.get("/log/key").text.strip()
    team = "wijkteam-zaandam-noord"
    case_id = case_in(sessions, "parteon", Phase.JUDGMENT_SERVED, THURSDAY.date(), involved=(team,))
    on = (THURSDAY.date() + dt.timedelta(days=14)).isoformat()
    step(
        "parteon",
        """mutation($id: ID!, $on: Date!) { scheduleEviction(id: $id, date: $on,
        bailiff: "kerckhoffs-lasonder") { id } }""",
        {"id": case_id, "on": on},
    )
    [reserved] = step(
        "gemeente-zaanstad",
        """mutation($c: ID!, $on: Date!) { reserveShelter(input: {caseId: $c,
        kind: SOCIAL_SHELTER, reservedFrom: $on, arrangedBy: "gemeente-zaanstad"}) { id } }""",
        {"c": case_id, "on": on},
    )
    _check(
        gql, sessions, vkey, reserved, "shelter.reserved", case_id, ("nijestee", team, "parteon")
    )


def test_policy_changes_reach_their_issuer_and_the_covenant_s_partners(
    gql: GraphQL, sessions: sessionmaker[Session], step: Step, client: Any
) -> None:
    vkey = client.get("/log/key").text.strip()
    [granted] = step(
        "gemeente-groningen",
        """mutation { issueGrant(input: {municipality: "groningen", partnerKind: WELFARE,
        fields: ["evictionDate"], purpose: "outreach", purposes: ["eviction_prevention"]}) {
        id } }""",
    )
    elsewhere: Readers = ("kerckhoffs-lasonder", "parteon", "bureau-woonkans")
    _check(gql, sessions, vkey, granted, "policy.grant_issued", None, elsewhere)
    policy = gql("gemeente-groningen", "{ policies { id } }")["data"]["policies"][-1]["id"]
    [revoked] = step(
        "gemeente-groningen",
        "mutation($id: ID!) { revokePolicy(id: $id) { id } }",
        {"id": policy},
    )
    _check(gql, sessions, vkey, revoked, "policy.revoked", None, elsewhere)
    # Four eyes: the rule and an approval, shown like the grants they concern.
    [four_eyes] = step(
        "gemeente-groningen",
        'mutation { requireFourEyes(municipality: "groningen", required: true) }',
    )
    _check(gql, sessions, vkey, four_eyes, "policy.four_eyes_set", None, elsewhere)
    step(
        "gemeente-groningen",
        """mutation { issueGrant(input: {municipality: "groningen", partnerKind: WELFARE,
        fields: ["evictionDate"], purposes: ["eviction_prevention"]}) { id } }""",
        act="officer-1",
    )
    pending = gql("gemeente-groningen", "{ policies { id } }")["data"]["policies"][-1]["id"]
    [approved] = step(
        "gemeente-groningen",
        "mutation($id: ID!) { approveGrant(id: $id) { id } }",
        {"id": pending},
        act="officer-2",
    )
    _check(gql, sessions, vkey, approved, "policy.grant_approved", None, elsewhere)
    # A corporation's restriction is its own business: not even the partners it restricts,
    # who work on its cases, are shown it.
    [restricted] = step(
        "zowonen",
        """mutation { issueRestriction(input: {sharedFields: ["evictionDate"],
        partnerKind: WELFARE}) { id } }""",
    )
    _check(
        gql,
        sessions,
        vkey,
        restricted,
        "policy.restriction_issued",
        None,
        ("nijestee", "partners-in-welzijn", "zowonen"),
    )


def test_coordination_and_involvement_events_reach_only_partners_that_may_read_them(
    gql: GraphQL, sessions: sessionmaker[Session], step: Step, client: Any
) -> None:
    vkey = client.get("/log/key").text.strip()
    town, chair, budget = "gemeente-deventer", "meldpunt-bijzondere-zorg", "bad-deventer"
    case_id = case_in(
        sessions, "ieder1", Phase.EARLY_SIGNAL, THURSDAY.date(), involved=("flanderijn",)
    )
    by_case = {"c": case_id}
    logged = step(
        town,
        """mutation($c: ID!) { nameCoordinator(caseId: $c,
        partner: "meldpunt-bijzondere-zorg") { id } }""",
        by_case,
    )
    [issued] = step(
        town,
        """mutation { allowInvolvement(municipality: "deventer", partnerKind: CREDIT_BANK,
        byCoordinator: true) { id } }""",
    )
    involve = """mutation($c: ID!) { involvePartner(caseId: $c, partner: "bad-deventer",
        role: DEBT_COUNSELLING) { id } }"""
    logged += step(chair, involve, by_case)
    logged += step(
        chair,
        'mutation($c: ID!) { releasePartner(caseId: $c, partner: "bad-deventer") { id } }',
        by_case,
    )
    logged += step(
        chair,
        'mutation($c: ID!) { transferCoordination(caseId: $c, to: "bad-deventer") { id } }',
        by_case,
    )
    rule = gql(town, '{ involvementRules(municipality: "deventer") { id } }')
    [revoked] = step(
        town,
        "mutation($id: ID!) { revokeInvolvementRule(id: $id) { id } }",
        {"id": rule["data"]["involvementRules"][0]["id"]},
    )
    # The bailiff works on the case but reads neither its involvements nor its coordinator;
    # the care coordinator reads both (what a home visit needs).
    for index, kind in zip(logged, COORDINATION_EVENTS, strict=True):
        _check(gql, sessions, vkey, index, kind, case_id, ("nijestee", "flanderijn", chair))
    # A covenant rule is known to the partners working in the municipality.
    covenant: Readers = ("kerckhoffs-lasonder", "parteon", budget)
    _check(gql, sessions, vkey, issued, "policy.involvement_rule_issued", None, covenant)
    _check(gql, sessions, vkey, revoked, "policy.involvement_rule_revoked", None, covenant)


def test_a_policy_change_reaches_the_log_s_readers_at_once(
    gql: GraphQL, sessions: sessionmaker[Session], step: Step, on_thursday: Clock
) -> None:
    team = "wijkteam-zaandam-noord"
    case_id = case_in(sessions, "parteon", Phase.JUDGMENT_SERVED, THURSDAY.date(), involved=(team,))
    [scheduled] = step(
        "parteon",
        """mutation($id: ID!, $on: Date!) { scheduleEviction(id: $id, date: $on,
        bailiff: "kerckhoffs-lasonder") { id } }""",
        {"id": case_id, "on": THURSDAY.date().isoformat()},
    )
    assert _traced(gql, team, scheduled)[0]["entry"]["opening"] is None
    step(
        "gemeente-zaanstad",
        """mutation { issueGrant(input: {municipality: "zaanstad",
        partner: "wijkteam-zaandam-noord", fields: ["eviction"],
        purposes: ["eviction_prevention"]}) { id } }""",
    )
    opening = _traced(gql, team, scheduled)[0]["entry"]["opening"]
    assert opening is not None
    assert opening["caseId"] == case_id
