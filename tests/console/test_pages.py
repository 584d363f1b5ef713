"""The console's pages act through the same GraphQL services as partner systems: as the
staff member's organisation, with the staff member as the acting person and the session's
purpose in the access log, and never beyond what the policies release to that organisation."""

from __future__ import annotations

import re

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from registry.models import AccessLogRecord, AccessPolicy, Case, StaffRole
from registry.staff import accounts
from tests.arrange import involved_case
from tests.conftest import Clock, GraphQL

from .arrange import active_agreement_with_open_review, field_of, open_municipal_contact
from .conftest import PASSWORD, Console, MakeStaff

CASE_FIELDS = "query($id: ID!) { case(id: $id) { id reasons withheld } }"
POLICIES = "{ policies { id purpose } }"


def _case_of(sessions: sessionmaker[Session], municipality: str) -> str:
    with sessions() as session:
        return str(
            session.scalars(
                select(Case.id)
                .where(Case.municipality_code == municipality)
                .order_by(Case.registered_at)
            ).first()
        )


def test_what_staff_see_is_access_logged_with_them_and_their_purpose(
    browser, make_staff: MakeStaff, sessions: sessionmaker[Session]
) -> None:
    worker = make_staff("cw@zaanstad", "gemeente-zaanstad", StaffRole.CASE_WORKER)
    console: Console = browser()
    console.log_in(worker)
    case_id = _case_of(sessions, "zaanstad")
    page = console.http.get(f"/console/casussen/{case_id}")
    assert page.status_code == 200 and case_id in page.text
    with sessions() as session:
        record = session.scalars(
            select(AccessLogRecord).where(
                AccessLogRecord.case_id == Case.id.type.python_type(case_id)
            )
        ).first()
    assert record is not None
    assert (record.partner_id, record.actor, record.purpose) == (
        "gemeente-zaanstad",
        "cw@zaanstad",
        "eviction_prevention",
    )
    assert record.operation == "console:consoleCase"


def test_a_session_is_opened_only_for_a_registered_purpose(
    browser, make_staff: MakeStaff, sessions: sessionmaker[Session]
) -> None:
    # The login offers the purposes municipalities registered (a grant releases data only
    # for a registered purpose it names), not a list of the console's own.
    offered = browser().http.get("/console/login").text
    assert '<option value="eviction_prevention">' in offered
    assert '<option value="schuldhulpverlening">' in offered  # Sittard-Geleen's home visits
    assert "second_chance_monitoring" not in offered
    worker = make_staff("cw@zaanstad", "gemeente-zaanstad", StaffRole.CASE_WORKER)
    console: Console = browser()
    page = console.http.get("/console/login")
    console.http.post(
        "/console/login",
        data={
            "csrf": console.csrf_of(page.text),
            "username": worker.username,
            "password": PASSWORD,
            "code": "",
            "purpose": "marketing_campagne",  # not a processing activity anywhere
            "next": "/console/",
        },
    )
    case_id = _case_of(sessions, "zaanstad")
    assert console.http.get(f"/console/casussen/{case_id}").status_code == 200
    with sessions() as session:
        purposes = set(
            session.scalars(
                select(AccessLogRecord.purpose).where(AccessLogRecord.actor == "cw@zaanstad")
            )
        )
    assert purposes == {"eviction_prevention"}  # the first registered, never the one sent


def test_staff_of_one_organisation_never_see_anothers_cases_or_staff(
    browser, make_staff: MakeStaff, sessions: sessionmaker[Session], clock: Clock
) -> None:
    worker = make_staff("cw@zaanstad", "gemeente-zaanstad", StaffRole.CASE_WORKER)
    admin = make_staff("admin@zaanstad", "gemeente-zaanstad", StaffRole.ADMIN)
    other = make_staff("beleid@sg", "gemeente-sittard-geleen", StaffRole.POLICY_OFFICER)
    console: Console = browser()
    console.log_in(worker)
    theirs = _case_of(sessions, "sittard-geleen")
    answer = console.http.get(f"/console/casussen/{theirs}")
    assert answer.status_code == 404 and "sittard-geleen" not in answer.text
    home = console.http.get("/console/").text
    assert theirs not in home and "sittard-geleen" not in home
    assert console.http.get("/console/beleid").status_code == 403, "not the officer's page"

    admins: Console = browser()
    admins.log_in(admin)
    staff_page = admins.http.get("/console/medewerkers").text
    assert "cw@zaanstad" in staff_page and other.username not in staff_page
    refused = admins.post_form(
        "/console/medewerkers", f"/console/medewerkers/{other.username}/uitschakelen", {}
    )
    assert refused.status_code == 400 and "no staff member" in refused.text
    with sessions() as session:
        assert accounts.find_staff(session, other.username).disabled_at is None


