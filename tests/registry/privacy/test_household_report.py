"""The household's access report across its cases (issue 16, part 5), found by its name and
exact address through the identity blind index, checked against the requests the test made;
as JSON, as a PDF in GraphQL and over HTTP; with the staff member named, also through the
console; for the owner and the municipality only, a household without a case it may see being
answered like a missing case."""

from __future__ import annotations

import base64
import io
from typing import Any

import pytest
from pypdf import PdfReader

from registry.access.principal import Principal
from registry.tracing import trace_from_header
from tests.arrange import NEW_CASE, REGISTER_CASE
from tests.conftest import AppClient, Clock, GraphQL
from tests.helpers import error_codes

MUNICIPALITY, OWNER, WELFARE = "gemeente-sittard-geleen", "zowonen", "partners-in-welzijn"
HOUSEHOLD = {"name": "Huis Houden", "pc": "6131 CD", "nr": 5, "add": None}
REPORT = """query Report($name: String!, $pc: String!, $nr: Int!, $add: String) {
  householdAccessReport(name: $name, postalCode: $pc, houseNumber: $nr,
  houseNumberAddition: $add) { requestedBy requestedByActor json pdfBase64
  cases { caseId recipients { partner actors fields purposes channels requests } } } }"""
READ = "query Read($id: ID!) { case(id: $id) { phase contactName } }"


def _register(gql: GraphQL, name: str, address: str, postal_code: str) -> str:
    contact = {"name": name, "address": address, "postalCode": postal_code}
    created = gql(OWNER, REGISTER_CASE, {"input": {**NEW_CASE, "contact": contact}})
    assert "errors" not in created, created
    return str(created["data"]["registerCase"]["id"])


@pytest.fixture
def household(gql: GraphQL, clock: Clock) -> tuple[str, str]:
    """Two cases of one household (registered a while apart, spelled a little differently),
    and two that are not its own: another household at its address, and a namesake elsewhere.
    Partners in Welzijn is involved in the first."""
    first = _register(gql, "Huis Houden", "Dubbelweg 5, Sittard", "6131 CD")
    clock.advance(hours=1)
    second = _register(gql, "huis  houden", "Dubbelweg 5", "6131cd")
    _register(gql, "Andere Bewoner", "Dubbelweg 5", "6131 CD")
    _register(gql, "Huis Houden", "Dubbelweg 7", "6131 CD")
    involved = gql(
        OWNER,
        """mutation($id: ID!) { involvePartner(caseId: $id, partner: "partners-in-welzijn",
        role: OUTREACH) { id } }""",
        {"id": first},
    )
    assert "errors" not in involved, involved
    return first, second


def _report(gql: GraphQL, partner: str, **token: Any) -> dict[str, Any]:
    body = gql(partner, REPORT, HOUSEHOLD, **token)
    assert "errors" not in body, body
    found: dict[str, Any] = body["data"]["householdAccessReport"]
    return found


