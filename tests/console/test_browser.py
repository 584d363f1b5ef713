"""The console in real headless Chromium: log in with a code, try/issue/revoke a grant and
see the partner's GraphQL change, record a review and a contact outcome, CSRF and lock-out as
a person meets them, no organisation seeing another's pages, axe-core finding no serious or
critical violations, no request leaving the registry; screenshots and first-render times
written to the artifacts folder."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from registry.models import Case, StaffRole
from registry.staff import totp
from tests.arrange import evicted_case, involved_case
from tests.conftest import AppClient, Clock

from .browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    axe_violations,
    first_render_ms,
    screenshot,
    serving_app,
    write_timings,
)
from .conftest import PASSWORD, Account, MakeStaff

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="/usr/bin/chromium is absent (apt-get install chromium)"
)

CASE = "query($id: ID!) { case(id: $id) { id reasons withheld } }"
PartnerGraphQL = Callable[..., dict[str, Any]]


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture
def server(client: AppClient) -> Iterator[str]:
    """The test's app (the one the partner GraphQL below also reaches) on a real port."""
    with serving_app(client.app) as url:
        yield url


@pytest.fixture
def partner_gql(server: str, token_for: Callable[..., str]) -> PartnerGraphQL:
    """GraphQL as a demo partner system, over HTTP to the served registry."""

    def run(partner: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        answer = httpx.post(
            f"{server}/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {token_for(partner)}"},
            timeout=30,
        )
        body: dict[str, Any] = answer.json()
        assert "errors" not in body, body
        return body["data"]

    return run


@pytest.fixture
def open_page(chromium: Any, server: str) -> Iterator[Callable[[], Any]]:
    """A new browser context and page; every request it makes must stay on the registry."""
    contexts: list[Any] = []
    outside: list[str] = []

    def on_request(request: Any) -> None:
        if not (request.url.startswith(f"{server}/") or request.url.startswith("data:")):
            outside.append(request.url)

    def open_() -> Any:
        context = chromium.new_context(base_url=server, locale="nl-NL")
        page = context.new_page()
        page.on("request", on_request)
        contexts.append(context)
        return page

    yield open_
    for context in contexts:
        context.close()
    assert outside == [], f"pages requested outside the registry: {outside}"


def log_in(page: Any, account: Account, clock: Clock, password: str = PASSWORD) -> None:
    page.goto("/console/login")
    page.fill("#username", account.username)
    page.fill("#password", password)
    if account.totp_secret:
        page.fill("#code", totp.code_at(account.totp_secret, clock.now))
    page.click("main button[type=submit]")


def check_page(page: Any, name: str) -> None:
    """Screenshot the page and hold it to WCAG 2.1 AA with axe-core."""
    screenshot(page, name)
    violations = axe_violations(page)
    assert violations == [], f"{name}: {violations}"


def test_officer_tries_issues_and_revokes_a_grant_in_the_browser(
    open_page: Callable[[], Any],
    make_staff: MakeStaff,
    clock: Clock,
    partner_gql: PartnerGraphQL,
    sessions: sessionmaker[Session],
) -> None:
    case_id = involved_case(sessions, "ehbg-groningen", "nijestee")
    assert "reasons" in partner_gql("ehbg-groningen", CASE, {"id": case_id})["case"]["withheld"]
    officer = make_staff("beleid@groningen", "gemeente-groningen", StaffRole.POLICY_OFFICER)
    page = open_page()
    log_in(page, officer, clock)
    assert page.url.endswith("/console/")
    page.click("text=Beleid")
    check_page(page, "policy-officer-covenant")
    page.select_option("#partnerKind", "CREDIT_BANK")
    page.check("#field-reasons")
    page.check("#purpose-eviction_prevention")
    page.fill("#validUntil", "2028-12-31")
    page.fill("#purpose", "budgetadvies heeft de oorzaak nodig")
    page.fill("#case", case_id)
    page.fill("#partner", "ehbg-groningen")
    page.click("button:has-text('Proefdraaien')")
    row = page.locator("#dry-run tr.changed", has_text="reasons")
    assert row.inner_text().split() == ["reasons", "nee", "ja", *row.inner_text().split()[3:]]
    check_page(page, "policy-officer-dry-run")
    page.click("button:has-text('Uitgeven')")
    page.wait_for_selector("text=Opgeslagen.")
    assert partner_gql("ehbg-groningen", CASE, {"id": case_id})["case"]["reasons"]

    revoke = page.locator("tr", has_text="budgetadvies").locator("button:has-text('Intrekken')")
    if revoke.count() == 0:  # the purpose is not in the table: find the row by its fields
        revoke = page.locator("tr", has_text="kind:credit_bank").filter(has_text="reasons")
        revoke = revoke.locator("button:has-text('Intrekken')").last
    revoke.first.click()
    page.wait_for_selector("text=Opgeslagen.")
    assert partner_gql("ehbg-groningen", CASE, {"id": case_id})["case"]["reasons"] is None

    page.fill("#casus", case_id)
    page.fill("#explain-partner", "ehbg-groningen")
    page.click("button:has-text('Uitleggen')")
    assert "reasons" in page.locator("#explanation").inner_text()
    check_page(page, "policy-officer-explain")


