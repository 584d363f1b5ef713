"""The case stays in view of the partners that continue aftercare: one named in a follow-up
(or involved explicitly as continuing aftercare) still finds the case after it was closed, and
reads what the covenant releases to that role; a district team that does not continue finds
nothing (NOT_FOUND), as for a case that does not exist."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from registry.models import Involvement, OutboxAddressee, OutboxEvent
from tests.arrange import evicted_case
from tests.conftest import DEMO_TODAY, Clock, GraphQL
from tests.helpers import error_codes

WEDNESDAY = dt.datetime.combine(DEMO_TODAY + dt.timedelta(days=9), dt.time(14), dt.UTC)
OWNER, MUNICIPALITY = "parteon", "gemeente-zaanstad"
BAILIFF, DISTRICT_TEAM = "kerckhoffs-lasonder", "wijkteam-zaandam-noord"
READ = """query($id: ID!) { case(id: $id) { id phase closedOn householdDestination
  judgmentRequestedOn withheld } }"""
LIST = "{ cases(first: 500) { nodes { id } } }"
SCHEDULE = """mutation($input: ScheduleFollowUpInput!) { scheduleFollowUp(input: $input) {
  id assignee } }"""
CLOSE = "mutation($id: ID!) { closeCase(id: $id, outcome: EVICTED) { closedOn } }"
DESTINATION = """mutation($id: ID!) { recordAftercare(id: $id, input: {destination:
  SOCIAL_SHELTER, arrangedBy: "gemeente-zaanstad"}) { householdDestination } }"""
INVOLVE = """mutation($c: ID!, $p: String!) { involvePartner(caseId: $c, partner: $p,
  role: AFTERCARE) { id } }"""
RELEASE = """mutation($c: ID!, $p: String!) { releasePartner(caseId: $c, partner: $p) {
  id } }"""


def _ok(body: dict[str, Any], field: str) -> Any:
    assert "errors" not in body, body
    return body["data"][field]


def _listed(gql: GraphQL, partner: str) -> set[str]:
    return {n["id"] for n in _ok(gql(partner, LIST), "cases")["nodes"]}


def test_a_partner_named_in_a_follow_up_keeps_the_closed_case_in_view(
    gql: GraphQL, sessions: sessionmaker[Session], clock: Clock
) -> None:
    clock.now = WEDNESDAY
    continued = evicted_case(sessions, OWNER, WEDNESDAY.date(), bailiff=BAILIFF)
    dropped = evicted_case(sessions, OWNER, WEDNESDAY.date(), bailiff=BAILIFF, exclude=(continued,))
    for case_id in (continued, dropped):
        _ok(gql(OWNER, DESTINATION, {"id": case_id}), "recordAftercare")

    # The municipality names the district team in a follow-up of one case: it continues
    # aftercare there, involved in that role, and is told.
    due = (WEDNESDAY.date() + dt.timedelta(days=14)).isoformat()
    follow_up = {"caseId": continued, "kind": "CONTACT", "assignee": DISTRICT_TEAM, "dueOn": due}
    _ok(gql(MUNICIPALITY, SCHEDULE, {"input": follow_up}), "scheduleFollowUp")
    with sessions() as session:
        roles = session.scalars(
            select(Involvement.role).where(
                Involvement.case_id == uuid.UUID(continued),
                Involvement.partner_id == DISTRICT_TEAM,
            )
        ).all()
        told = session.scalars(
            select(OutboxEvent.type)
            .join(OutboxAddressee, OutboxAddressee.event_id == OutboxEvent.id)
            .where(
                OutboxEvent.case_id == uuid.UUID(continued),
                OutboxAddressee.partner_id == DISTRICT_TEAM,
            )
        ).all()
    assert roles == ["aftercare"]
    assert {"partner.involved", "aftercare.follow_up_scheduled"} <= set(told)
    # A second follow-up for it does not involve it again.
    later = {**follow_up, "dueOn": (WEDNESDAY.date() + dt.timedelta(days=91)).isoformat()}
    _ok(gql(MUNICIPALITY, SCHEDULE, {"input": later}), "scheduleFollowUp")

    # The corporation closes both cases: its part has ended.
    for case_id in (continued, dropped):
        _ok(gql(OWNER, CLOSE, {"id": case_id}), "closeCase")

    # The district team that continues still sees the closed case, with what the covenant
    # grants its role (where the household went) and no more (not the judgment).
    seen = _ok(gql(DISTRICT_TEAM, READ, {"id": continued}), "case")
    assert seen["phase"] == "AFTER_EVICTION" and seen["householdDestination"] == "SOCIAL_SHELTER"
    for withheld in ("judgmentRequestedOn", "closedOn"):
        assert seen[withheld] is None and withheld in seen["withheld"]
    assert (
        _ok(gql(OWNER, READ, {"id": continued}), "case")["closedOn"] == WEDNESDAY.date().isoformat()
    )
    # The case it does not continue in is not there for it at all.
    assert error_codes(gql(DISTRICT_TEAM, READ, {"id": dropped})) == ["NOT_FOUND"]
    listed = _listed(gql, DISTRICT_TEAM)
    assert continued in listed and dropped not in listed

    # Explicitly involved as continuing aftercare, after the closing, it sees the other too;
    # released, it no longer sees the first.
    _ok(gql(MUNICIPALITY, INVOLVE, {"c": dropped, "p": DISTRICT_TEAM}), "involvePartner")
    again = _ok(gql(DISTRICT_TEAM, READ, {"id": dropped}), "case")
    assert again["householdDestination"] == "SOCIAL_SHELTER"
    _ok(gql(MUNICIPALITY, RELEASE, {"c": continued, "p": DISTRICT_TEAM}), "releasePartner")
    assert error_codes(gql(DISTRICT_TEAM, READ, {"id": continued})) == ["NOT_FOUND"]
