"""Annotations and action items through the real app: each annotation kind is a policy field,
so what a partner reads of them is what the covenant and the owner's restriction release."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from registry.models import AccessLogRecord, Annotation, Phase
from tests.arrange import case_in
from tests.conftest import Clock, GraphQL
from tests.helpers import error_codes

ADD = """mutation($input: AnnotationInput!) { addAnnotation(input: $input) {
  id kind author actor note corrects correctedBy
  actionItems { id assignee dueOn overdue doneAt } } }"""
LIST = """query($id: ID!) { annotations(caseId: $id) { id kind author corrects correctedBy
  actionItems { description assignee } } }"""
ITEMS = """query($overdue: Boolean!, $mine: Boolean!) { actionItems(overdue: $overdue,
  assignedToMe: $mine) { id caseId description assignee dueOn overdue doneAt doneBy } }"""


Add = Callable[..., dict[str, Any]]


@pytest.fixture
def add(gql: GraphQL, clock: Clock) -> Add:
    """Add an annotation as a partner (staff member ``medewerker-3``); a second passes after
    each, so annotations list in the order the test adds them."""

    def run(partner: str, case_id: str, kind: str, day: dt.date, **more: Any) -> dict[str, Any]:
        body = gql(
            partner,
            ADD,
            {"input": {"caseId": case_id, "kind": kind, "occurredOn": day.isoformat(), **more}},
            act="medewerker-3",
        )
        clock.advance(seconds=1)
        return body

    return run


def _kinds(gql: GraphQL, partner: str, case_id: str) -> list[tuple[str, str]]:
    body = gql(partner, LIST, {"id": case_id})
    assert "errors" not in body, body
    return [(a["kind"], a["author"]) for a in body["data"]["annotations"]]


def test_zowonen_welfare_reads_no_annotation_it_has_no_policy_for(
    gql: GraphQL, add: Add, sessions: sessionmaker[Session], clock: Clock
) -> None:
    today = clock.now.date()
    case_id = case_in(
        sessions,
        "zowonen",
        Phase.EARLY_SIGNAL,
        today,
        involved=("partners-in-welzijn", "gebiedsteam-sittard-geleen"),
    )
    assert "errors" not in add("gebiedsteam-sittard-geleen", case_id, "HOME_VISIT", today)
    assert "errors" not in add(
        "partners-in-welzijn", case_id, "CONTACT_ATTEMPT", today, note="brief door de deur"
    )
    decision = add(
        "zowonen",
        case_id,
        "CASE_CONFERENCE",
        today,
        actionItems=[
            {
                "description": "Bel huurder voor betalingsregeling",
                "assignee": "gemeente-sittard-geleen",
                "dueOn": (today + dt.timedelta(days=3)).isoformat(),
            }
        ],
    )
    assert decision["data"]["addAnnotation"]["actor"] == "medewerker-3"  # the author sees its own
    # The owner reads every kind; ZOwonen's restriction leaves the involved partners only what
    # they wrote themselves; the municipality has no grant for annotations in Sittard-Geleen.
    assert _kinds(gql, "zowonen", case_id) == [
        ("HOME_VISIT", "gebiedsteam-sittard-geleen"),
        ("CONTACT_ATTEMPT", "partners-in-welzijn"),
        ("CASE_CONFERENCE", "zowonen"),
    ]
    assert _kinds(gql, "partners-in-welzijn", case_id) == [
        ("CONTACT_ATTEMPT", "partners-in-welzijn")
    ]
    assert _kinds(gql, "gebiedsteam-sittard-geleen", case_id) == [
        ("HOME_VISIT", "gebiedsteam-sittard-geleen")
    ]
    assert _kinds(gql, "gemeente-sittard-geleen", case_id) == []
    # ...but an action item addressed to the municipality reaches it.
    items = gql("gemeente-sittard-geleen", ITEMS, {"overdue": False, "mine": True})
    assert [i["description"] for i in items["data"]["actionItems"]] == [
        "Bel huurder voor betalingsregeling"
    ]
    assert (
        gql("partners-in-welzijn", ITEMS, {"overdue": False, "mine": False})["data"]["actionItems"]
        == []
    )
    with sessions() as session:
        records = session.scalars(
            select(AccessLogRecord).where(AccessLogRecord.partner_id == "partners-in-welzijn")
        ).all()
    # The access log names what the annotation list released and what it held back; nothing
    # welfare was sent ever named another partner's kind as disclosed.
    seen = [(r.fields_disclosed, sorted(r.fields_withheld)) for r in records]
    assert (
        ["annotationContactAttempt"],
        ["annotationCaseConference", "annotationHomeVisit"],
    ) in seen
    assert ([], ["annotationCaseConference"]) in seen  # the action-item list
    assert all(r.fields_disclosed in ([], ["annotationContactAttempt"]) for r in records)


def test_a_covenant_releases_annotation_kinds_by_field(
    gql: GraphQL, add: Add, sessions: sessionmaker[Session], clock: Clock
) -> None:
    today = clock.now.date()
    case_id = case_in(
        sessions,
        "nijestee",
        Phase.COLLECTION,
        today,
        involved=("wij-groningen", "ehbg-groningen", "bureau-woonkans"),
    )
    add("ehbg-groningen", case_id, "HOME_VISIT", today)
    add("ehbg-groningen", case_id, "HELP_ACCEPTED", today)
    add("wij-groningen", case_id, "PAYMENT_ARRANGEMENT", today)
    # Groningen's district teams read every kind (homeVisit); Bureau Woonkans reads what weighs
    # in a second chance (secondChance: no home visits); the municipality reads none.
    assert [k for k, _ in _kinds(gql, "wij-groningen", case_id)] == [
        "HOME_VISIT",
        "HELP_ACCEPTED",
        "PAYMENT_ARRANGEMENT",
    ]
    assert [k for k, _ in _kinds(gql, "bureau-woonkans", case_id)] == [
        "HELP_ACCEPTED",
        "PAYMENT_ARRANGEMENT",
    ]
    assert _kinds(gql, "gemeente-groningen", case_id) == []


def test_a_municipality_with_a_grant_reads_annotations_of_its_cases(
    gql: GraphQL, add: Add, sessions: sessionmaker[Session], clock: Clock
) -> None:
    today = clock.now.date()
    case_id = case_in(
        sessions, "parteon", Phase.COLLECTION, today, involved=("wijkteam-zaandam-noord",)
    )
    add("wijkteam-zaandam-noord", case_id, "HOME_VISIT", today)
    # Zaanstad's covenant grants its own municipality the annotations (demo MUNICIPALITY_GRANTS).
    assert _kinds(gql, "gemeente-zaanstad", case_id) == [("HOME_VISIT", "wijkteam-zaandam-noord")]


def test_annotations_are_append_only_and_corrected_by_their_author(
    gql: GraphQL, add: Add, sessions: sessionmaker[Session], clock: Clock
) -> None:
    today = clock.now.date()
    case_id = case_in(
        sessions, "nijestee", Phase.COLLECTION, today, involved=("wij-groningen", "ehbg-groningen")
    )
    first = add("ehbg-groningen", case_id, "HELP_ACCEPTED", today)["data"]["addAnnotation"]
    fix = add("ehbg-groningen", case_id, "HELP_REFUSED", today, corrects=first["id"])
    assert fix["data"]["addAnnotation"]["corrects"] == first["id"]
    listed = gql("wij-groningen", LIST, {"id": case_id})["data"]["annotations"]
    assert [(a["kind"], a["corrects"], a["correctedBy"]) for a in listed] == [
        ("HELP_ACCEPTED", None, fix["data"]["addAnnotation"]["id"]),
        ("HELP_REFUSED", first["id"], None),
    ]
    again = add("ehbg-groningen", case_id, "HELP_ACCEPTED", today, corrects=first["id"])
    assert error_codes(again) == ["CONFLICT"]
    assert again["errors"][0]["message"] == (
        f"annotation {first['id']} was corrected already by {fix['data']['addAnnotation']['id']}: "
        "correct that one"
    )
    other = add(
        "wij-groningen",
        case_id,
        "HELP_ACCEPTED",
        today,
        corrects=fix["data"]["addAnnotation"]["id"],
    )
    assert error_codes(other) == ["NOT_ALLOWED"]
    assert other["errors"][0]["message"] == "only the author of an annotation corrects it"


def test_bad_annotations_get_a_clear_error_and_change_nothing(
    gql: GraphQL, add: Add, sessions: sessionmaker[Session], clock: Clock
) -> None:
    today = clock.now.date()
    case_id = case_in(
        sessions, "zowonen", Phase.COLLECTION, today, involved=("partners-in-welzijn",)
    )
    foreign = case_in(sessions, "nijestee", Phase.COLLECTION, today)
    missing = "00000000-0000-4000-8000-000000000000"
    tomorrow = today + dt.timedelta(days=1)
    item = {
        "description": "Huisbezoek",
        "assignee": "gemeente-sittard-geleen",
        "dueOn": tomorrow.isoformat(),
    }
    refusals: list[tuple[str, str, str, dict[str, Any], str, str]] = [
        (
            "partners-in-welzijn",
            foreign,
            "HOME_VISIT",
            {},
            "NOT_FOUND",
            f"case {foreign} not found",
        ),
        (
            "partners-in-welzijn",
            missing,
            "HOME_VISIT",
            {},
            "NOT_FOUND",
            f"case {missing} not found",
        ),
        (
            "partners-in-welzijn",
            case_id,
            "HOME_VISIT",
            {"actionItems": [item]},
            "INVALID_INPUT",
            "only a case-conference decision has action items",
        ),
        (
            "zowonen",
            case_id,
            "CASE_CONFERENCE",
            {"actionItems": [{**item, "assignee": "wij-groningen"}]},
            "INVALID_INPUT",
            "wij-groningen cannot be given an action item on this case: it is neither its owner, "
            "its municipality nor involved in it",
        ),
        (
            "zowonen",
            case_id,
            "CASE_CONFERENCE",
            {"actionItems": [{**item, "dueOn": (today - dt.timedelta(days=1)).isoformat()}]},
            "INVALID_INPUT",
            f"an action item's due date {today - dt.timedelta(days=1)} lies in the past",
        ),
        (
            "zowonen",
            case_id,
            "HOME_VISIT",
            {"note": "n" * 1001},
            "INVALID_INPUT",
            "a note has at most 1000 characters",
        ),
        (
            "zowonen",
            case_id,
            "CASE_CONFERENCE",
            {"actionItems": [{**item, "description": "d" * 501}]},
            "INVALID_INPUT",
            "an action item's description has 1 to 500 characters",
        ),
        (
            "zowonen",
            case_id,
            "CASE_CONFERENCE",
            {"corrects": missing},
            "NOT_FOUND",
            f"annotation {missing} not found on this case",
        ),
    ]
    for partner, target, kind, more, code, message in refusals:
        body = add(partner, target, kind, today, **more)
        assert error_codes(body) == [code], body
        assert body["errors"][0]["message"] == message
    future = add("zowonen", case_id, "HOME_VISIT", tomorrow)
    assert error_codes(future) == ["INVALID_INPUT"]
    assert future["errors"][0]["message"] == f"occurredOn {tomorrow} lies in the future"
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Annotation)) == 0


def test_the_municipality_sees_its_overdue_action_items(
    gql: GraphQL, add: Add, sessions: sessionmaker[Session], clock: Clock
) -> None:
    today = clock.now.date()
    case_id = case_in(
        sessions, "zowonen", Phase.COLLECTION, today, involved=("gebiedsteam-sittard-geleen",)
    )
    due = today + dt.timedelta(days=2)
    body = add(
        "zowonen",
        case_id,
        "CASE_CONFERENCE",
        today,
        actionItems=[
            {
                "description": "Contact opnemen",
                "assignee": "gemeente-sittard-geleen",
                "dueOn": due.isoformat(),
            },
            {
                "description": "Huisbezoek",
                "assignee": "gebiedsteam-sittard-geleen",
                "dueOn": (today + dt.timedelta(days=30)).isoformat(),
            },
        ],
    )
    assert "errors" not in body, body
    assert (
        gql("gemeente-sittard-geleen", ITEMS, {"overdue": True, "mine": True})["data"][
            "actionItems"
        ]
        == []
    )
    clock.advance(days=5)
    overdue = gql("gemeente-sittard-geleen", ITEMS, {"overdue": True, "mine": True})
    [item] = overdue["data"]["actionItems"]
    assert (item["caseId"], item["description"], item["overdue"]) == (
        case_id,
        "Contact opnemen",
        True,
    )
    # The area team's own item is not overdue; it does not see the municipality's.
    team = gql("gebiedsteam-sittard-geleen", ITEMS, {"overdue": False, "mine": False})
    assert [i["description"] for i in team["data"]["actionItems"]] == ["Huisbezoek"]
    done = gql(
        "gemeente-sittard-geleen",
        """mutation($id: ID!) { completeActionItem(id: $id) {
        doneAt doneBy overdue } }""",
        {"id": item["id"]},
        act="wethouder-kantoor",
    )
    assert done["data"]["completeActionItem"]["doneBy"] == "wethouder-kantoor"
    assert done["data"]["completeActionItem"]["overdue"] is False
    assert (
        gql("gemeente-sittard-geleen", ITEMS, {"overdue": True, "mine": True})["data"][
            "actionItems"
        ]
        == []
    )
    twice = gql(
        "gemeente-sittard-geleen",
        """mutation($id: ID!) { completeActionItem(id: $id) {
        doneAt } }""",
        {"id": item["id"]},
    )
    assert error_codes(twice) == ["CONFLICT"]
    stranger = gql(
        "nijestee",
        """mutation($id: ID!) { completeActionItem(id: $id) { doneAt } }""",
        {"id": item["id"]},
    )
    assert error_codes(stranger) == ["NOT_FOUND"]
    assert stranger["errors"][0]["message"] == f"action item {item['id']} not found"
