"""``ketenregister-client webhooks listen``, run as a partner's engineer runs it (its own
process), receiving webhooks the registry signs: each new event one JSON line, a forged or
stale one refused with 400, a redelivery answered but not printed twice; with ``--subscribe``
it subscribes itself, receives a real delivery, and unsubscribes when stopped."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from registry.models import Phase, WebhookSubscription
from registry.notifications import signing
from registry.notifications.delivery import DeliveryWorker
from tests.arrange import case_in
from tests.clients.conftest import key_file_for
from tests.conftest import Clock, DemoKey, GraphQL
from tests.servers import free_port

CLIENT = str(Path(sys.executable).with_name("ketenregister-client"))


@dataclass
class Listener:
    """The listener's URL and process; what it printed, once it stopped."""

    url: str
    process: subprocess.Popen[str]
    stdout: str = ""
    stderr: str = ""


@contextmanager
def listening(*options: str, key_file: Path | None = None) -> Iterator[Listener]:
    """The listener in its own process on a free port, stopped by SIGTERM at the end."""
    port = free_port()
    global_options = [] if key_file is None else ["--key-file", str(key_file)]
    process = subprocess.Popen(
        [CLIENT, *global_options, "webhooks", "listen", "--port", str(port), *options],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert process.stderr is not None
    _await_line(process.stderr, "listening on", process)
    listener = Listener(f"http://127.0.0.1:{port}/hook", process)
    try:
        yield listener
    finally:
        process.send_signal(signal.SIGTERM)
        rest, errors = process.communicate(timeout=10)
        listener.stdout, listener.stderr = rest, errors


def _await_line(stream: IO[str], text: str, process: subprocess.Popen[str]) -> str:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        line = stream.readline()
        if text in line:
            return line
        if not line and process.poll() is not None:
            break
    pytest.fail(f"the listener never printed {text!r} (exit {process.poll()})")


def _post(url: str, secret: str, webhook_id: str, body: bytes, *, at: float) -> int:
    headers = signing.headers(secret, webhook_id, int(at), body)
    return httpx.post(url, content=body, headers=headers).status_code


def test_each_new_verified_webhook_is_one_json_line_and_forgeries_are_refused() -> None:
    secret = signing.new_secret()
    body = json.dumps({"type": "case.closed", "data": {"caseId": "c-1"}}).encode()
    with listening("--secret", secret) as listener:
        url = listener.url
        assert _post(url, secret, "msg_1", body, at=time.time()) == 204
        assert _post(url, secret, "msg_1", body, at=time.time()) == 200  # a redelivery
        forged = signing.new_secret()
        assert _post(url, forged, "msg_2", body, at=time.time()) == 400
        assert _post(url, secret, "msg_3", body, at=time.time() - 3600) == 400  # a replay
        assert httpx.post(url.replace("/hook", "/other"), content=body).status_code == 404
    assert [json.loads(line) for line in listener.stdout.splitlines()] == [
        {"id": "msg_1", "type": "case.closed", "data": {"caseId": "c-1"}}
    ]
    assert "duplicate webhook msg_1" in listener.stderr
    assert listener.stderr.count("refused a webhook") == 2


def test_without_a_secret_or_subscription_it_says_what_it_needs() -> None:
    result = subprocess.run(
        [CLIENT, "webhooks", "listen"], capture_output=True, text=True, timeout=30, check=False
    )
    assert result.returncode == 2
    assert "give --secret (the whsec_ shown at subscription) or --subscribe" in result.stderr
    assert "Traceback" not in result.stderr


def test_subscribed_it_receives_a_real_delivery_and_unsubscribes_when_stopped(
    registry_url: str,
    demo_keys: dict[str, DemoKey],
    tmp_path: Path,
    sessions: sessionmaker[Session],
    clock: Clock,
    gql: GraphQL,
) -> None:
    key_file = key_file_for(tmp_path, demo_keys["partners-in-welzijn"], registry_url)
    case_id = case_in(
        sessions,
        "zowonen",
        Phase.JUDGMENT_SERVED,
        clock.now.date(),
        involved=("partners-in-welzijn",),
    )
    worker = DeliveryWorker(sessions, clock=clock, allow_private_targets=True)
    try:
        with listening("--subscribe=eviction.scheduled", key_file=key_file) as listener:
            url = listener.url
            with sessions() as session:
                [active] = session.scalars(
                    select(WebhookSubscription).where(WebhookSubscription.url == url)
                ).all()
                assert active.partner_id == "partners-in-welzijn" and active.disabled_at is None
            date = clock.now.date().replace(year=clock.now.year + 1).isoformat()
            scheduled = gql(
                "zowonen",
                """mutation($id: ID!, $date: Date!) {
                  scheduleEviction(id: $id, date: $date, bailiff: "flanderijn") { id } }""",
                {"id": case_id, "date": date},
            )
            assert "errors" not in scheduled, scheduled
            worker.run_once()
            assert listener.process.stdout is not None
            event = json.loads(listener.process.stdout.readline())
        assert event["type"] == "eviction.scheduled"
        assert event["data"]["caseId"] == case_id
        with sessions() as session:
            subscription = session.scalars(
                select(WebhookSubscription).where(WebhookSubscription.url == url)
            ).one()
            assert subscription.disabled_at is not None
        assert f"unsubscribed {url}" in listener.stderr
    finally:
        worker.stop()
