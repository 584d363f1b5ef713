"""A Deventer eviction meeting built end to end through the real app: Meldpunt Bijzondere Zorg
schedules and chairs it, puts the evictions of the next six weeks it may see on the agenda,
and records a decision with an action item; three participants read the same agenda and each
sees its own slice, as its policies release it, in one SQL query whatever the agenda's length.
Events reach a real receiver on 127.0.0.1, and not a participant that may not read them."""

from __future__ import annotations

import datetime as dt
import time
import uuid
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session, sessionmaker

from registry.models import AgendaItem, Case, Involvement, Phase
from registry.notifications.delivery import DeliveryWorker
from tests.arrange import case_in
from tests.conftest import DEMO_TODAY, Clock, GraphQL
from tests.helpers import error_codes
from tests.receiver import Receiver

MONDAY = dt.datetime.combine(DEMO_TODAY, dt.time(9), dt.UTC)
CHAIR, OWNER, TOWN, BUDGET = (
    "meldpunt-bijzondere-zorg",
    "ieder1",
    "gemeente-deventer",
    "bad-deventer",
)
SUBSCRIBE = """mutation($url: String!, $types: [String!]!) {
  subscribeWebhook(url: $url, eventTypes: $types) { secret } }"""
SCHEDULE = """mutation($on: Date!) { scheduleMeeting(input: {municipality: "deventer",
  kind: EVICTION_MEETING, heldOn: $on, chair: "meldpunt-bijzondere-zorg",
  participants: ["ieder1", "gemeente-deventer", "bad-deventer"]}) { id chair participants } }"""
AGENDA = """query($id: ID!) { meeting(id: $id) { kind heldOn agenda { id decision case {
  id relation evictionDate householdComposition reasons withheld } } } }"""


def _ok(body: dict[str, Any], field: str) -> Any:
    assert "errors" not in body, body
    return body["data"][field]


def _eviction_case(
    sessions: sessionmaker[Session], in_days: int, involved: tuple[str, ...], exclude: list[str]
) -> str:
    case_id = case_in(
        sessions, OWNER, Phase.EVICTION, DEMO_TODAY, involved=involved, exclude=tuple(exclude)
    )
    with sessions.begin() as session:
        case = session.get(Case, uuid.UUID(case_id))
        assert case is not None
        case.eviction_date = DEMO_TODAY + dt.timedelta(days=in_days)
        case.bailiff_id = "flanderijn"
    exclude.append(case_id)
    return case_id


def _statements(sessions: sessionmaker[Session], run: Any) -> tuple[Any, list[str]]:
    engine = sessions.kw["bind"]
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        result = run()
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return result, seen


