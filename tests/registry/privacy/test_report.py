"""The household's access report, checked against the requests the test made: who received
what, when, for which purpose, through which channel, with the staff member named; and a
report for a case one cannot see answered like a missing case."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from tests.arrange import involved_case
from tests.conftest import GraphQL
from tests.helpers import error_codes

REPORT = """query Report($id: ID!) { accessReport(caseId: $id) { caseId erasedAt
  recipients { partner actors fields purposes channels requests firstAt lastAt }
  records { partner actor fieldsDisclosed purpose operation outcome } json } }"""


def _report(gql: GraphQL, partner: str, case_id: str) -> dict[str, Any]:
    body = gql(partner, REPORT, {"id": case_id})
    assert "errors" not in body, body
    report: dict[str, Any] = body["data"]["accessReport"]
    return report


def test_the_report_names_every_recipient_as_the_requests_were_made(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    case_id = involved_case(sessions, "partners-in-welzijn", "zowonen")
    one = {"id": case_id}
    gql(
        "partners-in-welzijn",
        "query Visit($id: ID!) { case(id: $id) { phase contactName } }",
        one,
        act="medewerker-17",
        purpose="huisbezoek",
    )
    gql(
        "gemeente-sittard-geleen",
        "query Signal($id: ID!) { case(id: $id) { earlySignalledOn } }",
        one,
        act="consulent-3",
    )
    report = _report(gql, "gemeente-sittard-geleen", case_id)
    assert report["caseId"] == case_id and report["erasedAt"] is None
    by_partner = {r["partner"]: r for r in report["recipients"]}
    welfare = by_partner["partners-in-welzijn"]
    assert welfare["actors"] == ["medewerker-17"]
    assert welfare["purposes"] == ["huisbezoek"]
    assert welfare["requests"] == 1
    visit = next(r for r in report["records"] if r["partner"] == "partners-in-welzijn")
    assert visit["actor"] == "medewerker-17" and visit["purpose"] == "huisbezoek"
    # ZOwonen releases neither field to it: the request is in the report all the same (it
    # learned that the case exists), with nothing received.
    assert (visit["fieldsDisclosed"], visit["outcome"]) == ([], "withheld")
    assert welfare["fields"] == []
    municipality = by_partner["gemeente-sittard-geleen"]
    assert municipality["actors"] == ["consulent-3"]
    assert "earlySignalledOn" in municipality["fields"]
    # The export is the same report as one JSON document.
    export = report["json"]
    assert export["format"] == "ketenregister/access-report/1"
    assert export["case"] == case_id
    assert {r["partner"] for r in export["recipients"]} == set(by_partner)
    # Reading the report is processing too: the owner's report shows the municipality's read.
    owners = _report(gql, "zowonen", case_id)
    assert any(r["partner"] == "gemeente-sittard-geleen" for r in owners["records"])
    assert len(owners["records"]) == len(report["records"]) + 1


def test_a_report_is_for_the_owner_and_the_municipality_only(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    case_id = involved_case(sessions, "partners-in-welzijn", "zowonen")
    involved = gql("partners-in-welzijn", REPORT, {"id": case_id})
    assert error_codes(involved) == ["NOT_ALLOWED"]
    assert involved["errors"][0]["message"] == (
        "only the owner and the municipality read a case's access report"
    )
    stranger = gql("parteon", REPORT, {"id": case_id})
    assert error_codes(stranger) == ["NOT_FOUND"]
    assert stranger["errors"][0]["message"] == f"case {case_id} not found"


def test_after_an_erasure_the_report_says_so_and_keeps_who_received_what(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    case_id = involved_case(sessions, "partners-in-welzijn", "zowonen")
    gql("partners-in-welzijn", "query($id: ID!) { case(id: $id) { phase } }", {"id": case_id})
    erased = gql(
        "zowonen",
        "mutation Erase($id: ID!) { eraseHousehold(caseId: $id) { erasedAt } }",
        {"id": case_id},
    )["data"]["eraseHousehold"]
    report = _report(gql, "gemeente-sittard-geleen", case_id)
    assert report["erasedAt"] == erased["erasedAt"]
    partners = {r["partner"] for r in report["recipients"]}
    assert {"partners-in-welzijn", "zowonen"} <= partners
    # The partner once involved no longer relates to the case: not found, as for any other.
    assert error_codes(gql("partners-in-welzijn", REPORT, {"id": case_id})) == ["NOT_FOUND"]
