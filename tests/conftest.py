"""Fixtures shared by every test: a real database (SQLite file, or PostgreSQL when
``KETENREGISTER_TEST_DATABASE_URL`` names a server), migrated with Alembic and filled with the
demo once per session, copied fresh for each test; the real app; real signed partner tokens.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from clients.tokens import sign_token
from registry.app import create_app
from registry.auditlog.signer import LogSigner
from registry.config import Settings
from registry.db import make_engine, make_session_factory
from registry.demo import seed as demo
from registry.migrate import upgrade
from registry.notifications.delivery import DeliveryWorker
from registry.privacy.keys import DATA_KEY_ENV, KeyEncryptionKey
from tests.receiver import Receiver

AUDIENCE = "ketenregister-test"
LOG_ORIGIN = "ketenregister.test/log"
#: The demo's cases are dated relative to this day; tests run on a fixed clock near it.
DEMO_TODAY = dt.date(2026, 11, 2)
PG_URL = os.environ.get("KETENREGISTER_TEST_DATABASE_URL")
#: The purpose a test's request names unless it says otherwise.
DEMO_PURPOSE = "eviction_prevention"

# The tests' own key-encryption key for the households' data keys (registry.privacy.keys):
# made per run, as a deployment makes its own; subprocesses inherit it with the environment.
os.environ.setdefault(DATA_KEY_ENV, KeyEncryptionKey.generate().encoded)


@dataclass(frozen=True)
class DemoKey:
    """A demo partner's key as its own system holds it."""

    partner: str
    kid: str
    private_key: str


def _pg_admin(url: str) -> Any:
    admin = make_url(url).set(database="postgres", drivername="postgresql+psycopg")
    return create_engine(admin, isolation_level="AUTOCOMMIT")


@pytest.fixture(scope="session")
def template(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, dict[str, DemoKey]]]:
    """A migrated database holding the demo, made once: (url, demo keys by partner)."""
    if PG_URL:
        name = f"kr_template_{uuid.uuid4().hex[:8]}"
        admin = _pg_admin(PG_URL)
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('template') / 'registry.sqlite3'}"
    upgrade(url)
    engine = make_engine(url)
    keys_dir = tmp_path_factory.mktemp("keys")
    with make_session_factory(engine).begin() as session:
        demo.seed(session, today=DEMO_TODAY)
        demo.write_keys(session, keys_dir, registry_url="http://testserver", audience=AUDIENCE)
    engine.dispose()
    keys = {}
    for path in keys_dir.glob("*.json"):
        doc = json.loads(path.read_text())
        keys[doc["partner"]] = DemoKey(doc["partner"], doc["kid"], doc["private_key"])
    yield url, keys
    if PG_URL:
        admin = _pg_admin(PG_URL)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}"'))
        admin.dispose()


@pytest.fixture
def database_url(template: tuple[str, dict[str, DemoKey]], tmp_path: Path) -> Iterator[str]:
    """A fresh copy of the demo database for one test."""
    template_url, _ = template
    if PG_URL:
        name = f"kr_test_{uuid.uuid4().hex[:10]}"
        admin = _pg_admin(PG_URL)
        with admin.connect() as conn:
            conn.execute(
                text(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template_url).database}"')
            )
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        return
    source = Path(make_url(template_url).database or "")
    target = tmp_path / "registry.sqlite3"
    shutil.copyfile(source, target)
    yield f"sqlite:///{target}"


@pytest.fixture
def empty_database_url(tmp_path: Path) -> Iterator[str]:
    """A database with nothing in it, not even tables (for migration tests)."""
    if PG_URL:
        name = f"kr_empty_{uuid.uuid4().hex[:10]}"
        admin = _pg_admin(PG_URL)
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
        return
    yield f"sqlite:///{tmp_path / 'empty.sqlite3'}"


@pytest.fixture
def demo_keys(template: tuple[str, dict[str, DemoKey]]) -> dict[str, DemoKey]:
    """The demo partners' private keys, by partner id."""
    return template[1]


@pytest.fixture
def sessions(database_url: str) -> Iterator[sessionmaker[Session]]:
    """Sessions on the test's database (for arranging and inspecting state directly)."""
    engine = make_engine(database_url)
    yield make_session_factory(engine)
    engine.dispose()


