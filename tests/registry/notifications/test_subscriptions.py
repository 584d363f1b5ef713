"""Subscribing under production's address policy: every loopback, private, link-local and
otherwise non-public form is refused when subscribed, and nothing is stored. Host names are
answered by a stub resolver (nothing leaves the machine)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from policies import PolicyEngine
from registry.access.disclosure import Disclosure
from registry.access.policystore import active_rows
from registry.access.principal import Principal
from registry.access.vocabulary import VOCABULARY
from registry.app import create_app
from registry.config import Settings
from registry.errors import InvalidInputError
from registry.models import WebhookSubscription
from registry.notifications import subscriptions
from registry.notifications.targets import REFUSED, TargetPolicy
from registry.request import RequestScope
from registry.tracing import trace_from_header
from tests.conftest import AppClient, Clock
from tests.helpers import error_codes

ZONE: dict[str, Sequence[str]] = {
    "partner.example": ["93.184.215.14"],
    "localhost.example": ["127.0.0.1"],
    "intranet.example": ["10.20.30.40", "93.184.215.14"],
    "metadata.example": ["169.254.169.254"],
    "nat64.example": ["64:ff9b::a9fe:a9fe"],
    "mapped.example": ["::ffff:127.0.0.1"],
    "ula.example": ["fd00::1"],
}

#: Every form of a non-public target: literal addresses (IPv4, IPv6, IPv6 carrying IPv4) and
#: names resolving to them.
NON_PUBLIC = [
    "https://127.0.0.1/hook",
    "https://127.1.2.3:8443/hook",
    "https://0.0.0.0/hook",
    "https://10.0.0.1/hook",
    "https://172.16.5.4/hook",
    "https://192.168.1.1/hook",
    "https://169.254.169.254/latest/meta-data",
    "https://100.64.0.1/hook",
    "https://198.18.0.1/hook",
    "https://224.0.0.1/hook",
    "https://255.255.255.255/hook",
    "https://[::1]/hook",
    "https://[::]/hook",
    "https://[fe80::1]/hook",
    "https://[fe80::1%25eth0]/hook",
    "https://[fc00::1]/hook",
    "https://[fd12:3456::1]/hook",
    "https://[fec0::1]/hook",
    "https://[ff02::1]/hook",
    "https://[::ffff:127.0.0.1]/hook",
    "https://[::ffff:a9fe:a9fe]/latest",
    "https://[::127.0.0.1]/hook",
    "https://[::a9fe:a9fe]/latest",
    "https://[64:ff9b::a9fe:a9fe]/latest",
    "https://[64:ff9b::7f00:1]/hook",
    "https://[64:ff9b:1::a9fe:a9fe]/latest",
    "https://[2002:a9fe:a9fe::1]/latest",
    "https://[2002:7f00:1::]/hook",
    "https://[2001:0:4136:e378:8000:63bf:80ff:fffe]/hook",
    "https://localhost.example/hook",
    "https://intranet.example/hook",
    "https://metadata.example/latest",
    "https://nat64.example/latest",
    "https://mapped.example/hook",
    "https://ula.example/hook",
]


def _resolve(host: str) -> Sequence[str]:
    if host not in ZONE:
        raise OSError(f"stub: {host} is not in the zone")
    return ZONE[host]


PRODUCTION = TargetPolicy(resolver=_resolve)


@pytest.fixture
def session(sessions: sessionmaker[Session]) -> Iterator[Session]:
    with sessions() as session:
        yield session


def _scope(session: Session, clock: Clock) -> RequestScope:
    principal = Principal(
        "partners-in-welzijn",
        "welfare",
        frozenset({"sittard-geleen"}),
        None,
        "test",
        trace_from_header(None),
    )
    disclosure = Disclosure(
        PolicyEngine(VOCABULARY, active_rows(session)), principal, today=clock.now.date()
    )
    return RequestScope(session, principal, disclosure, clock.now, webhook_targets=PRODUCTION)


def _subscribe(session: Session, clock: Clock, url: str) -> WebhookSubscription:
    return subscriptions.subscribe(_scope(session, clock), url, ["eviction.scheduled"])


def _stored(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(WebhookSubscription)) or 0


@pytest.mark.parametrize("url", NON_PUBLIC)
def test_every_non_public_form_is_refused_when_subscribed(
    session: Session, clock: Clock, url: str
) -> None:
    with pytest.raises(InvalidInputError, match=f"^{REFUSED}$"):
        _subscribe(session, clock, url)
    assert _stored(session) == 0


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://partner.example/hook", "a webhook URL must be https, not 'http://partner"),
        ("https://127.0.0.1./hook", "refused: 127.0.0.1. does not resolve"),
        ("https://nowhere.example/hook", "refused: nowhere.example does not resolve"),
    ],
)
def test_plain_http_and_hosts_that_do_not_resolve_are_refused_when_subscribed(
    session: Session, clock: Clock, url: str, message: str
) -> None:
    with pytest.raises(InvalidInputError, match=message):
        _subscribe(session, clock, url)
    assert _stored(session) == 0


def test_a_public_https_endpoint_is_subscribed(session: Session, clock: Clock) -> None:
    subscription = _subscribe(session, clock, "https://partner.example/hooks")
    assert subscription.url == "https://partner.example/hooks"
    assert _stored(session) == 1


SUBSCRIBE = """mutation($url: String!, $types: [String!]!) {
  subscribeWebhook(url: $url, eventTypes: $types) { subscription { id } } }"""


def test_a_production_app_refuses_every_non_public_form_when_subscribing(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Clock,
    token_for: Callable[..., str],
) -> None:
    production = settings.replace(webhook_allow_private=False)
    client = AppClient(create_app(production, clock=clock, session_factory=sessions))
    # Literal addresses only: the app resolves names with the system's resolver.
    literal = [url for url in NON_PUBLIC if ".example" not in url]
    for url in [*literal, "http://93.184.215.14/hook"]:
        response = client.post(
            "/graphql",
            json={"query": SUBSCRIBE, "variables": {"url": url, "types": ["case.closed"]}},
            headers={"Authorization": f"Bearer {token_for('partners-in-welzijn')}"},
        )
        body = response.json()
        assert error_codes(body) == ["INVALID_INPUT"], (url, body)
    with sessions() as session:
        assert _stored(session) == 0
