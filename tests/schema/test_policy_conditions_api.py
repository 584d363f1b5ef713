"""Policies with conditions through the real app: a request's purpose decides what grants
release, a case's phase what the covenant and an owner's restriction say, a grant's period
when it applies; processing purposes are registered per municipality."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from registry.models import AccessLogRecord, Phase, ProcessingPurpose
from tests.arrange import involved_case
from tests.conftest import Clock, GraphQL
from tests.helpers import error_codes

CASE = """query($id: ID!) { case(id: $id) { id phase evictionDate contactName arrearsMonths
  withheld } }"""
EXPLAIN = """query($id: ID!, $p: String, $purpose: String) {
  explainAccess(caseId: $id, partner: $p, purpose: $purpose) {
    partner purpose phase decisions { field allowed decidedBy } } }"""
ISSUE_GRANT = """mutation($input: GrantInput!) { issueGrant(input: $input) {
  id subject phases purposes validFrom validUntil pending } }"""
REGISTER = """mutation($m: String!, $id: String!, $d: String!) {
  registerPurpose(municipality: $m, id: $id, description: $d) { municipality id description } }"""
PURPOSES = "query($m: String!) { purposes(municipality: $m) { id description } }"

PIW = "partners-in-welzijn"


def _case(gql: GraphQL, case_id: str, **token: Any) -> dict[str, Any]:
    body = gql(PIW, CASE, {"id": case_id}, **token)
    assert "errors" not in body, body
    case: dict[str, Any] = body["data"]["case"]
    return case


def test_zowonens_example_in_both_phases(gql: GraphQL, sessions: sessionmaker[Session]) -> None:
    early = involved_case(sessions, PIW, "zowonen", phase=Phase.EARLY_SIGNAL)
    # Early, for debt help, the home visitor sees who and where, whatever ZOwonen restricts
    # later on.
    home_visit = _case(gql, early, purpose="schuldhulpverlening")
    assert home_visit["contactName"] and home_visit["arrearsMonths"] is not None
    # From the court phase on, ZOwonen shares only the eviction date.
    involved_case(sessions, PIW, "zowonen", phase=Phase.COURT)
    court = _case(gql, early, purpose="schuldhulpverlening")
    assert court["contactName"] is None and "contactName" in court["withheld"]
    later = _case(gql, early, purpose="eviction_prevention")
    assert later["contactName"] is None and "evictionDate" not in later["withheld"]


def test_no_purpose_or_a_purpose_no_grant_names_releases_only_the_built_in_rules(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    case_id = involved_case(sessions, PIW, "zowonen", phase=Phase.EARLY_SIGNAL)
    for purpose in (None, "marketing_campagne"):
        case = _case(gql, case_id, purpose=purpose)
        assert case["contactName"] is None and case["arrearsMonths"] is None
        assert "contactName" in case["withheld"] and "phase" in case["withheld"]
    # The municipality's statutory fields are built in: no purpose needed.
    body = gql("gemeente-sittard-geleen", CASE, {"id": case_id}, purpose=None)
    assert body["data"]["case"]["contactName"]
    # Every access-log record names the purpose the request named (or that it named none).
    with sessions() as session:
        purposes = set(
            session.scalars(
                select(AccessLogRecord.purpose).where(AccessLogRecord.partner_id == PIW)
            )
        )
    assert {"unspecified", "marketing_campagne"} <= purposes


def test_explain_access_shows_the_purpose_and_phase_it_decided_for(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    case_id = involved_case(sessions, PIW, "zowonen", phase=Phase.COLLECTION)
    mine = gql(PIW, EXPLAIN, {"id": case_id}, purpose="schuldhulpverlening")
    explanation = mine["data"]["explainAccess"]
    assert (explanation["purpose"], explanation["phase"]) == ("schuldhulpverlening", "collection")
    decisions = {d["field"]: d for d in explanation["decisions"]}
    assert decisions["contactName"]["allowed"] is True
    # The owner asks what Partners in Welzijn would see for another purpose.
    theirs = gql("zowonen", EXPLAIN, {"id": case_id, "p": PIW, "purpose": "marketing_campagne"})
    explained = theirs["data"]["explainAccess"]
    assert explained["purpose"] == "marketing_campagne"
    assert not any(d["allowed"] for d in explained["decisions"])


def test_a_grant_applies_in_its_phases_and_its_period(
    gql: GraphQL, sessions: sessionmaker[Session], clock: Clock
) -> None:
    case_id = involved_case(sessions, "ehbg-groningen", "nijestee", phase=Phase.COURT)
    today = clock.now.date()
    issued = gql(
        "gemeente-groningen",
        ISSUE_GRANT,
        {
            "input": {
                "municipality": "groningen",
                "partnerKind": "CREDIT_BANK",
                "fields": ["reasons"],
                "purposes": ["eviction_prevention"],
                "phases": ["court"],
                "validFrom": today.isoformat(),
                "validUntil": today.replace(year=today.year + 1).isoformat(),
            }
        },
    )
    policy = issued["data"]["issueGrant"]
    assert policy["phases"] == ["court"] and policy["purposes"] == ["eviction_prevention"]
    read = "query($id: ID!) { case(id: $id) { reasons } }"
    assert gql("ehbg-groningen", read, {"id": case_id})["data"]["case"]["reasons"]
    involved_case(sessions, "ehbg-groningen", "nijestee", phase=Phase.EVICTION)
    assert gql("ehbg-groningen", read, {"id": case_id})["data"]["case"]["reasons"] is None
    involved_case(sessions, "ehbg-groningen", "nijestee", phase=Phase.COURT)
    clock.advance(days=400)  # past the grant's end
    assert gql("ehbg-groningen", read, {"id": case_id})["data"]["case"]["reasons"] is None


def test_a_municipality_registers_its_purposes(gql: GraphQL) -> None:
    registered = gql(
        "gemeente-groningen",
        REGISTER,
        {"m": "groningen", "id": "nazorg", "d": "Nazorg na ontruiming"},
    )
    assert registered["data"]["registerPurpose"] == {
        "municipality": "groningen",
        "id": "nazorg",
        "description": "Nazorg na ontruiming",
    }
    listed = gql("wij-groningen", PURPOSES, {"m": "groningen"})["data"]["purposes"]
    assert [p["id"] for p in listed] == ["eviction_prevention", "nazorg", "schuldhulpverlening"]


def test_bad_purpose_registrations_change_nothing(gql: GraphQL) -> None:
    cases = [
        ("gemeente-zaanstad", "groningen", "x", "d", "NOT_ALLOWED", "only for its own"),
        ("zowonen", "groningen", "x", "d", "NOT_ALLOWED", "only a municipality registers"),
        ("gemeente-groningen", "groningen", "unspecified", "d", "INVALID_INPUT", "naming no"),
        ("gemeente-groningen", "groningen", "a b", "d", "INVALID_INPUT", "must be 1 to 64"),
        ("gemeente-groningen", "groningen", "x", " ", "INVALID_INPUT", "has a description"),
        ("gemeente-groningen", "atlantis", "x", "d", "INVALID_INPUT", "unknown municipality"),
        (
            "gemeente-groningen",
            "groningen",
            "eviction_prevention",
            "d",
            "CONFLICT",
            "already registered",
        ),
    ]
    before = gql("wij-groningen", PURPOSES, {"m": "groningen"})["data"]
    for partner, municipality, purpose, description, code, message in cases:
        body = gql(partner, REGISTER, {"m": municipality, "id": purpose, "d": description})
        assert error_codes(body) == [code], (partner, purpose)
        assert message in body["errors"][0]["message"]
    assert gql("wij-groningen", PURPOSES, {"m": "groningen"})["data"] == before
    refused = gql("gemeente-zaanstad", PURPOSES, {"m": "groningen"})
    assert error_codes(refused) == ["NOT_ALLOWED"]


def test_registering_one_purpose_at_once_is_accepted_once(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    def send(_: int) -> dict[str, Any]:
        return gql("gemeente-deventer", REGISTER, {"m": "deventer", "id": "opvang", "d": "Opvang"})

    with ThreadPoolExecutor(6) as pool:
        answers = list(pool.map(send, range(6)))
    accepted = [a for a in answers if a.get("data") and a["data"].get("registerPurpose")]
    refused = [a for a in answers if error_codes(a) == ["CONFLICT"]]
    assert len(accepted) == 1 and len(refused) == 5, answers
    with sessions() as session:
        rows = session.scalars(
            select(ProcessingPurpose).where(
                ProcessingPurpose.municipality == "deventer", ProcessingPurpose.id == "opvang"
            )
        ).all()
    assert len(rows) == 1


RESTRICT = """mutation($input: RestrictionInput!) { issueRestriction(input: $input) {
  id phases purposes validFrom validUntil } }"""


def test_a_restriction_narrows_only_in_its_phases(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    case_id = involved_case(sessions, "wij-groningen", "nijestee", phase=Phase.EARLY_SIGNAL)
    read = "query($id: ID!) { case(id: $id) { contactName } }"
    assert gql("wij-groningen", read, {"id": case_id})["data"]["case"]["contactName"]
    issued = gql(
        "nijestee",
        RESTRICT,
        {"input": {"sharedFields": ["evictionDate"], "phases": ["court", "eviction"]}},
    )
    assert issued["data"]["issueRestriction"]["phases"] == ["court", "eviction"]
    assert gql("wij-groningen", read, {"id": case_id})["data"]["case"]["contactName"]
    involved_case(sessions, "wij-groningen", "nijestee", phase=Phase.COURT)
    assert gql("wij-groningen", read, {"id": case_id})["data"]["case"]["contactName"] is None


def test_bad_restriction_conditions_change_nothing(gql: GraphQL) -> None:
    cases = [
        ({"sharedFields": ["phase"], "phases": ["later"]}, "unknown phase: later"),
        ({"sharedFields": ["phase"], "purposes": ["spying"]}, "unknown purpose: spying"),
        ({"sharedFields": ["phase"], "involvementRole": "boss"}, "unknown involvement role"),
        (
            {"sharedFields": ["phase"], "validFrom": "2027-02-01", "validUntil": "2027-01-01"},
            "validUntil 2027-01-01 is before validFrom 2027-02-01",
        ),
    ]
    before = gql("nijestee", "{ policies { id } }")["data"]
    for restriction, message in cases:
        body = gql("nijestee", RESTRICT, {"input": restriction})
        assert error_codes(body) == ["INVALID_INPUT"], restriction
        assert message in body["errors"][0]["message"]
    assert gql("nijestee", "{ policies { id } }")["data"] == before