class Clock:
    """A clock the test moves by hand: time-dependent rules are tested without sleeping."""

    def __init__(self, now: dt.datetime) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += dt.timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    """Real wall-clock time by default (tokens are checked against it); tests may move it."""
    return Clock(dt.datetime.now(dt.UTC).replace(microsecond=0))


@pytest.fixture(scope="session")
def log_key_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The test registry's log signing key, in a key file as a deployment has it."""
    path = tmp_path_factory.mktemp("log") / "log-signer.key"
    LogSigner.generate(LOG_ORIGIN).write(path)
    return path


@pytest.fixture
def log_signer(log_key_file: Path) -> LogSigner:
    """The signer the test app uses (its ``verifier_key`` is what partners configure)."""
    return LogSigner.from_file(log_key_file)


@pytest.fixture
def settings(database_url: str, log_key_file: Path) -> Settings:
    return Settings(
        database_url=database_url,
        audience=AUDIENCE,
        log_key_file=str(log_key_file),
        log_origin=LOG_ORIGIN,
        webhook_allow_private=True,  # the tests' webhook receivers listen on 127.0.0.1
        # A test pages through lists faster than any partner system would; on an idle machine
        # that crossed 50 requests a second and drew 429s. The limit has its own tests.
        rate_limit="",
    )


class AppClient:
    """The real ASGI app through httpx's ASGITransport, called synchronously from tests."""

    def __init__(self, app: Any) -> None:
        self.app = app

    def request(self, method: str, url: str, **options: Any) -> httpx.Response:
        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
                return await c.request(method, url, **options)

        return asyncio.run(send())

    def post(self, url: str, **options: Any) -> httpx.Response:
        return self.request("POST", url, **options)

    def get(self, url: str, **options: Any) -> httpx.Response:
        return self.request("GET", url, **options)


@pytest.fixture
def client(settings: Settings, sessions: sessionmaker[Session], clock: Clock) -> AppClient:
    """The real app, as a partner system reaches it over HTTP."""
    return AppClient(create_app(settings, clock=clock, session_factory=sessions))


GraphQL = Callable[..., dict[str, Any]]


@pytest.fixture
def token_for(demo_keys: dict[str, DemoKey], clock: Clock) -> Callable[..., str]:
    """A freshly signed token for a demo partner (options as ``sign_token``)."""

    def make(partner: str, **options: Any) -> str:
        key = demo_keys[partner]
        options.setdefault("now", clock.now.timestamp())
        # Every request names its purpose (a grant releases data only for the purposes it
        # names): the demo covenants' own, unless a test names another (or None: none).
        options.setdefault("purpose", DEMO_PURPOSE)
        return sign_token(
            partner_id=partner,
            key_id=key.kid,
            private_key=key.private_key,
            audience=AUDIENCE,
            **options,
        )

    return make


@pytest.fixture
def gql(client: AppClient, token_for: Callable[..., str]) -> GraphQL:
    """Run a GraphQL document as a demo partner; returns the JSON body (data and errors)."""

    def run(
        partner: str,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        headers: dict[str, str] | None = None,
        **token_options: Any,
    ) -> dict[str, Any]:
        response = client.post(
            "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={
                "Authorization": f"Bearer {token_for(partner, **token_options)}",
                **(headers or {}),
            },
        )
        body: dict[str, Any] = response.json()
        body["_status"] = response.status_code
        return body

    return run


@pytest.fixture
def receiver(clock: Clock) -> Iterator[Receiver]:
    """A partner's webhook endpoints on 127.0.0.1 (``receiver.url(name)``), checking
    signatures against the test clock."""
    server = Receiver(lambda: clock.now.timestamp())
    server.start()
    yield server
    server.stop()


@pytest.fixture
def worker(sessions: sessionmaker[Session], clock: Clock) -> Iterator[DeliveryWorker]:
    """The webhook delivery worker on the test clock, allowed to post to 127.0.0.1 (where
    ``receiver`` listens); ``worker.run_once()`` delivers what is due."""
    runner = DeliveryWorker(sessions, clock=clock, allow_private_targets=True)
    yield runner
    runner.stop()
