"""Console single sign-on by OpenID Connect, against a real OpenID provider (oidc-provider-mock)
that the tests start on 127.0.0.1 and that the registry talks to over HTTP: discovery, the
authorization-code flow with PKCE, state and nonce, the token exchange and the ID token's
signature by the provider's published keys.

A small WSGI layer in front of the provider lets a test make it misbehave the way an
attacker or a misconfiguration would (another issuer, a token for another client, another
nonce); the tokens stay really signed by the provider."""

from __future__ import annotations

import base64
import html
import re
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
import werkzeug.serving
from oidc_provider_mock import User
from oidc_provider_mock import app as provider_app
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from registry.config import Settings
from registry.models import StaffMember, StaffRole, StaffSsoLogin
from registry.staff.oidc import load_providers
from tests.conftest import AppClient, Clock

from .browser import CHROMIUM, CHROMIUM_ARGS, screenshot, serving_app
from .conftest import Console, MakeStaff

SITTARD = "gemeente-sittard-geleen"
ZAANSTAD = "gemeente-zaanstad"
ANNA = "anna@sittard-geleen.nl"
REFUSED = "Inloggen via de identiteitsprovider is mislukt."
NO_ACCOUNT = "geen console-account gekoppeld"
USERS = [
    User(sub="sub-anna", claims={"email": ANNA, "email_verified": True, "name": "Anna"}),
    User(sub="sub-piet", claims={"email": "piet@zaanstad.nl", "email_verified": True}),
    User(sub="sub-mallory", claims={"email": ANNA, "email_verified": True}),
    User(sub="sub-unverified", claims={"email": "kees@sittard-geleen.nl", "email_verified": False}),
]


@dataclass
class Tamper:
    """What the layer in front of the provider changes (None: nothing)."""

    token_host: str | None = None  # the Host the token endpoint sees: the ID token's ``iss``
    client_id: str | None = None  # the client the code and ID token are for: its ``aud``
    nonce: str | None = None  # the nonce the provider puts in the ID token
    seen: list[dict[str, list[str]]] = field(default_factory=list)

    def wrap(self, app: Any) -> Callable[..., Any]:
        def tampered(environ: dict[str, Any], start_response: Any) -> Any:
            path = environ["PATH_INFO"]
            if path == "/oauth2/authorize":
                query = parse_qs(environ["QUERY_STRING"])
                self.seen.append(query)
                if self.nonce:
                    query["nonce"] = [self.nonce]
                if self.client_id:
                    query["client_id"] = [self.client_id]
                environ["QUERY_STRING"] = urlencode(query, doseq=True)
            if path == "/oauth2/token":
                if self.token_host:  # the provider allows plain http on localhost only
                    environ["HTTP_HOST"] = f"{self.token_host}:{environ['SERVER_PORT']}"
                if self.client_id:
                    basic = base64.b64encode(f"{self.client_id}:secret".encode()).decode()
                    environ["HTTP_AUTHORIZATION"] = f"Basic {basic}"
            return app(environ, start_response)

        return tampered


@dataclass
class Provider:
    """The running test provider."""

    issuer: str
    tamper: Tamper