def test_monitor_records_a_review_and_sees_the_broken_condition(
    open_page: Callable[[], Any],
    make_staff: MakeStaff,
    clock: Clock,
    partner_gql: PartnerGraphQL,
) -> None:
    agreements = partner_gql(
        "bureau-woonkans",
        "{ agreements(status: ACTIVE, first: 200) { id conditions { number } "
        "reviews { number recordedAt } } }",
    )["agreements"]
    agreement = next(
        a
        for a in agreements
        if a["conditions"] and any(r["recordedAt"] is None for r in a["reviews"])
    )
    review = next(r["number"] for r in agreement["reviews"] if r["recordedAt"] is None)
    monitor = make_staff("monitor@woonkans", "bureau-woonkans", StaffRole.MONITOR)
    page = open_page()
    log_in(page, monitor, clock)
    page.click("text=Afspraken")
    assert page.locator("svg[role=img]").count() >= 1
    check_page(page, "monitor-dashboard")
    page.goto(f"/console/afspraken/{agreement['id']}/evaluatie?review={review}")
    first = agreement["conditions"][0]["number"]
    page.uncheck(f"#met-{first}")
    page.fill(f"#note-{first}", "budgetbeheer gestopt")
    check_page(page, "monitor-review")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Opgeslagen.")
    broken = page.locator("table", has_text="Voorwaarde").last
    assert agreement["id"][:8] in broken.inner_text()


def test_case_worker_records_a_contact_outcome(
    open_page: Callable[[], Any],
    make_staff: MakeStaff,
    clock: Clock,
    partner_gql: PartnerGraphQL,
    sessions: sessionmaker[Session],
) -> None:
    case_id = evicted_case(sessions, "parteon", clock.now.date(), bailiff="kerckhoffs-lasonder")
    day = clock.now.date().isoformat()
    partner_gql(
        "kerckhoffs-lasonder",
        "mutation($input: RecordInventoryInput!) { recordInventory(input: $input) { id } }",
        {
            "input": {
                "caseId": case_id,
                "storageProvider": "opslag-zaanstad",
                "locationCode": "ZD-H12-04",
                "description": "inboedel",
                "volumeM3": "12",
                "perishableOrDangerous": False,
                "removedOn": day,
                "recordCopyHandedOverOn": day,
            }
        },
    )
    partner_gql(
        "opslag-zaanstad", "mutation($c: ID!) { requestPickup(caseId: $c) { id } }", {"c": case_id}
    )
    worker = make_staff("cw@zaanstad", "gemeente-zaanstad", StaffRole.CASE_WORKER)
    page = open_page()
    log_in(page, worker, clock)
    page.click("text=Werklijst")
    check_page(page, "case-worker-work-list")
    row = page.locator("tr", has=page.locator(f"a[href='/console/casussen/{case_id}']")).first
    row.locator("select").select_option("HELP_ACCEPTED")
    row.locator("button:has-text('Opslaan')").click()
    page.wait_for_selector("text=Opgeslagen.")
    contacts = partner_gql(
        "gemeente-zaanstad", "{ municipalContacts(openOnly: false) { caseId outcome recordedBy } }"
    )["municipalContacts"]
    assert {
        "caseId": case_id,
        "outcome": "HELP_ACCEPTED",
        "recordedBy": "gemeente-zaanstad",
    } in contacts
    page.goto(f"/console/casussen/{case_id}")
    check_page(page, "case-worker-case")


def test_a_form_without_its_csrf_token_is_refused(
    open_page: Callable[[], Any],
    make_staff: MakeStaff,
    clock: Clock,
    sessions: sessionmaker[Session],
) -> None:
    worker = make_staff("cw@zaanstad", "gemeente-zaanstad", StaffRole.CASE_WORKER)
    with sessions() as session:
        case_id = str(
            session.scalars(select(Case.id).where(Case.municipality_code == "zaanstad")).first()
        )
    page = open_page()
    log_in(page, worker, clock)
    page.goto(f"/console/casussen/{case_id}")
    page.evaluate("document.querySelectorAll('main input[name=csrf]').forEach(e => e.remove())")
    page.fill("#note", "zonder token")
    page.click("main form button[type=submit]")
    assert "formulier is verlopen of ongeldig" in page.inner_text("main")
    screenshot(page, "csrf-refused")
    page.goto(f"/console/casussen/{case_id}")
    assert "zonder token" not in page.inner_text("main")


