"""Early signals on the injected clock: Zaanstad's timeline (a signal at 1.5 months of
arrears, a repeat at 2.5, the district team's reply overdue after two working days), told to a
real webhook receiver on 127.0.0.1 as the policies allow, the work list, the covenant's reply
terms, collection pauses, and bad input refused with nothing changed."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from registry.models import CaseSignal
from registry.notifications.delivery import DeliveryWorker
from tests.arrange import REGISTER_CASE
from tests.conftest import DEMO_TODAY, Clock, GraphQL
from tests.helpers import error_codes
from tests.receiver import Receiver

MONDAY = dt.datetime.combine(DEMO_TODAY, dt.time(9), dt.UTC)
MUNICIPALITY = "gemeente-zaanstad"
TEAM = "wijkteam-zaandam-noord"
BAILIFF = "kerckhoffs-lasonder"
TYPES = ["case.registered", "case.signal_repeated", "signal.reply_overdue"]
SUBSCRIBE = """mutation($url: String!, $types: [String!]!) {
  subscribeWebhook(url: $url, eventTypes: $types) { secret } }"""
ZAANSTAD_CASE: dict[str, Any] = {
    "municipality": "zaanstad",
    "householdComposition": "SINGLE",
    "childrenInvolved": False,
    "arrearsAmount": "975.00",
    "arrearsMonths": 1,
    "signalArrearsMonths": "1.5",
    "reasons": ["RENT_ARREARS"],
    "contact": {"name": "Test Huishouden", "address": "Proefweg 2", "postalCode": "1501 AA"},
    "contactAttempted": True,
    "debtHelpReferred": True,
    "reminderSent": True,
    "tenantDidNotObject": True,
}
SIGNAL_AGAIN = """mutation($id: ID!, $input: SignalInput!) { signalAgain(caseId: $id,
  input: $input) { id arrearsMonths signals { signalledOn arrearsMonths arrearsAmount source
  repeat districtTeamDueOn helpOfferDueOn } } }"""
ANSWER = """mutation($id: ID!, $clock: ReplyClock!) { answerSignal(caseId: $id, clock: $clock) {
  signals { districtTeamRepliedAt helpOfferedAt } } }"""
CLOCKS = """query($overdue: Boolean!) { signalReplyClocks(overdueOnly: $overdue) { caseId clock
  signalledOn repeat dueOn overdue } }"""
INVOLVE = """mutation($id: ID!, $partner: String!, $role: InvolvementRole!) {
  involvePartner(caseId: $id, partner: $partner, role: $role) { id } }"""


def _ok(body: dict[str, Any], field: str) -> Any:
    assert "errors" not in body, body
    return body["data"][field]


def _received(receiver: Receiver, partner: str) -> list[tuple[str, str]]:
    return [
        (r.document["type"], r.document["data"]["caseId"])
        for r in receiver.at(partner)
        if r.verified
    ]


def _register(gql: GraphQL, **changes: Any) -> str:
    return str(
        _ok(gql("parteon", REGISTER_CASE, {"input": ZAANSTAD_CASE | changes}), "registerCase")["id"]
    )


def test_zaanstads_timeline_on_the_injected_clock(
    gql: GraphQL, clock: Clock, receiver: Receiver, worker: DeliveryWorker
) -> None:
    clock.now = MONDAY
    for partner in (MUNICIPALITY, TEAM, BAILIFF):
        body = gql(partner, SUBSCRIBE, {"url": receiver.url(partner), "types": TYPES})
        receiver.secrets[partner] = _ok(body, "subscribeWebhook")["secret"]
    # Monday: Parteon signals at one and a half months of arrears.
    case_id = _register(gql)
    for partner, role in ((TEAM, "HOME_VISITS"), (BAILIFF, "BAILIFF")):
        _ok(
            gql(MUNICIPALITY, INVOLVE, {"id": case_id, "partner": partner, "role": role}),
            "involvePartner",
        )
    # registered, and each involvement twice (case.partner_involved, partner.involved)
    assert worker.run_once().fanned_out == 5
    receiver.wait_for(1)
    assert _received(receiver, MUNICIPALITY) == [("case.registered", case_id)]

    # Tuesday: the district team replies in time, the municipality offers help.
    clock.advance(days=1)
    _ok(gql(TEAM, ANSWER, {"id": case_id, "clock": "DISTRICT_TEAM"}), "answerSignal")
    _ok(gql(MUNICIPALITY, ANSWER, {"id": case_id, "clock": "HELP_OFFER"}), "answerSignal")
    assert worker.run_once().announced == 0

    # A month later (Wednesday 2 December) the arrears stand at two and a half months.
    clock.now = MONDAY + dt.timedelta(days=30)
    repeat = {"signalledOn": "2026-12-02", "arrearsMonths": "2.5", "arrearsAmount": "1625.00"}
    case = _ok(gql("parteon", SIGNAL_AGAIN, {"id": case_id, "input": repeat}), "signalAgain")
    assert case["arrearsMonths"] == 2
    assert [(s["signalledOn"], s["arrearsMonths"], s["repeat"]) for s in case["signals"]] == [
        ("2026-11-02", "1.5", False),
        ("2026-12-02", "2.5", True),
    ]
    # Two working days for the district team (the report), five for the offer of help.
    assert case["signals"][1]["districtTeamDueOn"] == "2026-12-04"
    assert case["signals"][1]["helpOfferDueOn"] == "2026-12-09"
    worker.run_once()
    receiver.wait_for(3)
    # The district team reads signals (what a home visit needs); the bailiff does not.
    assert ("case.signal_repeated", case_id) in _received(receiver, MUNICIPALITY)
    assert _received(receiver, TEAM) == [("case.signal_repeated", case_id)]
    assert _received(receiver, BAILIFF) == []

    # Friday: due today, not overdue yet.
    clock.now = dt.datetime(2026, 12, 4, 16, tzinfo=dt.UTC)
    assert worker.run_once().announced == 0
    assert _ok(gql(MUNICIPALITY, CLOCKS, {"overdue": True}), "signalReplyClocks") == []
    # Saturday: two working days have passed without a reply: announced once, and listed.
    clock.advance(days=1)
    assert worker.run_once().announced == 1
    assert worker.run_once().announced == 0
    receiver.wait_for(5)
    assert ("signal.reply_overdue", case_id) in _received(receiver, MUNICIPALITY)
    assert ("signal.reply_overdue", case_id) in _received(receiver, TEAM)
    assert _received(receiver, BAILIFF) == []
    overdue = _ok(gql(MUNICIPALITY, CLOCKS, {"overdue": True}), "signalReplyClocks")
    mine = [c for c in overdue if c["caseId"] == case_id]
    assert mine == [
        {
            "caseId": case_id,
            "clock": "DISTRICT_TEAM",
            "signalledOn": "2026-12-02",
            "repeat": True,
            "dueOn": "2026-12-04",
            "overdue": True,
        }
    ]
    # The bailiff relates to the case but may not read its signals: nothing on its list.
    assert _ok(gql(BAILIFF, CLOCKS, {"overdue": False}), "signalReplyClocks") == []


def test_a_covenant_sets_its_own_reply_terms(gql: GraphQL, clock: Clock) -> None:
    clock.now = MONDAY
    terms = gql(
        MUNICIPALITY,
        """mutation { setSignalReplyTerms(municipality: "zaanstad", districtTeamDays: 3,
        helpOfferDays: 10) { municipality districtTeamDays helpOfferDays } }""",
    )
    assert _ok(terms, "setSignalReplyTerms")["districtTeamDays"] == 3
    case_id = _register(gql)
    case = _ok(
        gql(
            "parteon",
            "query($id: ID!) { case(id: $id) { signals { districtTeamDueOn helpOfferDueOn } } }",
            {"id": case_id},
        ),
        "case",
    )
    assert case["signals"] == [{"districtTeamDueOn": "2026-11-05", "helpOfferDueOn": "2026-11-16"}]
    other = gql(
        "gemeente-deventer",
        """mutation { setSignalReplyTerms(municipality: "zaanstad", districtTeamDays: 1,
        helpOfferDays: 1) { municipality } }""",
    )
    assert error_codes(other) == ["NOT_ALLOWED"]
    assert "gemeente-deventer is not the municipality zaanstad" in other["errors"][0]["message"]


def test_collection_pauses_are_recorded_and_read_as_the_policies_allow(
    gql: GraphQL, clock: Clock
) -> None:
    clock.now = MONDAY
    case_id = _register(gql)
    pause = """mutation($id: ID!, $input: PauseInput!) { pauseCollection(caseId: $id,
      input: $input) { collectionPauses { pausedFrom pausedUntil reason recordedBy } } }"""
    body = gql(
        "parteon",
        pause,
        {
            "id": case_id,
            "input": {
                "pausedFrom": "2026-11-03",
                "pausedUntil": "2027-02-03",
                "reason": "HELP_ACCEPTED",
            },
        },
    )
    assert _ok(body, "pauseCollection")["collectionPauses"] == [
        {
            "pausedFrom": "2026-11-03",
            "pausedUntil": "2027-02-03",
            "reason": "HELP_ACCEPTED",
            "recordedBy": "parteon",
        }
    ]
    overlapping = gql(
        "parteon", pause, {"id": case_id, "input": {"pausedFrom": "2027-01-01", "reason": "OTHER"}}
    )
    assert error_codes(overlapping) == ["CONFLICT"]
    assert (
        overlapping["errors"][0]["message"]
        == "collection is paused already from 2026-11-03 until 2027-02-03"
    )
    backwards = gql(
        "parteon",
        pause,
        {
            "id": case_id,
            "input": {"pausedFrom": "2027-03-01", "pausedUntil": "2027-02-01", "reason": "OTHER"},
        },
    )
    assert error_codes(backwards) == ["INVALID_INPUT"]
    by_municipality = gql(
        MUNICIPALITY,
        pause,
        {"id": case_id, "input": {"pausedFrom": "2027-03-01", "reason": "OTHER"}},
    )
    assert error_codes(by_municipality) == ["NOT_ALLOWED"]
    # The municipality reads the pause (its early-signal fields), the record stays one pause.
    seen = gql(
        MUNICIPALITY,
        "query($id: ID!) { case(id: $id) { collectionPauses { reason } } }",
        {"id": case_id},
    )
    assert _ok(seen, "case")["collectionPauses"] == [{"reason": "HELP_ACCEPTED"}]


@pytest.mark.parametrize(
    ("signal", "code", "message"),
    [
        (
            {"signalledOn": "2026-10-30", "arrearsMonths": "2.5", "arrearsAmount": "1625.00"},
            "INVALID_INPUT",
            "a repeat signal on 2026-10-30 lies before the last signal (2026-11-02)",
        ),
        (
            {"signalledOn": "2026-11-02", "arrearsMonths": "2.4", "arrearsAmount": "1625.00"},
            "INVALID_INPUT",
            "a signal's arrearsMonths is counted in half months (1.5, 2)",
        ),
        (
            {"signalledOn": "2026-11-09", "arrearsMonths": "2.5", "arrearsAmount": "1625.00"},
            "INVALID_INPUT",
            "a signal's date 2026-11-09 lies in the future",
        ),
    ],
)
def test_bad_repeat_signals_are_refused_and_change_nothing(
    gql: GraphQL,
    clock: Clock,
    sessions: sessionmaker[Session],
    signal: dict[str, str],
    code: str,
    message: str,
) -> None:
    clock.now = MONDAY
    case_id = _register(gql)
    body = gql("parteon", SIGNAL_AGAIN, {"id": case_id, "input": signal})
    assert error_codes(body) == [code]
    assert body["errors"][0]["message"] == message
    with sessions() as session:
        count = session.scalar(
            select(func.count())
            .select_from(CaseSignal)
            .where(CaseSignal.case_id == uuid.UUID(case_id))
        )
    assert count == 1


def test_only_the_owner_signals_again(gql: GraphQL, clock: Clock) -> None:
    clock.now = MONDAY
    case_id = _register(gql)
    repeat = {"signalledOn": "2026-11-02", "arrearsMonths": "2", "arrearsAmount": "1300.00"}
    body = gql(MUNICIPALITY, SIGNAL_AGAIN, {"id": case_id, "input": repeat})
    assert error_codes(body) == ["NOT_ALLOWED"]
    unrelated = gql("zowonen", SIGNAL_AGAIN, {"id": case_id, "input": repeat})
    assert error_codes(unrelated) == ["NOT_FOUND"]


def test_answers_to_one_clock_at_once_stop_it_once(
    gql: GraphQL, clock: Clock, sessions: sessionmaker[Session]
) -> None:
    clock.now = MONDAY
    case_id = _register(gql)
    answers: list[dict[str, Any]] = []

    def answer() -> None:
        answers.append(gql(MUNICIPALITY, ANSWER, {"id": case_id, "clock": "HELP_OFFER"}))

    threads = [threading.Thread(target=answer) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Of four answers to one clock at once, exactly one stops it; the others find it stopped.
    assert sorted(error_codes(a)[0] if "errors" in a else "OK" for a in answers) == [
        "CONFLICT",
        "CONFLICT",
        "CONFLICT",
        "OK",
    ]
