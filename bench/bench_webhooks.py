"""How long other partners wait for their webhooks while one partner's endpoint hangs (L5),
measured side by side: the previous, sequential delivery (one post at a time, 15 s timeout)
and the current worker (a pool of posts, at most two per subscription, 3 s connect timeout and
a 10 s deadline).

One endpoint accepts connections and never answers; three others answer at once. Events that
every endpoint is told of are emitted at a steady rate for a while; the delay of a webhook is
from its event's commit to its arrival. Everything runs on 127.0.0.1, the worker as it runs in
``serve`` (real clock, 1 s poll interval), on a fresh SQLite copy of the demo per variant.

    .venv/bin/python bench/bench_webhooks.py [--seconds 45] [--interval 1.5] [--drain 60]

The sequential variant is the current worker configured to post one delivery at a time with
the previous 15 s timeout, any number per subscription: the order and waiting of the previous
worker, which claimed a batch and posted it one by one.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import os
import shutil
import socket
import statistics
import tempfile
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from registry.db import make_engine, make_session_factory
from registry.demo import seed as demo
from registry.events import Event
from registry.migrate import upgrade
from registry.models import (
    Case,
    EventType,
    Involvement,
    InvolvementRole,
    Phase,
    WebhookSubscription,
)
from registry.notifications import outbox
from registry.notifications.delivery import DeliveryWorker
from registry.notifications.signing import new_secret

HANGING = "partners-in-welzijn"
ANSWERING = ("gebiedsteam-sittard-geleen", "flanderijn", "zowonen")  # the owner is told too
VARIANTS: dict[str, dict[str, Any]] = {
    "sequential (previous)": {
        "concurrency": 1,
        "per_subscription": 1000,
        "connect_timeout": 15.0,
        "timeout": 15.0,
    },
    "concurrent (current)": {},  # the worker's defaults
}


class Arrivals:
    """A real endpoint per partner on 127.0.0.1, noting when each webhook-id arrived."""

    def __init__(self) -> None:
        self.seen: dict[tuple[str, str], float] = {}
        arrivals = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("content-length", "0")))
                key = (self.path.strip("/"), self.headers.get("webhook-id", ""))
                arrivals.seen.setdefault(key, time.monotonic())
                self.send_response(204)
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def url(self, name: str) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host!s}:{port}/{name}"


class Hanging:
    """An endpoint that accepts connections and never answers."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0), backlog=128)
        self.listener.settimeout(0.1)
        self.connections: list[socket.socket] = []
        self.stopping = threading.Event()
        threading.Thread(target=self._accept, daemon=True).start()

    def url(self, name: str) -> str:
        host, port = self.listener.getsockname()[:2]
        return f"http://{host}:{port}/{name}"

    def _accept(self) -> None:
        while not self.stopping.is_set():
            with contextlib.suppress(TimeoutError):
                self.connections.append(self.listener.accept()[0])
        self.listener.close()

    def close(self) -> None:
        self.stopping.set()
        time.sleep(0.2)  # the accepting loop sees the flag and closes the listener
        for connection in self.connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()


def _template(folder: Path) -> Path:
    path = folder / "template.sqlite3"
    url = f"sqlite:///{path}"
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        demo.seed(session)
    engine.dispose()
    return path


def _arrange(sessions: sessionmaker[Session], urls: dict[str, str]) -> uuid.UUID:
    """A ZOwonen case in eviction with every partner involved, and their subscriptions."""
    now = dt.datetime.now(dt.UTC)
    with sessions.begin() as session:
        case = session.scalars(
            select(Case).where(Case.owner_id == "zowonen").order_by(Case.id)
        ).first()
        assert case is not None
        case.phase = Phase.EVICTION
        for partner in urls:
            if partner != "zowonen":
                session.add(
                    Involvement(
                        case_id=case.id,
                        partner_id=partner,
                        role=InvolvementRole.OTHER,
                        since=now,
                        involved_by="zowonen",
                    )
                )
            session.add(
                WebhookSubscription(
                    id=uuid.uuid4(),
                    partner_id=partner,
                    url=urls[partner],
                    event_types=[EventType.EVICTION_SCHEDULED.value],
                    secret=new_secret(),
                    created_at=now,
                )
            )
        return case.id


def _run(
    template: Path,
    folder: Path,
    options: dict[str, Any],
    seconds: float,
    every: float,
    drain: float,
) -> tuple[list[float], int, int]:
    path = folder / f"run-{uuid.uuid4().hex[:6]}.sqlite3"
    shutil.copyfile(template, path)
    engine = make_engine(f"sqlite:///{path}")
    sessions = make_session_factory(engine)
    arrivals, hanging = Arrivals(), Hanging()
    urls = {name: arrivals.url(name) for name in ANSWERING} | {HANGING: hanging.url(HANGING)}
    case_id = _arrange(sessions, urls)
    worker = DeliveryWorker(sessions, allow_private_targets=True, **options)
    worker.start()
    sent: dict[str, float] = {}
    began = time.monotonic()
    while time.monotonic() - began < seconds:
        with sessions.begin() as session:
            event = outbox.emit(session, Event.EVICTION_SCHEDULED, case_id, dt.datetime.now(dt.UTC))
            event_id = str(event.id)
        sent[event_id] = time.monotonic()
        time.sleep(every)
    wanted = {(name, event_id) for event_id in sent for name in ANSWERING}
    deadline = time.monotonic() + drain
    while not wanted <= arrivals.seen.keys() and time.monotonic() < deadline:
        time.sleep(0.05)  # the backlog may still arrive, for a while
    end = time.monotonic()
    hanging.close()
    worker.stop()
    arrivals.server.shutdown()
    engine.dispose()
    delays: list[float] = []
    late = 0
    for event_id, at in sent.items():
        for name in ANSWERING:
            arrived = arrivals.seen.get((name, event_id))
            if arrived is None:
                late += 1
                arrived = end  # not arrived by the end: counted at its age then (a floor)
            delays.append(arrived - at)
    return delays, late, len(sent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=45.0, help="how long events are emitted")
    parser.add_argument("--interval", type=float, default=1.5, help="seconds between events")
    parser.add_argument(
        "--drain", type=float, default=60.0, help="how long the backlog may still arrive"
    )
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"one endpoint hangs, {len(ANSWERING)} answer; an event every {args.interval:g} s "
        f"for {args.seconds:g} s; delay = event committed -> webhook arrived, at the "
        "answering endpoints"
    )
    print(f"{'variant':<24} {'median':>8} {'p90':>8} {'max':>8} {'late':>12}")
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        template = _template(folder)
        for variant, options in VARIANTS.items():
            delays, late, events = _run(
                template, folder, options, args.seconds, args.interval, args.drain
            )
            delays.sort()
            p90 = delays[int(0.9 * (len(delays) - 1))]
            print(
                f"{variant:<24} {statistics.median(delays):>7.2f}s {p90:>7.2f}s "
                f"{delays[-1]:>7.2f}s {late:>4}/{len(delays):<4} of {events} events"
            )
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(
        f"late: not arrived {args.drain:g} s after the last event (their delay is counted at "
        "their age then: a floor)"
    )


if __name__ == "__main__":
    main()