@pytest.fixture
def provider() -> Iterator[Provider]:
    """An OpenID provider on 127.0.0.1 (a free port), with the test users."""
    tamper = Tamper()
    wsgi = tamper.wrap(provider_app(user_claims=USERS))
    server = werkzeug.serving.make_server("127.0.0.1", 0, wsgi, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield Provider(f"http://127.0.0.1:{server.server_port}", tamper)
    finally:
        server.shutdown()
        thread.join(5)
        server.server_close()


@pytest.fixture
def console_settings(settings: Settings, provider: Provider, tmp_path: Path) -> Settings:
    """Two organisations with single sign-on at the same identity provider."""
    (tmp_path / "secret").write_text("sittard-secret\n")
    config = tmp_path / "oidc.toml"
    config.write_text(
        f"""
[[provider]]
name = "sittard-geleen"
partner = "{SITTARD}"
label = "Gemeente Sittard-Geleen"
issuer = "{provider.issuer}"
client_id = "ketenregister-sittard"
client_secret_file = "{tmp_path / "secret"}"
email_domains = ["sittard-geleen.nl"]

[[provider]]
name = "zaanstad"
partner = "{ZAANSTAD}"
label = "Gemeente Zaanstad"
issuer = "{provider.issuer}"
client_id = "ketenregister-zaanstad"
client_secret_env = "TEST_ZAANSTAD_OIDC_SECRET"
email_domains = ["zaanstad.nl"]
"""
    )
    with pytest.MonkeyPatch.context() as env:
        env.setenv("TEST_ZAANSTAD_OIDC_SECRET", "zaanstad-secret")
        assert set(load_providers(str(config))) == {"sittard-geleen", "zaanstad"}
    return settings.replace(
        console_secure_cookie=False, introspection=True, console_oidc_file=str(config)
    )


@pytest.fixture(autouse=True)
def _zaanstad_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TEST_ZAANSTAD_OIDC_SECRET", "zaanstad-secret")


def start(console: Console, provider_name: str = "sittard-geleen") -> str:
    """Press the login page's SSO button; the URL the browser is sent to."""
    page = console.http.get("/console/login")
    assert provider_name in page.text
    answer = console.http.post(
        f"/console/sso/{provider_name}",
        data={"csrf": console.csrf_of(page.text), "purpose": "eviction_prevention"},
        follow_redirects=False,
    )
    assert answer.status_code == 200, answer.text
    found = re.search(r'http-equiv="refresh" content="0; url=([^"]+)"', answer.text)
    assert found, "the page moves on to the identity provider"
    return html.unescape(found.group(1))


def sign_in_at_provider(url: str, subject: str) -> str:
    """What the person does at the identity provider; the callback path it sends back to."""
    with httpx.Client() as idp:
        assert idp.get(url).status_code == 200
        answer = idp.post(url, data={"sub": subject}, follow_redirects=False)
    assert answer.status_code == 302, answer.text
    back = urlsplit(answer.headers["location"])
    return f"{back.path}?{back.query}"


def sso_login(console: Console, subject: str, provider_name: str = "sittard-geleen") -> Any:
    return console.http.get(sign_in_at_provider(start(console, provider_name), subject))


def logged_in(console: Console) -> bool:
    home = console.http.get("/console/", follow_redirects=False)
    return home.status_code == 200 and "Ingelogd als" in home.text


def test_a_pre_created_account_logs_in_by_sso_and_gets_a_console_session(
    browser, make_staff: MakeStaff, provider: Provider, sessions: sessionmaker[Session]
) -> None:
    make_staff(ANNA, SITTARD, StaffRole.CASE_WORKER)
    console: Console = browser()
    url = start(console)
    asked = parse_qs(urlsplit(url).query)
    assert asked["code_challenge_method"] == ["S256"] and asked["code_challenge"]
    assert asked["state"] and asked["nonce"] and asked["client_id"] == ["ketenregister-sittard"]
    answer = console.http.get(sign_in_at_provider(url, "sub-anna"))
    assert answer.status_code == 200
    assert 'http-equiv="refresh"' in answer.text and "/console/" in answer.text
    cookie = answer.headers["set-cookie"]
    assert "kr_console=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    home = console.http.get("/console/")
    assert "Anna@Sittard-Geleen.Nl" in home.text and "Gemeente Sittard-Geleen" in home.text
    assert "eviction_prevention" in home.text, "the purpose chosen on the login page"
    with sessions() as session:
        member = session.scalars(select(StaffMember).where(StaffMember.username == ANNA)).one()
        assert (member.oidc_issuer, member.oidc_subject) == (provider.issuer, "sub-anna")
        assert session.scalars(select(StaffSsoLogin)).all() == [], "the login is used up"


def test_an_sso_session_times_out_like_a_password_session(
    browser, make_staff: MakeStaff, clock: Clock
) -> None:
    make_staff(ANNA, SITTARD, StaffRole.CASE_WORKER)
    console: Console = browser()
    sso_login(console, "sub-anna")
    assert logged_in(console)
    clock.advance(minutes=16)
    assert not logged_in(console), "idle for more than 15 minutes"


def test_an_unknown_subject_without_a_pre_created_account_is_refused(browser) -> None:
    console: Console = browser()
    answer = sso_login(console, "sub-anna")
    assert answer.status_code == 403 and NO_ACCOUNT in answer.text
    assert not logged_in(console)


def test_a_linked_account_is_never_opened_by_the_email_claim_of_another_subject(
    browser, make_staff: MakeStaff
) -> None:
    make_staff(ANNA, SITTARD, StaffRole.CASE_WORKER)
    assert sso_login(browser(), "sub-anna").status_code == 200
    mallory: Console = browser()
    answer = sso_login(mallory, "sub-mallory")  # the same e-mail address, another subject
    assert answer.status_code == 403 and NO_ACCOUNT in answer.text
    assert not logged_in(mallory)


def test_an_unverified_email_address_links_no_account(browser, make_staff: MakeStaff) -> None:
    make_staff("kees@sittard-geleen.nl", SITTARD, StaffRole.CASE_WORKER)
    console: Console = browser()
    assert sso_login(console, "sub-unverified").status_code == 403
    assert not logged_in(console)


def test_a_subject_of_another_organisation_is_refused(browser, make_staff: MakeStaff) -> None:
    make_staff(ANNA, SITTARD, StaffRole.CASE_WORKER)
    make_staff("piet@zaanstad.nl", ZAANSTAD, StaffRole.CASE_WORKER)
    assert sso_login(browser(), "sub-anna").status_code == 200  # linked at Sittard-Geleen
    through_zaanstad: Console = browser()
    answer = sso_login(through_zaanstad, "sub-anna", "zaanstad")
    assert answer.status_code == 403 and NO_ACCOUNT in answer.text
    assert not logged_in(through_zaanstad)
    # A Zaanstad account cannot be opened through Sittard-Geleen's provider either.
    piet: Console = browser()
    assert sso_login(piet, "sub-piet").status_code == 403
    assert not logged_in(piet)
    assert sso_login(piet, "sub-piet", "zaanstad").status_code == 200
    assert logged_in(piet)


def test_a_wrong_state_is_refused_and_ends_the_attempt(browser, make_staff: MakeStaff) -> None:
    make_staff(ANNA, SITTARD, StaffRole.CASE_WORKER)
    console: Console = browser()
    callback = sign_in_at_provider(start(console), "sub-anna")
    query = parse_qs(urlsplit(callback).query)
    forged = f"/console/sso/terug?code={query['code'][0]}&state=not-the-state"
    answer = console.http.get(forged)
    assert answer.status_code == 403 and REFUSED in answer.text
    assert console.http.get(callback).status_code == 403, "the attempt is used up"
    assert not logged_in(console)


def test_a_callback_in_another_browser_is_refused(browser, make_staff: MakeStaff) -> None:
    """Login CSRF: an attacker's code and state, sent to a victim's browser, open nothing."""
    make_staff(ANNA, SITTARD, StaffRole.CASE_WORKER)
    attacker: Console = browser()
    callback = sign_in_at_provider(start(attacker), "sub-anna")
    victim: Console = browser()
    assert victim.http.get(callback).status_code == 403
    assert not logged_in(victim)


@pytest.mark.parametrize(
    ("tampering", "why"),
    [
        ({"nonce": "a-replayed-nonce"}, "nonce is not this login's"),
        ({"token_host": "localhost"}, "comes from another issuer"),
        ({"client_id": "another-client"}, "for another client (audience)"),
    ],
)
def test_an_id_token_with_a_wrong_nonce_issuer_or_audience_is_refused(
    browser,
    make_staff: MakeStaff,
    provider: Provider,
    tampering: dict[str, str],
    why: str,
    caplog: pytest.LogCaptureFixture,
) -> None:
    make_staff(ANNA, SITTARD, StaffRole.CASE_WORKER)
    for name, value in tampering.items():
        setattr(provider.tamper, name, value)
    console: Console = browser()
    with caplog.at_level("WARNING", logger="registry.console.sso_gate"):
        answer = sso_login(console, "sub-anna")
    assert answer.status_code == 403 and REFUSED in answer.text
    assert why in caplog.text, "the server's log says which check failed"
    assert not logged_in(console)


def test_two_callbacks_of_one_login_at_once_open_one_session(
    browser, make_staff: MakeStaff, sessions: sessionmaker[Session]
) -> None:
    make_staff(ANNA, SITTARD, StaffRole.CASE_WORKER)
    console: Console = browser()
    callback = sign_in_at_provider(start(console), "sub-anna")
    with ThreadPoolExecutor(4) as pool:
        answers = list(pool.map(lambda _: console.http.get(callback).status_code, range(4)))
    assert sorted(answers) == [200, 403, 403, 403]
    with sessions() as session:
        member = session.scalars(select(StaffMember).where(StaffMember.username == ANNA)).one()
        assert member.oidc_subject == "sub-anna"


def test_one_subject_s_first_logins_at_once_link_the_account_once(
    browser, make_staff: MakeStaff, sessions: sessionmaker[Session]
) -> None:
    make_staff(ANNA, SITTARD, StaffRole.CASE_WORKER)
    consoles: list[Console] = [browser() for _ in range(3)]
    callbacks = [sign_in_at_provider(start(c), "sub-anna") for c in consoles]
    with ThreadPoolExecutor(3) as pool:
        answers = list(
            pool.map(
                lambda pair: pair[0].http.get(pair[1]).status_code,
                zip(consoles, callbacks, strict=True),
            )
        )
    assert answers == [200, 200, 200], "each browser's own login; the account linked once"
    assert all(logged_in(c) for c in consoles)
    with sessions() as session:
        linked = session.scalars(
            select(StaffMember).where(StaffMember.oidc_subject == "sub-anna")
        ).all()
    assert [m.username for m in linked] == [ANNA]


def test_a_login_denied_at_the_provider_opens_nothing(browser, make_staff: MakeStaff) -> None:
    make_staff(ANNA, SITTARD, StaffRole.CASE_WORKER)
    console: Console = browser()
    url = start(console)
    with httpx.Client() as idp:
        denied = idp.post(url, data={"action": "deny"}, follow_redirects=False)
    back = urlsplit(denied.headers["location"])
    assert "error=access_denied" in back.query
    answer = console.http.get(f"{back.path}?{back.query}")
    assert answer.status_code == 403 and REFUSED in answer.text
    assert not logged_in(console)


def test_an_unknown_provider_and_a_missing_csrf_token_are_refused(browser) -> None:
    console: Console = browser()
    page = console.http.get("/console/login")
    unknown = console.http.post(
        "/console/sso/nowhere", data={"csrf": console.csrf_of(page.text)}, follow_redirects=False
    )
    assert unknown.status_code == 404
    no_csrf = console.http.post("/console/sso/sittard-geleen", data={}, follow_redirects=False)
    assert no_csrf.status_code == 403


@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent")
def test_the_sso_button_logs_in_end_to_end_in_chromium(
    client: AppClient, make_staff: MakeStaff, provider: Provider
) -> None:
    from playwright.sync_api import sync_playwright

    make_staff(ANNA, SITTARD, StaffRole.CASE_WORKER)
    outside: list[str] = []
    with serving_app(client.app) as registry, sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = chromium.new_context(locale="nl-NL")
            # The test provider's page links a stylesheet on a CDN; this machine has no
            # internet, and the provider is not what is under test.
            context.route("https://cdn.jsdelivr.net/**", lambda route: route.abort())
            page = context.new_page()
            page.on(
                "request",
                lambda request: (
                    None
                    if request.url.startswith(
                        (
                            f"{registry}/",
                            f"{provider.issuer}/",
                            "data:",
                            "https://cdn.jsdelivr.net/",
                        )
                    )
                    else outside.append(request.url)
                ),
            )
            page.goto(f"{registry}/console/login")
            page.select_option("#purpose", "eviction_prevention")
            page.click("text=Inloggen via Gemeente Sittard-Geleen")
            page.wait_for_url(f"{provider.issuer}/oauth2/authorize**")
            page.click("button[name=sub][value=sub-anna]")
            page.wait_for_url(f"{registry}/console/")
            body = page.inner_text("body")
            assert "Ingelogd als" in body and "Gemeente Sittard-Geleen" in body
            screenshot(page, "sso-logged-in")
        finally:
            chromium.close()
    assert outside == [], f"requests outside the registry and its identity provider: {outside}"
