"""Logging in to the console, through the real app: second factor, lock-out, CSRF, cookie
flags, idle and absolute timeouts, logout and disabling, all as a browser would notice."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace

import httpx
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from registry.app import create_app
from registry.config import Settings
from registry.models import StaffMember, StaffRole
from registry.staff import accounts, totp
from tests.conftest import Clock
from tests.helpers import AppTransport

from .conftest import PASSWORD, Console, MakeStaff


def test_policy_officer_logs_in_with_a_code_and_sees_their_organisation(
    browser, make_staff: MakeStaff
) -> None:
    officer = make_staff("beleid@sg", "gemeente-sittard-geleen", StaffRole.POLICY_OFFICER)
    assert officer.totp_secret, "a policy officer always gets a second factor"
    console: Console = browser()
    answer = console.log_in(officer)
    assert answer.status_code == 303 and answer.headers["location"] == "/console/"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/console" in cookie
    home = console.http.get("/console/")
    assert home.status_code == 200
    assert "Gemeente Sittard-Geleen" in home.text and "beleidsmedewerker" in home.text
    assert "default-src 'self'" in home.headers["content-security-policy"]


def test_a_code_is_required_and_accepted_once(browser, make_staff: MakeStaff) -> None:
    officer = make_staff("beleid@sg", "gemeente-sittard-geleen", StaffRole.POLICY_OFFICER)
    console: Console = browser()
    without = console.log_in(officer, code="000000")
    assert without.status_code == 401
    assert "Verkeerde gebruikersnaam, wachtwoord of code." in without.text
    assert officer.totp_secret
    code = totp.code_at(officer.totp_secret, console.clock.now)
    assert console.log_in(officer, code=code).status_code == 303
    again: Console = browser()
    assert again.log_in(officer, code=code).status_code == 401, "a code is accepted once"


def test_the_session_cookie_is_secure_outside_the_demo(
    settings: Settings, sessions: sessionmaker[Session], clock: Clock, make_staff: MakeStaff
) -> None:
    worker = make_staff("cw@zaanstad", "gemeente-zaanstad", StaffRole.CASE_WORKER)
    assert Settings().console_secure_cookie, "the production default"
    app = create_app(settings, clock=clock, session_factory=sessions)
    with httpx.Client(transport=AppTransport(app), base_url="https://testserver") as client:
        answer = Console(client, clock).log_in(worker)
    assert answer.status_code == 303
    assert "Secure" in answer.headers["set-cookie"]


def test_five_wrong_passwords_lock_the_account_for_a_while(
    browser, make_staff: MakeStaff, clock: Clock
) -> None:
    worker = make_staff("cw@zaanstad", "gemeente-zaanstad", StaffRole.CASE_WORKER)
    console: Console = browser()
    for _ in range(4):
        assert "Verkeerde gebruikersnaam" in console.log_in(worker, password="wrong password!").text
    locked = console.log_in(worker, password="wrong password!")
    assert locked.status_code == 401 and "tijdelijk geblokkeerd" in locked.text
    still = console.log_in(worker)  # the right password, while locked
    assert still.status_code == 401 and "tijdelijk geblokkeerd" in still.text
    clock.advance(minutes=16)
    assert console.log_in(worker).status_code == 303


def test_concurrent_wrong_passwords_are_all_counted(
    console_settings: Settings,
    sessions: sessionmaker[Session],
    clock: Clock,
    make_staff: MakeStaff,
) -> None:
    worker = make_staff("cw@zaanstad", "gemeente-zaanstad", StaffRole.CASE_WORKER)
    app = create_app(console_settings, clock=clock, session_factory=sessions)

    def attempt(_: int) -> int:
        with httpx.Client(transport=AppTransport(app), base_url="http://testserver") as client:
            return Console(client, clock).log_in(worker, password="wrong password!").status_code

    with ThreadPoolExecutor(max_workers=5) as pool:
        assert list(pool.map(attempt, range(5))) == [401] * 5
    with sessions() as session:
        member = session.scalars(select(StaffMember)).one()
        assert member.locked_until is not None, "five failures at once lock the account"


def test_unknown_usernames_read_like_wrong_passwords(browser, make_staff: MakeStaff) -> None:
    worker = make_staff("cw@zaanstad", "gemeente-zaanstad", StaffRole.CASE_WORKER)
    console: Console = browser()
    unknown = console.log_in(replace(worker, username="nobody@zaanstad"))
    wrong = console.log_in(worker, password="wrong password!")
    assert unknown.status_code == wrong.status_code == 401
    assert "Verkeerde gebruikersnaam, wachtwoord of code." in unknown.text


def test_login_without_its_csrf_token_is_refused(browser, make_staff: MakeStaff) -> None:
    worker = make_staff("cw@zaanstad", "gemeente-zaanstad", StaffRole.CASE_WORKER)
    console: Console = browser()
    console.http.get("/console/login")
    answer = console.http.post(
        "/console/login",
        data={"username": worker.username, "password": PASSWORD},
        follow_redirects=False,
    )
    assert answer.status_code == 403 and "formulier is verlopen of ongeldig" in answer.text


def test_a_form_without_or_with_a_wrong_csrf_token_changes_nothing(
    browser, make_staff: MakeStaff, sessions: sessionmaker[Session]
) -> None:
    admin = make_staff("admin@zaanstad", "gemeente-zaanstad", StaffRole.ADMIN)
    console: Console = browser()
    console.log_in(admin)
    form = {
        "username": "new@zaanstad",
        "displayName": "New",
        "role": "case_worker",
        "password": PASSWORD,
    }
    missing = console.http.post("/console/medewerkers", data=form, follow_redirects=False)
    wrong = console.http.post(
        "/console/medewerkers", data={**form, "csrf": "forged"}, follow_redirects=False
    )
    assert missing.status_code == wrong.status_code == 403
    with sessions() as session:
        assert [m.username for m in accounts.list_staff(session, "gemeente-zaanstad")] == [
            "admin@zaanstad"
        ]
    added = console.post_form("/console/medewerkers", "/console/medewerkers", form)
    assert added.status_code == 303
    assert "new@zaanstad" in console.http.get("/console/medewerkers").text


def test_an_idle_session_ends_after_fifteen_minutes(
    browser, make_staff: MakeStaff, clock: Clock
) -> None:
    worker = make_staff("cw@zaanstad", "gemeente-zaanstad", StaffRole.CASE_WORKER)
    console: Console = browser()
    console.log_in(worker)
    clock.advance(minutes=14)
    assert console.http.get("/console/", follow_redirects=False).status_code == 200
    clock.advance(minutes=14)  # active 14 minutes ago: still alive
    assert console.http.get("/console/", follow_redirects=False).status_code == 200
    clock.advance(minutes=16)
    answer = console.http.get("/console/", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"].startswith("/console/login")


def test_a_session_ends_after_eight_hours_however_active(
    browser, make_staff: MakeStaff, clock: Clock
) -> None:
    worker = make_staff("cw@zaanstad", "gemeente-zaanstad", StaffRole.CASE_WORKER)
    console: Console = browser()
    console.log_in(worker)
    for _ in range(8 * 6 + 1):  # a page every ten minutes, past eight hours
        clock.advance(minutes=10)
        last = console.http.get("/console/graphiql", follow_redirects=False)
    assert last.status_code == 303


def test_logout_and_disabling_end_sessions_server_side(
    browser, make_staff: MakeStaff, sessions: sessionmaker[Session], clock: Clock
) -> None:
    worker = make_staff("cw@zaanstad", "gemeente-zaanstad", StaffRole.CASE_WORKER)
    console: Console = browser()
    console.log_in(worker)
    stolen = dict(console.http.cookies)
    console.post_form("/console/", "/console/logout", {})
    thief: Console = browser()
    thief.http.cookies.update(stolen)
    assert thief.http.get("/console/", follow_redirects=False).status_code == 303
    console.log_in(worker)
    with sessions.begin() as session:
        accounts.disable_staff(session, worker.username, now=clock.now)
    assert console.http.get("/console/", follow_redirects=False).status_code == 303
    assert console.log_in(worker).status_code == 401


def test_english_is_available(browser, make_staff: MakeStaff) -> None:
    worker = make_staff("cw@zaanstad", "gemeente-zaanstad", StaffRole.CASE_WORKER)
    console: Console = browser()
    console.http.get("/console/taal?lang=en")
    assert "Log in" in console.http.get("/console/login").text
    console.log_in(worker)
    page = console.http.get("/console/werklijst")
    assert "Work list" in page.text and "Municipal contacts" in page.text


def test_passwords_are_hashed_with_argon2id(make_staff: MakeStaff, sessions) -> None:
    make_staff("cw@zaanstad", "gemeente-zaanstad", StaffRole.CASE_WORKER)
    with sessions() as session:
        member = session.scalars(select(StaffMember)).one()
    assert member.password_hash.startswith("$argon2id$") and PASSWORD not in member.password_hash


def test_two_admins_adding_one_username_at_once_add_it_once(
    browser, make_staff: MakeStaff, sessions: sessionmaker[Session]
) -> None:
    admins = [
        make_staff(f"admin{i}@zaanstad", "gemeente-zaanstad", StaffRole.ADMIN) for i in range(4)
    ]
    consoles: list[Console] = []
    for admin in admins:
        console = browser()
        console.log_in(admin)
        consoles.append(console)
    form = {
        "username": "new@zaanstad",
        "displayName": "New",
        "role": "case_worker",
        "password": PASSWORD,
    }
    tokens = [c.csrf_of(c.http.get("/console/medewerkers").text) for c in consoles]

    def add(i: int) -> int:
        answer = consoles[i].http.post(
            "/console/medewerkers", data={**form, "csrf": tokens[i]}, follow_redirects=False
        )
        assert (
            answer.status_code == 303 or "username &#39;new@zaanstad&#39; is taken" in answer.text
        )
        return answer.status_code

    with ThreadPoolExecutor(max_workers=4) as pool:
        assert sorted(pool.map(add, range(4))) == [303, 400, 400, 400]
    with sessions() as session:
        names = [m.username for m in accounts.list_staff(session, "gemeente-zaanstad")]
    assert names.count("new@zaanstad") == 1
