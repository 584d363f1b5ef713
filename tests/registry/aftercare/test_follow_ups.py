"""Follow-ups after an eviction, through the real app on the injected clock: scheduled for a
partner with a due date, listed in its work list, announced once when overdue, recorded done
once with an outcome code (in the signed log as that code alone)."""

from __future__ import annotations

import datetime as dt
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from registry.aftercare import followups
from registry.models import AftercareFollowUp, AuditLogEntry, OutboxAddressee, OutboxEvent, Phase
from tests.arrange import case_in, evicted_case
from tests.conftest import DEMO_TODAY, Clock, GraphQL
from tests.helpers import error_codes

MONDAY = dt.datetime.combine(DEMO_TODAY + dt.timedelta(days=7), dt.time(9), dt.UTC)
OWNER, MUNICIPALITY = "parteon", "gemeente-zaanstad"
BAILIFF, DISTRICT_TEAM = "kerckhoffs-lasonder", "wijkteam-zaandam-noord"
FIELDS = "id caseId kind assignee dueOn scheduledBy doneBy outcome overdue"
SCHEDULE = f"""mutation($input: ScheduleFollowUpInput!) {{ scheduleFollowUp(input: $input) {{
  {FIELDS} }} }}"""
DONE = f"""mutation($id: ID!, $outcome: FollowUpOutcome!) {{ recordFollowUpDone(id: $id,
  outcome: $outcome) {{ {FIELDS} }} }}"""
WORK_LIST = f"""query($overdue: Boolean!, $mine: Boolean!) {{ followUpList(overdueOnly: $overdue,
  assignedToMe: $mine) {{ {FIELDS} }} }}"""
OF_CASE = f"query($case: ID!) {{ followUps(caseId: $case) {{ {FIELDS} }} }}"
OPENING = """query($index: Int!) { auditLogEntry(index: $index) {
  entry { opening { eventType data } } } }"""


def _ok(body: dict[str, Any], field: str) -> Any:
    assert "errors" not in body, body
    return body["data"][field]


def _day(days: int) -> str:
    return (MONDAY.date() + dt.timedelta(days=days)).isoformat()


def _follow_up(case_id: str, **changes: Any) -> dict[str, Any]:
    new = {"caseId": case_id, "kind": "CONTACT", "assignee": DISTRICT_TEAM, "dueOn": _day(14)}
    return {"input": {**new, **changes}}


def _counts(sessions: sessionmaker[Session]) -> tuple[int, int, int]:
    with sessions() as session:
        return (
            session.scalar(select(func.count()).select_from(AftercareFollowUp)) or 0,
            session.scalar(select(func.count()).select_from(OutboxEvent)) or 0,
            session.scalar(select(func.count()).select_from(AuditLogEntry)) or 0,
        )


def _evicted(sessions: sessionmaker[Session], exclude: tuple[str, ...] = ()) -> str:
    """A Parteon case in Zaanstad evicted today, its district team involved for home visits."""
    return evicted_case(
        sessions,
        OWNER,
        MONDAY.date(),
        bailiff=BAILIFF,
        involved=(DISTRICT_TEAM,),
        exclude=exclude,
    )


def test_follow_ups_from_scheduling_to_done_on_the_clock(
    gql: GraphQL, sessions: sessionmaker[Session], clock: Clock
) -> None:
    clock.now = MONDAY
    case_id = _evicted(sessions)
    # Contact after two weeks, and again after three months.
    soon = _ok(gql(MUNICIPALITY, SCHEDULE, _follow_up(case_id)), "scheduleFollowUp")
    later = _ok(
        gql(MUNICIPALITY, SCHEDULE, _follow_up(case_id, kind="HOUSING", dueOn=_day(91))),
        "scheduleFollowUp",
    )
    assert (soon["assignee"], soon["dueOn"], soon["scheduledBy"]) == (
        DISTRICT_TEAM,
        _day(14),
        MUNICIPALITY,
    )
    assert soon["overdue"] is False and soon["outcome"] is None
    with sessions() as session:
        told = session.scalars(
            select(OutboxAddressee.partner_id)
            .join(OutboxEvent, OutboxEvent.id == OutboxAddressee.event_id)
            .where(
                OutboxEvent.case_id == uuid.UUID(case_id),
                OutboxEvent.type == "aftercare.follow_up_scheduled",
            )
        ).all()
    assert told == [DISTRICT_TEAM, DISTRICT_TEAM]
    # The district team's work list: both, soonest first.
    mine = _ok(gql(DISTRICT_TEAM, WORK_LIST, {"overdue": False, "mine": True}), "followUpList")
    assert [f["id"] for f in mine if f["caseId"] == case_id] == [soon["id"], later["id"]]

    # On its due date it is not overdue; the day after, it is listed and announced once.
    clock.now = MONDAY + dt.timedelta(days=14)
    assert _ok(gql(DISTRICT_TEAM, WORK_LIST, {"overdue": True, "mine": True}), "followUpList") == []
    clock.now = MONDAY + dt.timedelta(days=15)
    overdue = _ok(gql(MUNICIPALITY, WORK_LIST, {"overdue": True, "mine": False}), "followUpList")
    assert [f["id"] for f in overdue if f["caseId"] == case_id] == [soon["id"]]
    assert overdue[0]["overdue"] is True
    with sessions.begin() as session:
        assert followups.announce_overdue(session, clock.now) == 1
    with sessions.begin() as session:
        assert followups.announce_overdue(session, clock.now) == 0
        announced = session.scalars(
            select(OutboxAddressee.partner_id)
            .join(OutboxEvent, OutboxEvent.id == OutboxAddressee.event_id)
            .where(OutboxEvent.type == "aftercare.follow_up_overdue")
        ).all()
    assert announced == [DISTRICT_TEAM]

    # The district team reached the household: done, with the code in the signed log.
    before = _counts(sessions)
    done = _ok(
        gql(DISTRICT_TEAM, DONE, {"id": soon["id"], "outcome": "REACHED"}), "recordFollowUpDone"
    )
    assert (done["doneBy"], done["outcome"], done["overdue"]) == (DISTRICT_TEAM, "REACHED", False)
    assert _counts(sessions)[2] == before[2] + 1
    with sessions() as session:
        last = session.scalar(
            select(func.max(AuditLogEntry.log_index)).where(
                AuditLogEntry.subject == f"case:{case_id}"
            )
        )
    opening = _ok(gql(MUNICIPALITY, OPENING, {"index": last}), "auditLogEntry")["entry"]["opening"]
    assert opening["eventType"] == "aftercare.follow_up_done"
    assert '"outcome":"reached"' in opening["data"] and soon["id"] in opening["data"]
    # A second time is refused, and no longer in the open work list.
    again = gql(MUNICIPALITY, DONE, {"id": soon["id"], "outcome": "NOT_REACHED"})
    assert error_codes(again) == ["CONFLICT"]
    assert again["errors"][0]["message"].startswith(
        f"the follow-up was recorded done already on {_day(15)} by {DISTRICT_TEAM} (reached)"
    )
    still = _ok(gql(MUNICIPALITY, WORK_LIST, {"overdue": False, "mine": False}), "followUpList")
    assert soon["id"] not in [f["id"] for f in still]
    of_case = _ok(gql(MUNICIPALITY, OF_CASE, {"case": case_id}), "followUps")
    assert [(f["id"], f["outcome"]) for f in of_case] == [
        (soon["id"], "REACHED"),
        (later["id"], None),
    ]


