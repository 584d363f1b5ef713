"""A webhook POST goes to the address that was checked, and nowhere else: real receivers on
127.0.0.1 (plain and TLS) reached by host names that only a stub resolver knows, so that any
second resolution would show. The attempt's deadline holds against a receiver that hangs and
against one that answers a byte at a time."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import httpcore
import pytest

from registry.notifications import pinned, signing
from registry.notifications.signing import new_secret
from registry.notifications.targets import TargetPolicy
from tests.certs import authority
from tests.receiver import Receiver, Silent


def resolving(answers: dict[str, Sequence[str]]) -> TargetPolicy:
    """A policy allowing 127.0.0.1 (the receivers are there), DNS answered by a stub."""
    return TargetPolicy(allow_private=True, resolver=lambda host: answers[host])


@pytest.fixture
def lookups(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every name the process asks the system resolver for (addresses pass through)."""
    asked: list[str] = []
    system = socket.getaddrinfo

    def watched(host: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            socket.inet_pton(socket.AF_INET6 if ":" in str(host) else socket.AF_INET, str(host))
        except OSError:
            asked.append(str(host))
            raise OSError("the test allows no name lookups") from None
        return system(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", watched)
    return asked


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    server = Receiver(time.time)
    server.start()
    yield server
    server.stop()


def _post(policy: TargetPolicy, url: str, **options: Any) -> pinned.Answer:
    secret = new_secret()
    body = b'{"type":"test"}'
    headers = signing.headers(secret, "msg_1", int(time.time()), body)
    options.setdefault("connect_timeout", 2.0)
    options.setdefault("deadline", 5.0)
    return pinned.post(policy.check(url), body, headers, **options)


def test_the_connection_goes_to_the_checked_address_under_the_host_name(
    receiver: Receiver, lookups: list[str]
) -> None:
    receiver.secrets["hook"] = new_secret()
    policy = resolving({"partner.example": ["127.0.0.1"]})
    url = receiver.url("hook", host="partner.example")
    answer = _post(policy, url)
    assert answer.status == 401  # it reached the receiver (which had another secret)
    [request] = receiver.at("hook")
    assert request.host == url.split("/")[2]  # partner.example:<port>
    assert lookups == []  # nothing resolved the name a second time


def test_the_next_checked_address_is_tried_when_one_refuses(receiver: Receiver) -> None:
    # Nothing listens on 127.0.0.2 at the receiver's port; the loopback net stays local.
    policy = resolving({"partner.example": ["127.0.0.2", "127.0.0.1"]})
    assert _post(policy, receiver.url("hook", host="partner.example")).status == 401
    assert len(receiver.at("hook")) == 1


def test_tls_is_verified_for_the_host_name_not_the_address(tmp_path: Path) -> None:
    tls = authority(["partner.example"], tmp_path)
    server = Receiver(time.time, tls=tls.server)
    server.start()
    try:
        policy = resolving({"partner.example": ["127.0.0.1"], "other.example": ["127.0.0.1"]})
        url = server.url("hook", host="partner.example")
        assert url.startswith("https://partner.example:")
        assert _post(policy, url, ssl_context=tls.client).status == 401
        # The same address under a name the certificate does not carry: refused by TLS.
        with pytest.raises(httpcore.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            _post(policy, server.url("hook", host="other.example"), ssl_context=tls.client)
        # And the system's trust store does not know the test authority.
        with pytest.raises(httpcore.ConnectError, match="CERTIFICATE_VERIFY_FAILED"):
            _post(policy, url)
    finally:
        server.stop()
    assert [r.host for r in server.requests] == [url.split("/")[2]]


@pytest.mark.parametrize("trickle", [None, 0.05], ids=["silent", "a byte at a time"])
def test_an_attempt_ends_at_its_deadline(trickle: float | None) -> None:
    hanging = Silent(trickle=trickle)
    hanging.start()
    try:
        started = time.monotonic()
        with pytest.raises(httpcore.ReadTimeout):
            _post(resolving({}), hanging.url("hook"), connect_timeout=0.5, deadline=0.4)
        assert time.monotonic() - started < 2
    finally:
        hanging.stop()
    assert len(hanging.connections) == 1
