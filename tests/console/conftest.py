"""Console fixtures: staff accounts in the test's demo database, and a browser-like client
(cookies kept) on the real app."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker

from registry.app import create_app
from registry.config import Settings
from registry.models import StaffRole
from registry.staff import accounts, totp
from tests.conftest import AppClient, Clock
from tests.helpers import AppTransport

PASSWORD = "correct horse battery staple"  # noqa: S105  # a made-up test password


@dataclass(frozen=True)
class Account:
    """A staff account a test made."""

    username: str
    partner_id: str
    role: StaffRole
    totp_secret: str | None


MakeStaff = Callable[..., Account]


@pytest.fixture
def make_staff(sessions: sessionmaker[Session], clock: Clock) -> MakeStaff:
    """Add a staff account (password ``PASSWORD``) to a demo partner."""

    def make(
        username: str, partner_id: str, role: StaffRole, *, with_totp: bool = False
    ) -> Account:
        with sessions.begin() as session:
            new = accounts.add_staff(
                session,
                partner_id,
                username,
                username.title(),
                role,
                PASSWORD,
                now=clock.now,
                with_totp=with_totp,
            )
            return Account(new.member.username, partner_id, role, new.totp_secret)

    return make


class Console:
    """The console as a browser uses it: cookies kept, forms posted with their CSRF token."""

    def __init__(self, client: httpx.Client, clock: Clock) -> None:
        self.http = client
        self.clock = clock

    def csrf_of(self, html: str) -> str:
        found = re.search(r'name="csrf" value="([^"]+)"', html)
        assert found, "no CSRF token in the page"
        return found.group(1)

    def log_in(self, account: Account, password: str = PASSWORD, code: str | None = None):  # type: ignore[no-untyped-def]
        page = self.http.get("/console/login")
        if code is None and account.totp_secret:
            code = totp.code_at(account.totp_secret, self.clock.now)
        return self.http.post(
            "/console/login",
            data={
                "csrf": self.csrf_of(page.text),
                "username": account.username,
                "password": password,
                "code": code or "",
                "purpose": "eviction_prevention",
                "next": "/console/",
            },
            follow_redirects=False,
        )

    def post_form(self, page_path: str, action: str, data: dict[str, str | list[str]]):  # type: ignore[no-untyped-def]
        page = self.http.get(page_path)
        return self.http.post(
            action, data={"csrf": self.csrf_of(page.text), **data}, follow_redirects=False
        )


@pytest.fixture
def console_settings(settings: Settings) -> Settings:
    """The test settings, with the session cookie allowed over the test client's http."""
    return settings.replace(console_secure_cookie=False, introspection=True)


@pytest.fixture
def client(console_settings: Settings, sessions: sessionmaker[Session], clock: Clock) -> AppClient:
    """The real app (one for the console and for partner systems' GraphQL, so that a policy
    change made in one is seen at once by the other, as in one process)."""
    return AppClient(create_app(console_settings, clock=clock, session_factory=sessions))


@pytest.fixture
def browser(client: AppClient, clock: Clock) -> Iterator[Callable[[], Console]]:
    """Open a new 'browser' (its own cookies) on the real app."""
    app = client.app
    opened: list[httpx.Client] = []

    def open_browser() -> Console:
        client = httpx.Client(
            transport=AppTransport(app), base_url="http://testserver", follow_redirects=True
        )
        opened.append(client)
        return Console(client, clock)

    yield open_browser
    for client in opened:
        client.close()


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