def test_repeated_bad_passwords_lock_the_account(
    open_page: Callable[[], Any], make_staff: MakeStaff, clock: Clock
) -> None:
    worker = make_staff("cw@zaanstad", "gemeente-zaanstad", StaffRole.CASE_WORKER)
    page = open_page()
    for _ in range(5):
        log_in(page, worker, clock, password="not the password")
    assert "tijdelijk geblokkeerd" in page.inner_text("main")
    log_in(page, worker, clock)
    assert "tijdelijk geblokkeerd" in page.inner_text("main")
    check_page(page, "login-locked")


def test_staff_never_see_another_organisations_pages_or_data(
    open_page: Callable[[], Any],
    make_staff: MakeStaff,
    clock: Clock,
    sessions: sessionmaker[Session],
) -> None:
    worker = make_staff("cw@zaanstad", "gemeente-zaanstad", StaffRole.CASE_WORKER)
    with sessions() as session:
        theirs = session.scalars(
            select(Case.id).where(Case.municipality_code == "sittard-geleen")
        ).first()
    assert isinstance(theirs, uuid.UUID)
    page = open_page()
    log_in(page, worker, clock)
    assert "sittard-geleen" not in page.inner_text("main")
    page.goto(f"/console/casussen/{theirs}")
    assert "Niet gevonden" in page.inner_text("main")
    page.goto("/console/beleid")
    assert "Deze pagina is niet voor uw rol." in page.inner_text("main")
    page.goto("/console/medewerkers")
    assert "Deze pagina is niet voor uw rol." in page.inner_text("main")
    check_page(page, "not-allowed")


def test_every_page_is_accessible_and_timed(
    open_page: Callable[[], Any],
    make_staff: MakeStaff,
    clock: Clock,
    sessions: sessionmaker[Session],
) -> None:
    case_id = involved_case(sessions, "partners-in-welzijn", "zowonen")  # in Sittard-Geleen
    accounts = {
        "policy-officer": (
            make_staff("beleid@sg", "gemeente-sittard-geleen", StaffRole.POLICY_OFFICER),
            [
                "/console/",
                "/console/beleid",
                f"/console/casussen/{case_id}",
                f"/console/casussen/{case_id}/inzage",
            ],
        ),
        "monitor": (
            make_staff("monitor@woonkans", "bureau-woonkans", StaffRole.MONITOR),
            ["/console/", "/console/afspraken"],
        ),
        "case-worker": (
            make_staff("cw@zaanstad", "gemeente-zaanstad", StaffRole.CASE_WORKER),
            ["/console/", "/console/werklijst"],
        ),
        "admin": (
            make_staff("admin@zaanstad", "gemeente-zaanstad", StaffRole.ADMIN),
            ["/console/medewerkers"],
        ),
    }
    timings: dict[str, float] = {}
    login_page = open_page()
    login_page.goto("/console/login")
    check_page(login_page, "login")
    timings["/console/login"] = first_render_ms(login_page, "/console/login")
    for role, (account, paths) in accounts.items():
        page = open_page()
        log_in(page, account, clock)
        for path in paths:
            page.goto(path)
            shown = path.replace(case_id, "{id}")
            check_page(page, f"{role}{shown.replace('/', '-').replace('{id}', 'id').rstrip('-')}")
            timings[f"{shown} ({role})"] = first_render_ms(page, path)
        if role == "case-worker":
            page.goto("/console/taal?lang=en")
            page.goto("/console/werklijst")
            assert "Work list" in page.inner_text("main")
            check_page(page, "case-worker-work-list-english")
            page.goto("/console/taal?lang=nl")
    graphiql = open_page()
    log_in(graphiql, make_staff("dev@zaanstad", "gemeente-zaanstad", StaffRole.CASE_WORKER), clock)
    graphiql.goto("/console/graphiql")
    graphiql.wait_for_selector(".graphiql-container")
    graphiql.click(".graphiql-execute-button")
    graphiql.wait_for_selector("text=municipality", timeout=15000)
    check_page(graphiql, "graphiql")
    timings["/console/graphiql"] = first_render_ms(graphiql, "/console/graphiql")
    write_timings(timings)
    print("first render (median of 5 loads, ms):", timings)