def _pdf_text(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_the_report_covers_every_case_of_the_household_as_the_requests_were_made(
    gql: GraphQL, household: tuple[str, str]
) -> None:
    first, second = household
    gql(WELFARE, READ, {"id": first}, act="medewerker-9", purpose="schuldhulpverlening")
    gql(MUNICIPALITY, READ, {"id": second}, act="consulent-1")
    report = _report(gql, MUNICIPALITY, act="balie-2")
    assert (report["requestedBy"], report["requestedByActor"]) == (MUNICIPALITY, "balie-2")
    assert [c["caseId"] for c in report["cases"]] == [first, second]
    one, two = ({r["partner"]: r for r in c["recipients"]} for c in report["cases"])
    # The first case: registered and shared by ZOwonen, read by Partners in Welzijn's worker.
    assert set(one) == {OWNER, WELFARE}
    assert one[WELFARE]["actors"] == ["medewerker-9"]
    assert one[WELFARE]["purposes"] == ["schuldhulpverlening"]
    assert {"phase", "contactName"} <= set(one[WELFARE]["fields"])
    # The channel is the operation's root field (the client sent no operation name).
    assert one[WELFARE]["channels"] == ["case"] and one[WELFARE]["requests"] == 1
    # The second: registered by ZOwonen, read by the municipality's consulent.
    assert set(two) == {OWNER, MUNICIPALITY}
    assert two[MUNICIPALITY]["actors"] == ["consulent-1"]
    assert two[MUNICIPALITY]["requests"] == 1
    # The JSON export is the same report; asking for it was processing of both cases.
    export = report["json"]
    assert export["format"] == "ketenregister/household-access-report/1"
    assert export["requestedBy"] == {"partner": MUNICIPALITY, "actor": "balie-2"}
    assert [c["case"] for c in export["cases"]] == [first, second]
    assert export["organisations"][WELFARE] == "Partners in Welzijn"
    again = _report(gql, MUNICIPALITY)
    asked = [r for r in again["cases"][0]["recipients"] if r["partner"] == MUNICIPALITY]
    assert asked and asked[0]["actors"] == ["balie-2"]
    assert {"contactName", "contactAddress", "contactPostalCode"} <= set(asked[0]["fields"])
    # The PDF parses, and names every organisation and staff member the JSON does.
    text = _pdf_text(base64.b64decode(report["pdfBase64"]))
    for name in ("Gemeente Sittard-Geleen", "ZOwonen", "Partners in Welzijn"):
        assert name in text, name
    for actor in ("medewerker-9", "consulent-1", "balie-2"):
        assert actor in text, actor
    assert first in text and second in text


def test_through_the_console_the_staff_member_is_named(
    client: AppClient, household: tuple[str, str]
) -> None:
    # How a console page runs a query: the organisation as principal, the person as actor.
    staff = Principal(
        partner_id=MUNICIPALITY,
        kind="municipality",
        municipalities=frozenset({"sittard-geleen"}),
        actor="loket@sittard-geleen",
        purpose="eviction_prevention",
        trace=trace_from_header(None),
    )
    registry = client.app.state.registry
    answer = registry.execute_as(staff, REPORT, HOUSEHOLD, "Report")
    assert "errors" not in answer, answer
    assert answer["data"]["householdAccessReport"]["requestedByActor"] == "loket@sittard-geleen"
    again = registry.execute_as(staff, REPORT, HOUSEHOLD, "Report")["data"]
    recipients = again["householdAccessReport"]["cases"][1]["recipients"]
    console = next(r for r in recipients if r["partner"] == MUNICIPALITY)
    assert console["actors"] == ["loket@sittard-geleen"]
    assert console["channels"] == ["console:Report"]


def test_a_household_without_a_case_you_may_report_on_is_answered_like_a_missing_one(
    gql: GraphQL, household: tuple[str, str]
) -> None:
    nobody = {**HOUSEHOLD, "name": "Niemand Hier"}
    missing = gql(MUNICIPALITY, REPORT, nobody)
    assert error_codes(missing) == ["NOT_FOUND"]
    assert missing["errors"][0]["message"] == "no case of this household found"
    for partner in ("gemeente-zaanstad", WELFARE, "gkb-sittard-geleen"):
        refused = gql(partner, REPORT, HOUSEHOLD)
        assert error_codes(refused) == ["NOT_FOUND"], partner
        assert refused["errors"][0]["message"] == missing["errors"][0]["message"]
    # The owner reports on its own cases of the household.
    assert len(_report(gql, OWNER)["cases"]) == 2
    bad = gql(MUNICIPALITY, REPORT, {**HOUSEHOLD, "pc": "6131"})
    assert error_codes(bad) == ["INVALID_INPUT"]
    assert "'6131' is not a Dutch postal code" in bad["errors"][0]["message"]


def test_the_pdf_is_served_over_http(
    client: AppClient, token_for: Any, household: tuple[str, str]
) -> None:
    body = {"name": "Huis Houden", "postalCode": "6131 CD", "houseNumber": 5}
    path = "/exports/household-access-report.pdf"
    served = client.post(
        path, json=body, headers={"Authorization": f"Bearer {token_for(MUNICIPALITY)}"}
    )
    assert served.status_code == 200, served.text
    assert served.headers["content-type"] == "application/pdf"
    assert served.headers["cache-control"] == "no-store"
    text = _pdf_text(served.content)
    assert "Gemeente Sittard-Geleen" in text and "ZOwonen" in text
    assert all(case_id in text for case_id in household)
    stranger = client.post(
        path, json=body, headers={"Authorization": f"Bearer {token_for('gemeente-zaanstad')}"}
    )
    assert stranger.status_code == 404
    assert stranger.json()["errors"][0]["message"] == "no case of this household found"
    assert client.post(path, json=body).status_code == 401
    odd = client.post(
        path,
        json={**body, "bsn": "123"},
        headers={"Authorization": f"Bearer {token_for(MUNICIPALITY)}"},
    )
    assert odd.status_code == 400 and "unknown members ['bsn']" in odd.text