def test_bad_follow_ups_and_wrong_callers_change_nothing(
    gql: GraphQL, sessions: sessionmaker[Session], clock: Clock
) -> None:
    clock.now = MONDAY
    case_id = _evicted(sessions)
    not_yet = case_in(sessions, OWNER, Phase.EVICTION, MONDAY.date(), exclude=(case_id,))
    scheduled = _ok(gql(MUNICIPALITY, SCHEDULE, _follow_up(case_id)), "scheduleFollowUp")
    before = _counts(sessions)

    past = gql(MUNICIPALITY, SCHEDULE, _follow_up(case_id, dueOn=_day(-1)))
    assert error_codes(past) == ["INVALID_INPUT"]
    assert past["errors"][0]["message"] == f"a follow-up's due date {_day(-1)} lies in the past"
    unknown = gql(MUNICIPALITY, SCHEDULE, _follow_up(case_id, assignee="nobody"))
    assert unknown["errors"][0]["message"] == "unknown partner 'nobody'"
    elsewhere = gql(MUNICIPALITY, SCHEDULE, _follow_up(case_id, assignee="wij-groningen"))
    assert elsewhere["errors"][0]["message"] == (
        "wij-groningen does not work in municipality 'zaanstad'"
    )
    early = gql(MUNICIPALITY, SCHEDULE, _follow_up(not_yet))
    assert error_codes(early) == ["CONFLICT"]
    owner = gql(OWNER, SCHEDULE, _follow_up(case_id))
    assert error_codes(owner) == ["NOT_ALLOWED"]
    assert owner["errors"][0]["message"] == (
        "parteon may not schedule aftercare follow-ups for this case"
    )
    # Only the assignee or the municipality records it done; a stranger finds nothing.
    bailiff = gql(BAILIFF, DONE, {"id": scheduled["id"], "outcome": "REACHED"})
    assert error_codes(bailiff) == ["NOT_ALLOWED"]
    assert bailiff["errors"][0]["message"] == (
        f"{BAILIFF} may not record this follow-up: its assignee {DISTRICT_TEAM} or the "
        "municipality does"
    )
    stranger = gql("gemeente-groningen", DONE, {"id": scheduled["id"], "outcome": "REACHED"})
    assert error_codes(stranger) == ["NOT_FOUND"]
    assert error_codes(gql(MUNICIPALITY, DONE, {"id": "x", "outcome": "REACHED"})) == [
        "INVALID_INPUT"
    ]
    assert _counts(sessions) == before


def test_one_follow_up_recorded_done_twice_at_once_is_done_once(
    gql: GraphQL, sessions: sessionmaker[Session], clock: Clock
) -> None:
    clock.now = MONDAY
    case_id = _evicted(sessions)
    scheduled = _ok(gql(MUNICIPALITY, SCHEDULE, _follow_up(case_id)), "scheduleFollowUp")
    logged_before = _counts(sessions)[2]
    callers = [(DISTRICT_TEAM, "REACHED"), (MUNICIPALITY, "NOT_REACHED")]

    def done(n: int) -> dict[str, Any]:
        partner, outcome = callers[n]
        return gql(partner, DONE, {"id": scheduled["id"], "outcome": outcome})

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(done, range(2)))
    ok = [a for a in answers if "errors" not in a]
    refused = [a for a in answers if "errors" in a]
    assert len(ok) == 1 and [error_codes(a) for a in refused] == [["CONFLICT"]]
    with sessions() as session:
        item = session.get(AftercareFollowUp, uuid.UUID(scheduled["id"]))
        assert item is not None
        assert item.version == 2
        assert item.outcome == ok[0]["data"]["recordFollowUpDone"]["outcome"].lower()
    assert _counts(sessions)[2] == logged_before + 1