def test_a_deventer_eviction_meeting_end_to_end(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    clock: Clock,
    receiver: Receiver,
    worker: DeliveryWorker,
) -> None:
    clock.now = MONDAY
    mine: list[str] = []
    soon = _eviction_case(sessions, 10, (CHAIR, BUDGET), mine)
    later = _eviction_case(sessions, 30, (CHAIR,), mine)
    beyond = _eviction_case(sessions, 70, (CHAIR,), mine)  # not within six weeks
    unseen = case_in(sessions, OWNER, Phase.COLLECTION, DEMO_TODAY, exclude=tuple(mine))
    for partner in (CHAIR, OWNER, TOWN, BUDGET):
        body = gql(
            partner,
            SUBSCRIBE,
            {"url": receiver.url(partner), "types": ["meeting.scheduled", "action_item.assigned"]},
        )
        receiver.secrets[partner] = _ok(body, "subscribeWebhook")["secret"]

    meeting = _ok(gql(CHAIR, SCHEDULE, {"on": "2026-11-04"}), "scheduleMeeting")
    assert meeting["participants"] == [BUDGET, TOWN, OWNER, CHAIR]
    built = gql(
        CHAIR,
        "mutation($id: ID!) { addEvictionsToAgenda(meetingId: $id, withinDays: 42) { id } }",
        {"id": meeting["id"]},
    )
    assert "errors" not in built, built
    # A case the chair cannot see is answered as one that does not exist; nothing changes.
    hidden = gql(
        CHAIR,
        "mutation($m: ID!, $c: ID!) { addAgendaItem(meetingId: $m, caseId: $c) { id } }",
        {"m": meeting["id"], "c": unseen},
    )
    assert error_codes(hidden) == ["NOT_FOUND"]
    assert hidden["errors"][0]["message"] == f"case {unseen} not found"
    by_owner = gql(
        OWNER,
        "mutation($m: ID!, $c: ID!) { addAgendaItem(meetingId: $m, caseId: $c) { id } }",
        {"m": meeting["id"], "c": unseen},
    )
    assert error_codes(by_owner) == ["NOT_ALLOWED"]
    assert (
        by_owner["errors"][0]["message"]
        == "only the chair (meldpunt-bijzondere-zorg) sets the agenda"
    )
    # A partner that does not take part does not learn the meeting exists.
    outsider = gql("flanderijn", AGENDA, {"id": meeting["id"]})
    assert error_codes(outsider) == ["NOT_FOUND"]

    with sessions() as session:
        on_agenda = set(
            map(
                str,
                session.scalars(
                    select(AgendaItem.case_id).where(
                        AgendaItem.meeting_id == uuid.UUID(meeting["id"])
                    )
                ),
            )
        )
        budget_cases = set(
            map(
                str,
                session.scalars(
                    select(Involvement.case_id).where(
                        Involvement.partner_id == BUDGET, Involvement.released_at.is_(None)
                    )
                ),
            )
        )
    assert {soon, later} <= on_agenda
    assert beyond not in on_agenda and unseen not in on_agenda

    slices: dict[str, list[dict[str, Any]]] = {}
    reads: dict[str, list[str]] = {}
    for partner in (CHAIR, OWNER, TOWN, BUDGET):
        body, statements = _statements(
            sessions, lambda p=partner: gql(p, AGENDA, {"id": meeting["id"]})
        )
        slices[partner] = [item["case"] for item in _ok(body, "meeting")["agenda"]]
        reads[partner] = [s for s in statements if "meeting_agenda_item" in s]
    # One query reads each participant's whole slice, however long it is.
    assert {partner: len(found) for partner, found in reads.items()} == {
        CHAIR: 1,
        OWNER: 1,
        TOWN: 1,
        BUDGET: 1,
    }
    # The owner and the municipality relate to every case on it; the budget office only to
    # the cases it works on.
    assert {c["id"] for c in slices[OWNER]} == on_agenda
    assert {c["id"] for c in slices[TOWN]} == on_agenda
    assert {c["id"] for c in slices[BUDGET]} == on_agenda & budget_cases
    assert soon in {c["id"] for c in slices[BUDGET]}
    assert later not in {c["id"] for c in slices[BUDGET]}
    # Each sees what its policies release of the same case: the municipality its statutory
    # fields (the eviction date); the budget office what a home visit needs (the household's
    # composition too); the owner everything (the reasons too).
    seen = {
        partner: next(
            (c["relation"], c["evictionDate"], c["householdComposition"], c["reasons"])
            for c in slices[partner]
            if c["id"] == soon
        )
        for partner in (TOWN, BUDGET, OWNER)
    }
    assert seen[TOWN] == ("municipality", "2026-11-12", None, None)
    assert seen[BUDGET][:2] == ("involved", "2026-11-12")
    assert seen[BUDGET][2] is not None and seen[BUDGET][3] is None
    assert seen[OWNER][0] == "owner" and None not in seen[OWNER]

    # On the day, the chair records the decision on the first case, with an action item.
    clock.now = MONDAY + dt.timedelta(days=2)
    decided = gql(
        CHAIR,
        """mutation($m: ID!, $c: ID!) { recordMeetingDecision(meetingId: $m, caseId: $c,
        note: "betalingsregeling via BAD", actionItems: [{description: "budgetgesprek plannen",
        assignee: "bad-deventer", dueOn: "2026-11-18"}]) { id kind actionItems { assignee } } }""",
        {"m": meeting["id"], "c": soon},
    )
    decision = _ok(decided, "recordMeetingDecision")
    assert decision["kind"] == "CASE_CONFERENCE"
    assert decision["actionItems"] == [{"assignee": BUDGET}]
    again = gql(
        CHAIR,
        """mutation($m: ID!, $c: ID!) { recordMeetingDecision(meetingId: $m, caseId: $c,
        note: "nogmaals") { id } }""",
        {"m": meeting["id"], "c": soon},
    )
    assert error_codes(again) == ["CONFLICT"]
    item = next(
        i
        for i in _ok(gql(OWNER, AGENDA, {"id": meeting["id"]}), "meeting")["agenda"]
        if i["case"]["id"] == soon
    )
    assert item["decision"] == decision["id"]

    worker.run_once()
    receiver.wait_for(1)

    def told(partner: str) -> set[tuple[str, str]]:
        return {
            (r.document["type"], r.document["data"]["caseId"])
            for r in receiver.at(partner)
            if r.verified and r.document["data"]["caseId"] in mine
        }

    expected = {
        OWNER: {
            ("meeting.scheduled", soon),
            ("meeting.scheduled", later),
            ("action_item.assigned", soon),
        },
        CHAIR: {("meeting.scheduled", soon), ("meeting.scheduled", later)},
        BUDGET: {("meeting.scheduled", soon), ("action_item.assigned", soon)},
    }
    deadline = time.monotonic() + 10
    while (
        any(not told(p) >= wanted for p, wanted in expected.items()) and time.monotonic() < deadline
    ):
        worker.run_once()  # deliveries due again, if an attempt raced the receiver
        time.sleep(0.02)  # the receiver is another thread: wait for its deliveries
    # Everyone who reads case-conference decisions learns a case is on the agenda; the
    # municipality (statutory fields only) is told nothing; the assignee is told of its item.
    assert told(OWNER) >= expected[OWNER]
    assert told(CHAIR) >= expected[CHAIR]
    assert told(BUDGET) == expected[BUDGET]
    assert told(TOWN) == set()


def test_bad_meetings_are_refused(gql: GraphQL, clock: Clock) -> None:
    clock.now = MONDAY
    past = gql(CHAIR, SCHEDULE, {"on": "2026-11-01"})
    assert error_codes(past) == ["INVALID_INPUT"]
    assert past["errors"][0]["message"] == "a meeting on 2026-11-01 lies in the past"
    by_owner = gql(OWNER, SCHEDULE, {"on": "2026-11-04"})
    assert error_codes(by_owner) == ["NOT_ALLOWED"]
    elsewhere = gql(
        "meldpunt-overlast-en-zorg",
        SCHEDULE,
        {"on": "2026-11-04"},
    )
    assert error_codes(elsewhere) == ["NOT_ALLOWED"]
    assert elsewhere["errors"][0]["message"] == (
        "meldpunt-overlast-en-zorg does not work in municipality 'deventer'"
    )
