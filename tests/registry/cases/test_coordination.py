"""Coordination of a case and who may involve whom, through the real app: the municipality
names one coordinator, a second naming is refused, coordination is handed over; the covenant
lets a coordinator or a district team involve named kinds of partner and nothing else; each
partner concerned (and the coordinator) is told on a real receiver on 127.0.0.1, while a
partner that may not read what an event reveals is not."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from registry.models import AccessLogRecord, Case, CoordinationTerm, Involvement, Phase
from registry.notifications.delivery import DeliveryWorker
from tests.arrange import case_in
from tests.conftest import DEMO_TODAY, GraphQL
from tests.helpers import error_codes
from tests.receiver import Receiver

TOWN, CHAIR, BUDGET, BAILIFF = (
    "gemeente-deventer",
    "meldpunt-bijzondere-zorg",
    "bad-deventer",
    "flanderijn",
)
TYPES = ["partner.involved", "partner.released", "coordination.named", "coordination.transferred"]
SUBSCRIBE = """mutation($url: String!, $types: [String!]!) {
  subscribeWebhook(url: $url, eventTypes: $types) { secret } }"""
NAME = """mutation($c: ID!, $p: String!) { nameCoordinator(caseId: $c, partner: $p) {
  id coordinator } }"""
TRANSFER = """mutation($c: ID!, $to: String!) { transferCoordination(caseId: $c, to: $to) {
  id coordinator involvements { partner role } } }"""
INVOLVE = """mutation($c: ID!, $p: String!, $role: InvolvementRole!) { involvePartner(caseId: $c,
  partner: $p, role: $role) { id involvements { partner role } } }"""
RELEASE = """mutation($c: ID!, $p: String!) { releasePartner(caseId: $c, partner: $p) { id } }"""
ALLOW = """mutation($m: String!, $kind: PartnerKind!, $byCoordinator: Boolean!,
  $byKind: PartnerKind) { allowInvolvement(municipality: $m, partnerKind: $kind,
  byCoordinator: $byCoordinator, byKind: $byKind) { id byCoordinator byKind partnerKind } }"""


def _ok(body: dict[str, Any], field: str) -> Any:
    assert "errors" not in body, body
    return body["data"][field]


def _received(receiver: Receiver, partner: str) -> list[str]:
    return sorted(r.document["type"] for r in receiver.at(partner) if r.verified)


def _involved(sessions: sessionmaker[Session], case_id: str) -> list[str]:
    with sessions() as session:
        return sorted(
            session.scalars(
                select(Involvement.partner_id).where(
                    Involvement.case_id == uuid.UUID(case_id), Involvement.released_at.is_(None)
                )
            )
        )


def test_coordination_named_used_and_handed_over(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    receiver: Receiver,
    worker: DeliveryWorker,
) -> None:
    case_id = case_in(sessions, "ieder1", Phase.COLLECTION, DEMO_TODAY)
    for partner in (TOWN, CHAIR, BUDGET, BAILIFF):
        body = gql(partner, SUBSCRIBE, {"url": receiver.url(partner), "types": TYPES})
        receiver.secrets[partner] = _ok(body, "subscribeWebhook")["secret"]

    named = _ok(gql(TOWN, NAME, {"c": case_id, "p": CHAIR}), "nameCoordinator")
    assert named["coordinator"] == CHAIR
    worker.run_once()
    receiver.wait_for(3)
    # The coordinator is told of its naming and of its involvement; the municipality reads
    # the coordinator (with its statutory fields), not the involvements.
    assert _received(receiver, CHAIR) == ["coordination.named", "partner.involved"]
    assert _received(receiver, TOWN) == ["coordination.named"]
    # A second coordinator is a conflict, and changes nothing.
    second = gql(TOWN, NAME, {"c": case_id, "p": BUDGET})
    assert error_codes(second) == ["CONFLICT"]
    assert second["errors"][0]["message"] == (
        "meldpunt-bijzondere-zorg coordinates this case already: transfer coordination instead"
    )
    assert _involved(sessions, case_id) == [CHAIR]
    # Only the municipality names one.
    assert error_codes(gql("ieder1", NAME, {"c": case_id, "p": BUDGET})) == ["NOT_ALLOWED"]

    # Without a covenant rule the coordinator involves no one.
    refused = gql(CHAIR, INVOLVE, {"c": case_id, "p": BUDGET, "role": "DEBT_COUNSELLING"})
    assert error_codes(refused) == ["NOT_ALLOWED"]
    assert refused["errors"][0]["message"] == (
        "the covenant of deventer does not let meldpunt-bijzondere-zorg involve a partner "
        "of kind credit_bank"
    )
    rule = gql(TOWN, ALLOW, {"m": "deventer", "kind": "CREDIT_BANK", "byCoordinator": True})
    assert _ok(rule, "allowInvolvement")["byCoordinator"] is True
    involved = _ok(
        gql(CHAIR, INVOLVE, {"c": case_id, "p": BUDGET, "role": "DEBT_COUNSELLING"}),
        "involvePartner",
    )
    assert {"partner": BUDGET, "role": "DEBT_COUNSELLING"} in involved["involvements"]
    # A kind the covenant does not name stays refused, and nothing changes.
    bailiff = gql(CHAIR, INVOLVE, {"c": case_id, "p": BAILIFF, "role": "BAILIFF"})
    assert error_codes(bailiff) == ["NOT_ALLOWED"]
    assert "of kind bailiff" in bailiff["errors"][0]["message"]
    assert _involved(sessions, case_id) == [BUDGET, CHAIR]
    # The owner involves the bailiff; the bailiff reads neither involvements nor coordinator.
    _ok(gql("ieder1", INVOLVE, {"c": case_id, "p": BAILIFF, "role": "BAILIFF"}), "involvePartner")
    worker.run_once()
    receiver.wait_for(8)
    # The coordinator is told of everyone who joins; the budget office of its own
    # involvement and (reading involvements) of the bailiff's; the bailiff of its own only.
    assert _received(receiver, CHAIR) == ["coordination.named", *["partner.involved"] * 3]
    assert _received(receiver, BUDGET) == ["partner.involved"] * 2
    assert _received(receiver, BAILIFF) == ["partner.involved"]
    assert _received(receiver, TOWN) == ["coordination.named"]

    # The coordinator hands over to the budget office (Deventer: to Meldpunt and back).
    handed = _ok(gql(CHAIR, TRANSFER, {"c": case_id, "to": BUDGET}), "transferCoordination")
    assert handed["coordinator"] == BUDGET
    # The former coordinator may no longer hand it over; releasing the coordinator is refused.
    assert error_codes(gql(CHAIR, TRANSFER, {"c": case_id, "to": CHAIR})) == ["NOT_ALLOWED"]
    busy = gql(TOWN, RELEASE, {"c": case_id, "p": BUDGET})
    assert error_codes(busy) == ["CONFLICT"]
    assert busy["errors"][0]["message"] == (
        "bad-deventer coordinates this case: transfer coordination first"
    )
    # The new coordinator releases the bailiff? Not a kind it may: refused.
    assert error_codes(gql(BUDGET, RELEASE, {"c": case_id, "p": BAILIFF})) == ["NOT_ALLOWED"]
    worker.run_once()
    receiver.wait_for(11)
    # The municipality releases the former coordinator: the coordinator is told. The partner
    # released no longer relates to the case, and the channel fails closed: not told.
    _ok(gql(TOWN, RELEASE, {"c": case_id, "p": CHAIR}), "releasePartner")
    worker.run_once()
    receiver.wait_for(12)
    assert _received(receiver, CHAIR).count("coordination.transferred") == 1
    assert "partner.released" not in _received(receiver, CHAIR)
    assert {"coordination.transferred", "partner.released"} <= set(_received(receiver, BUDGET))
    assert _received(receiver, TOWN) == ["coordination.named", "coordination.transferred"]
    assert _received(receiver, BAILIFF) == ["partner.involved"]  # withheld: not its to read
    with sessions() as session:
        terms = session.execute(
            select(CoordinationTerm.partner_id, CoordinationTerm.ended_at.is_not(None))
            .where(CoordinationTerm.case_id == uuid.UUID(case_id))
            .order_by(CoordinationTerm.since)
        ).all()
        assert [tuple(t) for t in terms] == [(CHAIR, True), (BUDGET, False)]
        # Every step was access-logged as processing of the case by the partner who took it.
        partners = set(
            session.scalars(
                select(AccessLogRecord.partner_id).where(
                    AccessLogRecord.case_id == uuid.UUID(case_id),
                    AccessLogRecord.operation.ilike("%coordinat%"),
                )
            )
        )
        assert partners >= {TOWN, CHAIR}


def test_a_district_team_brings_in_the_credit_bank_where_the_covenant_says_so(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    # Groningen: the credit bank "kan worden ingeschakeld door de woningcorporatie en/of het
    # wijkteam".
    case_id = case_in(
        sessions, "nijestee", Phase.EARLY_SIGNAL, DEMO_TODAY, involved=("wij-groningen",)
    )
    ask = {"c": case_id, "p": "ehbg-groningen", "role": "DEBT_COUNSELLING"}
    assert error_codes(gql("wij-groningen", INVOLVE, ask)) == ["NOT_ALLOWED"]
    allowed = gql(
        "gemeente-groningen",
        ALLOW,
        {
            "m": "groningen",
            "kind": "CREDIT_BANK",
            "byCoordinator": False,
            "byKind": "DISTRICT_TEAM",
        },
    )
    assert _ok(allowed, "allowInvolvement")["byKind"] == "DISTRICT_TEAM"
    _ok(gql("wij-groningen", INVOLVE, ask), "involvePartner")
    assert _involved(sessions, case_id) == ["ehbg-groningen", "wij-groningen"]
    # The same rule lets it release the credit bank again.
    _ok(gql("wij-groningen", RELEASE, {"c": case_id, "p": "ehbg-groningen"}), "releasePartner")
    assert _involved(sessions, case_id) == ["wij-groningen"]
    # A care partner is no kind the rule names.
    care = gql(
        "wij-groningen", INVOLVE, {"c": case_id, "p": "meldpunt-overlast-en-zorg", "role": "CARE"}
    )
    assert error_codes(care) == ["NOT_ALLOWED"]


@pytest.mark.parametrize(
    ("partner", "variables", "code", "message"),
    [
        (
            "wij-groningen",
            {"m": "groningen", "kind": "CREDIT_BANK", "byCoordinator": True},
            "NOT_ALLOWED",
            "only a municipality issues the involvement rules of its covenant",
        ),
        (
            "gemeente-deventer",
            {"m": "groningen", "kind": "CREDIT_BANK", "byCoordinator": True},
            "NOT_ALLOWED",
            "gemeente-deventer is not the municipality groningen",
        ),
        (
            "gemeente-groningen",
            {"m": "groningen", "kind": "CREDIT_BANK", "byCoordinator": True, "byKind": "CARE"},
            "INVALID_INPUT",
            "name exactly one of byCoordinator and byKind",
        ),
        (
            "gemeente-groningen",
            {"m": "nergens", "kind": "CREDIT_BANK", "byCoordinator": True},
            "INVALID_INPUT",
            "unknown municipality 'nergens'",
        ),
    ],
)
def test_bad_involvement_rules_are_refused(
    gql: GraphQL, partner: str, variables: dict[str, Any], code: str, message: str
) -> None:
    body = gql(partner, ALLOW, variables)
    assert error_codes(body) == [code]
    assert body["errors"][0]["message"] == message
    assert (
        gql("gemeente-groningen", '{ involvementRules(municipality: "groningen") { id } }')["data"][
            "involvementRules"
        ]
        == []
    )


def test_two_coordinators_named_at_once_exactly_one_wins(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    case_id = case_in(sessions, "ieder1", Phase.COLLECTION, DEMO_TODAY)
    candidates = [CHAIR, BUDGET, CHAIR, BUDGET]
    with ThreadPoolExecutor(len(candidates)) as pool:
        answers = list(pool.map(lambda p: gql(TOWN, NAME, {"c": case_id, "p": p}), candidates))
    outcomes = sorted(error_codes(a)[0] if "errors" in a else "OK" for a in answers)
    assert outcomes == ["CONFLICT", "CONFLICT", "CONFLICT", "OK"]
    with sessions() as session:
        case = session.get(Case, uuid.UUID(case_id))
        assert case is not None
        winner = next(a for a in answers if "errors" not in a)["data"]["nameCoordinator"]
        assert case.coordinator_id == winner["coordinator"]
        count = session.scalar(
            select(func.count())
            .select_from(CoordinationTerm)
            .where(CoordinationTerm.case_id == case.id)
        )
        assert count == 1
