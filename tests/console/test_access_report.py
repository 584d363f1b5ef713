"""The household's access report as a console page and JSON download, checked against the
requests the test made: who received which fields when, for which purpose, through which
channel, with the staff member named; in Dutch and English; and, for any organisation but the
owner and the municipality, answered exactly like a case that does not exist."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session, sessionmaker

from registry.models import StaffRole
from tests.arrange import involved_case
from tests.conftest import GraphQL

from .conftest import Console, MakeStaff

WELFARE = "partners-in-welzijn"
OWNER = "zowonen"
MUNICIPALITY = "gemeente-sittard-geleen"
MISSING = "Er is geen casus met dit nummer die u mag inzien."


def test_the_municipality_reads_who_received_the_household_s_data(
    browser, make_staff: MakeStaff, sessions: sessionmaker[Session], gql: GraphQL
) -> None:
    case_id = involved_case(sessions, WELFARE, OWNER)
    gql(
        WELFARE,
        "query Visit($id: ID!) { case(id: $id) { phase contactName } }",
        {"id": case_id},
        act="medewerker-17",
        purpose="huisbezoek",
    )
    officer = make_staff("consulent@sg", MUNICIPALITY, StaffRole.CASE_WORKER)
    console: Console = browser()
    console.log_in(officer)
    case_page = console.http.get(f"/console/casussen/{case_id}")
    assert f"/console/casussen/{case_id}/inzage" in case_page.text, "linked from the case"

    page = console.http.get(f"/console/casussen/{case_id}/inzage")
    assert page.status_code == 200
    assert f"Inzagerapport: casus {case_id}" in page.text
    rows = page.text.split("<h2>Alle verzoeken</h2>")[1]
    # The welfare partner's visit: its staff member and purpose, nothing received.
    visit_row = next(row for row in rows.split("<tr>") if "medewerker-17" in row)
    assert WELFARE in visit_row and "huisbezoek" in visit_row and "withheld" in visit_row
    # The console's own case read: the staff member and the session's purpose named.
    assert "consulent@sg" in rows and "console:consoleCase" in rows
    assert "eviction_prevention" in rows

    download = console.http.get(f"/console/casussen/{case_id}/inzage.json")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/json")
    assert download.headers["content-disposition"] == (
        f'attachment; filename="inzagerapport-{case_id}.json"'
    )
    export = download.json()
    assert export["format"] == "ketenregister/access-report/1" and export["case"] == case_id
    console_reads = [r for r in export["records"] if r["actor"] == "consulent@sg"]
    assert {r["channel"] for r in console_reads} >= {
        "console:consoleCase",
        "console:consoleAccessReport",
    }, "reading the report is itself in the report"
    assert {r["purpose"] for r in console_reads} == {"eviction_prevention"}
    visit = next(r for r in export["records"] if r["actor"] == "medewerker-17")
    assert (visit["partner"], visit["purpose"], visit["fields"]) == (WELFARE, "huisbezoek", [])


def test_the_report_page_in_english(browser, make_staff: MakeStaff, sessions) -> None:
    case_id = involved_case(sessions, WELFARE, OWNER)
    console: Console = browser()
    console.log_in(make_staff("consulent@sg", MUNICIPALITY, StaffRole.CASE_WORKER))
    console.http.get("/console/taal?lang=en")
    page = console.http.get(f"/console/casussen/{case_id}/inzage")
    assert f"Access report: case {case_id}" in page.text
    assert "Every request" in page.text and "Download as JSON" in page.text
    assert "Alle verzoeken" not in page.text


def test_the_owner_reads_it_and_no_other_organisation_learns_the_case_exists(
    browser, make_staff: MakeStaff, sessions: sessionmaker[Session]
) -> None:
    case_id = involved_case(sessions, WELFARE, OWNER)
    owner: Console = browser()
    owner.log_in(make_staff("verhuur@zowonen", OWNER, StaffRole.CASE_WORKER))
    assert owner.http.get(f"/console/casussen/{case_id}/inzage").status_code == 200

    missing = f"/console/casussen/{uuid.uuid4()}/inzage"
    for partner, username in ((WELFARE, "wijk@welzijn"), ("gemeente-zaanstad", "cw@zaanstad")):
        other: Console = browser()
        other.log_in(make_staff(username, partner, StaffRole.CASE_WORKER))
        for path in (f"/console/casussen/{case_id}/inzage", missing, "/console/casussen/x/inzage"):
            answer = other.http.get(path)
            assert answer.status_code == 404 and MISSING in answer.text, (partner, path)
            assert case_id not in answer.text.split("<main")[1]
        download = other.http.get(f"/console/casussen/{case_id}/inzage.json")
        assert download.status_code == 404 and MISSING in download.text
        # The involved partner's case page offers no report link either.
        if partner == WELFARE:
            assert "/inzage" not in other.http.get(f"/console/casussen/{case_id}").text
