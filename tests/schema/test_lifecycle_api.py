"""The lifecycle through the real app: real tokens, real database, real policies."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import json
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from clients.verify import verify_checkpoint, verify_inclusion
from registry.auditlog.sequencer import read_state
from registry.models import Case, OutboxEvent, Phase
from tests.arrange import case_in
from tests.conftest import Clock, GraphQL
from tests.helpers import error_codes

CASE_FIELDS = """id phase evictionDate bailiff judgmentGrantedOn evictionOutcome closedOn
  closureOutcome householdDestination involvements { partner role } withheld"""
SCHEDULE = f"""mutation($id: ID!, $date: Date!, $bailiff: String!) {{
  scheduleEviction(id: $id, date: $date, bailiff: $bailiff) {{ {CASE_FIELDS} }} }}"""
MOVE = f"""mutation($id: ID!, $to: Phase!) {{ moveCase(id: $id, to: $to) {{ {CASE_FIELDS} }} }}"""
CASE = f"""query($id: ID!) {{ case(id: $id) {{ {CASE_FIELDS} }} }}"""


def _state(sessions: sessionmaker[Session], case_id: str) -> tuple[Any, ...]:
    with sessions() as session:
        case = session.get(Case, uuid.UUID(case_id))
        assert case is not None
        events = session.scalar(select(func.count()).select_from(OutboxEvent))
        return case.phase, case.eviction_date, case.version, case.bailiff_id, events


def test_owner_schedules_an_eviction_and_welfare_sees_only_the_date(
    gql: GraphQL, sessions: sessionmaker[Session], clock: Clock
) -> None:
    today = clock.now.date()
    case_id = case_in(
        sessions,
        "zowonen",
        Phase.JUDGMENT_SERVED,
        today,
        involved=("partners-in-welzijn", "gebiedsteam-sittard-geleen"),
    )
    date = (today + dt.timedelta(days=21)).isoformat()
    body = gql("zowonen", SCHEDULE, {"id": case_id, "date": date, "bailiff": "flanderijn"})
    case = body["data"]["scheduleEviction"]
    assert case["phase"] == "EVICTION"
    assert case["evictionDate"] == date
    assert case["bailiff"] == "flanderijn"
    assert case["withheld"] == []
    assert {"partner": "flanderijn", "role": "BAILIFF"} in case["involvements"]
    welfare = gql("partners-in-welzijn", CASE, {"id": case_id})["data"]["case"]
    assert welfare["evictionDate"] == date
    assert welfare["phase"] is None
    assert welfare["bailiff"] is None
    assert {"phase", "bailiff", "judgmentGrantedOn", "involvements"} <= set(welfare["withheld"])
    with sessions() as session:
        types = session.scalars(
            select(OutboxEvent.type).where(OutboxEvent.case_id == uuid.UUID(case_id))
        ).all()
    assert sorted(types) == ["case.phase_changed", "eviction.scheduled", "shelter_task.opened"]


def test_bad_input_gets_a_clear_error_and_changes_nothing(
    gql: GraphQL, sessions: sessionmaker[Session], clock: Clock
) -> None:
    today = clock.now.date()
    case_id = case_in(
        sessions, "zowonen", Phase.JUDGMENT_SERVED, today, involved=("partners-in-welzijn",)
    )
    before = _state(sessions, case_id)
    yesterday = (today - dt.timedelta(days=1)).isoformat()
    refusals: list[tuple[str, str, dict[str, Any], str, str]] = [
        (
            "zowonen",
            SCHEDULE,
            {"id": case_id, "date": yesterday, "bailiff": "flanderijn"},
            "INVALID_INPUT",
            f"the eviction date {yesterday} lies in the past",
        ),
        (
            "zowonen",
            MOVE,
            {"id": case_id, "to": "COURT"},
            "CONFLICT",
            "illegal transition: moveCase to court is not allowed from phase judgment_served; "
            "allowed: scheduleEviction to eviction; closeCase as prevented_payment_arrangement or "
            "prevented_debt_help or prevented_moved_voluntarily or prevented_second_chance",
        ),
        (
            "zowonen",
            MOVE,
            {"id": case_id, "to": "EVICTION"},
            "CONFLICT",
            "from judgment_served to eviction is not a plain move: use scheduleEviction",
        ),
        (
            "gemeente-sittard-geleen",
            MOVE,
            {"id": case_id, "to": "EVICTION"},
            "NOT_ALLOWED",
            "gemeente-sittard-geleen may not move this case through its lifecycle: only its owner "
            "does",
        ),
        (
            "nijestee",
            SCHEDULE,
            {"id": case_id, "date": today.isoformat(), "bailiff": "flanderijn"},
            "NOT_FOUND",
            f"case {case_id} not found",
        ),
        (
            "zowonen",
            SCHEDULE,
            {"id": case_id, "date": today.isoformat(), "bailiff": "nobody"},
            "INVALID_INPUT",
            "unknown partner 'nobody'",
        ),
    ]
    for partner, query, variables, code, message in refusals:
        body = gql(partner, query, variables)
        assert error_codes(body) == [code], body
        assert body["errors"][0]["message"] == message
        assert body["data"] is None
    # Before the judgment: the record is made to say the judgment came later than the date.
    with sessions.begin() as session:
        case = session.get(Case, uuid.UUID(case_id))
        assert case is not None
        case.judgment_granted_on = today + dt.timedelta(days=10)
    early = (today + dt.timedelta(days=3)).isoformat()
    body = gql("zowonen", SCHEDULE, {"id": case_id, "date": early, "bailiff": "flanderijn"})
    assert error_codes(body) == ["INVALID_INPUT"]
    assert body["errors"][0]["message"] == (
        f"the eviction date {early} is before the judgment of {today + dt.timedelta(days=10)}"
    )
    assert _state(sessions, case_id) == before


def test_a_case_is_carried_through_to_its_close(
    gql: GraphQL, sessions: sessionmaker[Session], clock: Clock
) -> None:
    today = clock.now.date()
    case_id = case_in(sessions, "nijestee", Phase.COURT, today, involved=("bureau-woonkans",))
    served = gql(
        "nijestee",
        """mutation($id: ID!, $on: Date!) { recordJudgment(id: $id,
        grantedOn: $on) { phase judgmentGrantedOn } }""",
        {"id": case_id, "on": today.isoformat()},
    )
    assert served["data"]["recordJudgment"]["phase"] == "JUDGMENT_SERVED"
    gql("nijestee", SCHEDULE, {"id": case_id, "date": today.isoformat(), "bailiff": "flanderijn"})
    out = gql(
        "nijestee",
        """mutation($id: ID!) { carryOutEviction(id: $id, outcome: EXECUTED) {
        phase evictionOutcome } }""",
        {"id": case_id},
    )
    assert out["data"]["carryOutEviction"] == {
        "phase": "AFTER_EVICTION",
        "evictionOutcome": "EXECUTED",
    }
    after = gql(
        "nijestee",
        """mutation($id: ID!) { recordAftercare(id: $id, input: {
        destination: SOCIAL_SHELTER, arrangedBy: "gemeente-groningen",
        housingBlockUntil: "2030-01-01" }) { householdDestination destinationArrangedBy
        shelterArranged housingBlockUntil housingBlockUntilDebtSettled } }""",
        {"id": case_id},
    )
    assert after["data"]["recordAftercare"] == {
        "householdDestination": "SOCIAL_SHELTER",
        "destinationArrangedBy": "gemeente-groningen",
        "shelterArranged": True,
        "housingBlockUntil": "2030-01-01",
        "housingBlockUntilDebtSettled": False,
    }
    closed = gql(
        "nijestee",
        """mutation($id: ID!) { closeCase(id: $id, outcome: EVICTED) {
        closedOn closureOutcome } }""",
        {"id": case_id},
    )
    assert closed["data"]["closeCase"] == {
        "closedOn": today.isoformat(),
        "closureOutcome": "EVICTED",
    }
    woonkans = gql("bureau-woonkans", CASE, {"id": case_id})["data"]["case"]
    assert woonkans["closureOutcome"] == "EVICTED"
    assert woonkans["householdDestination"] == "SOCIAL_SHELTER"
    again = gql("nijestee", MOVE, {"id": case_id, "to": "AFTER_EVICTION"})
    assert error_codes(again) == ["CONFLICT"]
    assert again["errors"][0]["message"].endswith("nothing follows a closed case")


def test_the_transition_table_is_published(gql: GraphQL) -> None:
    body = gql(
        "partners-in-welzijn",
        """{ lifecycleTransitions { source target operation }
        lifecycleClosures { outcome phases } }""",
    )
    transitions = body["data"]["lifecycleTransitions"]
    assert {
        "source": "COLLECTION",
        "target": "COURT",
        "operation": "requestJudgment",
    } in transitions
    closures = {c["outcome"]: c["phases"] for c in body["data"]["lifecycleClosures"]}
    assert closures["evicted"] == ["AFTER_EVICTION"]
    assert closures["prevented_debt_help"][0] == "ARREARS"


def test_eviction_events_are_sealed_in_the_signed_log(
    gql: GraphQL, sessions: sessionmaker[Session], clock: Clock, client: Any
) -> None:
    today = clock.now.date()
    case_id = case_in(
        sessions, "zowonen", Phase.JUDGMENT_SERVED, today, involved=("partners-in-welzijn",)
    )
    with sessions() as session:
        start = read_state(session).size
    date = (today + dt.timedelta(days=14)).isoformat()
    gql("zowonen", SCHEDULE, {"id": case_id, "date": date, "bailiff": "flanderijn"})
    gql("zowonen", "mutation($id: ID!) { callOffEviction(id: $id) { phase } }", {"id": case_id})
    with sessions() as session:
        assert read_state(session).size == start + 2
    vkey = client.get("/log/key").text.strip()
    entry_query = """query($index: Int!) { auditLogEntry(index: $index) { inclusionProof
        entry { data submitter eventClass opening { data eventType caseId } }
        checkpoint { note } } }"""
    events = []
    for index in (start, start + 1):
        # Welfare, involved but allowed only the date (ZOwonen's restriction), reads the leaf
        # and proves it is in the log; it is not shown the event.
        found = gql("partners-in-welzijn", entry_query, {"index": index})["data"]["auditLogEntry"]
        checkpoint = verify_checkpoint(found["checkpoint"]["note"], vkey)
        data = found["entry"]["data"]
        verify_inclusion(
            data.encode(),
            index,
            checkpoint.size,
            [base64.b64decode(h) for h in found["inclusionProof"]],
            checkpoint.root,
        )
        assert case_id not in data and date not in data and "flanderijn" not in data
        assert "eviction" not in data
        leaf = json.loads(data)
        assert set(leaf) == {"v", "index", "time", "submitter", "class", "commitment"}
        assert (leaf["v"], leaf["submitter"], leaf["class"]) == (2, "zowonen", "case")
        assert found["entry"]["opening"] is None
        # The owner is shown the event, and checks it against the leaf's commitment.
        owned = gql("zowonen", entry_query, {"index": index})["data"]["auditLogEntry"]["entry"]
        assert owned["data"] == data
        opening = owned["opening"]
        assert hashlib.sha256(opening["data"].encode()).hexdigest() == leaf["commitment"]
        assert opening["caseId"] == case_id
        events.append(json.loads(opening["data"])["event"])
    assert events == [
        {
            "type": "eviction.scheduled",
            "case": case_id,
            "evictionDate": date,
            "bailiff": "flanderijn",
        },
        {"type": "eviction.called_off", "case": case_id, "outcome": "called_off"},
    ]