def test_the_case_worker_records_a_contact_outcome(
    browser, make_staff: MakeStaff, gql: GraphQL, sessions: sessionmaker[Session], clock: Clock
) -> None:
    case_id, contact_id = open_municipal_contact(gql, sessions, clock.now.date())
    worker = make_staff("cw@zaanstad", "gemeente-zaanstad", StaffRole.CASE_WORKER)
    console: Console = browser()
    console.log_in(worker)
    work = console.http.get("/console/werklijst")
    assert f"/console/werklijst/contacten/{contact_id}" in work.text
    done = console.post_form(
        "/console/werklijst",
        f"/console/werklijst/contacten/{contact_id}",
        {
            "outcome": "HELP_ACCEPTED",
            "attempts": "1",
            "contactedOn": clock.now.date().isoformat(),
        },
    )
    assert done.status_code == 303
    contacts = field_of(
        gql(
            "gemeente-zaanstad", "{ municipalContacts(openOnly: false) { id outcome recordedBy } }"
        ),
        "municipalContacts",
    )
    recorded = next(c for c in contacts if c["id"] == contact_id)
    assert recorded["outcome"] == "HELP_ACCEPTED"
    assert (
        f"/console/werklijst/contacten/{contact_id}"
        not in console.http.get("/console/werklijst").text
    )
    assert case_id


def test_the_monitor_records_a_review_and_the_broken_condition_shows(
    browser, make_staff: MakeStaff, gql: GraphQL
) -> None:
    agreement_id, review, conditions = active_agreement_with_open_review(gql)
    monitor = make_staff("monitor@woonkans", "bureau-woonkans", StaffRole.MONITOR)
    console: Console = browser()
    console.log_in(monitor)
    dashboard = console.http.get("/console/afspraken").text
    assert "<svg" in dashboard and "Jaarcijfers" in dashboard
    form = f"/console/afspraken/{agreement_id}/evaluatie?review={review}"
    met = [str(n) for n in conditions[1:]]  # the first condition broken
    recorded = console.post_form(
        form,
        f"/console/afspraken/{agreement_id}/evaluatie",
        {"review": str(review), "condition": [str(n) for n in conditions], "met": met},
    )
    assert recorded.status_code == 303, recorded.text
    dashboard = console.http.get("/console/afspraken").text
    broken = dashboard.split("Gebroken voorwaarden", 1)[1]
    assert f"/console/afspraken/{agreement_id}/evaluatie" in broken


def test_the_officer_tries_issues_and_revokes_a_grant(
    browser, make_staff: MakeStaff, gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    # Groningen's covenant keeps a case's reasons from the credit bank involved in it.
    case_id = involved_case(sessions, "ehbg-groningen", "nijestee")
    before = field_of(gql("ehbg-groningen", CASE_FIELDS, {"id": case_id}), "case")
    assert before["reasons"] is None and "reasons" in before["withheld"]
    officer = make_staff("beleid@groningen", "gemeente-groningen", StaffRole.POLICY_OFFICER)
    console: Console = browser()
    console.log_in(officer)
    draft = {
        "partnerKind": "CREDIT_BANK",
        "relation": "INVOLVED",
        "fields": ["reasons"],
        "purposes": ["eviction_prevention"],
        "validUntil": "2028-12-31",
        "purpose": "budget advice needs the cause",
        "case": case_id,
        "partner": "ehbg-groningen",
    }
    tried = console.post_form("/console/beleid", "/console/beleid/proef", {**draft, "impact": "1"})
    assert tried.status_code == 200
    changed = r'<tr class="changed"><th scope="row">reasons</th><td>nee</td><td>ja</td>'
    assert re.search(changed, tried.text), "the dry run shows reasons released with the draft"
    # And its effect over all of Groningen's cases: cases and partners gaining the reasons.
    gaining = re.search(r'<th scope="row">reasons</th><td>(\d+)</td><td>(\d+)</td>', tried.text)
    assert gaining is not None and int(gaining[1]) >= 1 and int(gaining[2]) >= 1
    issued = console.post_form("/console/beleid", "/console/beleid/uitgeven", draft)
    assert issued.status_code == 303
    during = field_of(gql("ehbg-groningen", CASE_FIELDS, {"id": case_id}), "case")
    assert during["reasons"] and "reasons" not in during["withheld"]

    page = console.http.get("/console/beleid").text
    # The page speaks Dutch: each field's checkbox carries its Dutch description as a hint.
    assert '<small class="hint">waarom ontruiming dreigt: huurachterstand' in page
    mine = field_of(gql("gemeente-groningen", POLICIES), "policies")
    policy_id = next(p["id"] for p in mine if p["purpose"] == draft["purpose"])
    assert f"/console/beleid/{policy_id}/intrekken" in page
    revoked = console.post_form("/console/beleid", f"/console/beleid/{policy_id}/intrekken", {})
    assert revoked.status_code == 303
    after = field_of(gql("ehbg-groningen", CASE_FIELDS, {"id": case_id}), "case")
    assert after["reasons"] is None and "reasons" in after["withheld"]
    with sessions() as session:
        policy = session.get(AccessPolicy, int(policy_id))
        assert policy is not None and policy.revoked_by == "beleid@groningen"

    explained = console.http.get(f"/console/beleid/uitleg?casus={case_id}&partner=ehbg-groningen")
    assert explained.status_code == 200 and 'id="explanation"' in explained.text


def test_an_annotation_is_added_as_the_organisation(
    browser, make_staff: MakeStaff, gql: GraphQL, sessions: sessionmaker[Session], clock: Clock
) -> None:
    worker = make_staff("cw@zaanstad", "gemeente-zaanstad", StaffRole.CASE_WORKER)
    case_id = _case_of(sessions, "zaanstad")
    console: Console = browser()
    console.log_in(worker)
    added = console.post_form(
        f"/console/casussen/{case_id}",
        f"/console/casussen/{case_id}/notities",
        {"kind": "HOME_VISIT", "occurredOn": clock.now.date().isoformat(), "note": "huisbezoek"},
    )
    assert added.status_code == 303, added.text
    notes = field_of(
        gql(
            "gemeente-zaanstad",
            "query($id: ID!) { annotations(caseId: $id) { kind author actor } }",
            {"id": case_id},
        ),
        "annotations",
    )
    assert {"kind": "HOME_VISIT", "author": "gemeente-zaanstad", "actor": "cw@zaanstad"} in notes


def test_the_console_graphql_endpoint_needs_the_session_and_its_csrf_header(
    browser, make_staff: MakeStaff
) -> None:
    worker = make_staff("cw@zaanstad", "gemeente-zaanstad", StaffRole.CASE_WORKER)
    console: Console = browser()
    query = {"query": "{ cases(first: 1) { nodes { id municipality } } }"}
    assert console.http.post("/console/graphql", json=query).status_code == 401
    console.log_in(worker)
    refused = console.http.post("/console/graphql", json=query)
    assert refused.status_code == 403 and "X-CSRF-Token" in refused.text
    csrf = console.csrf_of(console.http.get("/console/").text)
    answer = console.http.post("/console/graphql", json=query, headers={"X-CSRF-Token": csrf})
    assert answer.status_code == 200
    assert answer.json()["data"]["cases"]["nodes"][0]["municipality"] == "zaanstad"
    graphiql = console.http.get("/console/graphiql").text
    assert "/console/static/graphiql/graphiql.min.js" in graphiql and "https://" not in graphiql
    assert console.http.get("/console/static/graphiql/graphiql.min.js").status_code == 200
    assert PASSWORD
