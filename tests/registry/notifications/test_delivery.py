"""Webhook delivery to a real HTTP receiver on 127.0.0.1: who is told (the policies decide),
signatures checked on the receiving side, retries after 5xx answers on the injected clock,
no duplicate effect from a redelivery, 410 disabling, and nothing lost across a restart."""

from __future__ import annotations

import contextlib
import datetime as dt
import random
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import uvicorn
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from registry.app import create_app
from registry.cli import main as cli
from registry.config import Settings
from registry.db import make_engine, make_session_factory
from registry.events import Event
from registry.models import Phase, WebhookDelivery
from registry.notifications import outbox
from registry.notifications.delivery import DeliveryWorker
from registry.notifications.retry import RetryPolicy
from registry.notifications.targets import TargetPolicy
from tests.arrange import NEW_CASE, REGISTER_CASE, case_in
from tests.conftest import Clock, GraphQL
from tests.receiver import Receiver, Silent

SUBSCRIBE = """mutation($url: String!, $types: [String!]!) {
  subscribeWebhook(url: $url, eventTypes: $types) { secret subscription { id active } } }"""
SCHEDULE = """mutation($id: ID!, $date: Date!) {
  scheduleEviction(id: $id, date: $date, bailiff: "flanderijn") { id } }"""
DELIVERIES = """{ webhookDeliveries { eventId eventType caseId status attempts lastStatusCode
  lastError nextAttemptAt deliveredAt } }"""


class HalfJitter(random.Random):
    """Full jitter pinned to the middle of its range, so tests know every wait."""

    def random(self) -> float:
        return 0.5


RETRY = RetryPolicy(base=dt.timedelta(seconds=10), cap=dt.timedelta(hours=1), max_attempts=4)


@pytest.fixture
def worker(sessions: sessionmaker[Session], clock: Clock) -> Iterator[DeliveryWorker]:
    runner = DeliveryWorker(
        sessions,
        clock=clock,
        rng=HalfJitter(),
        retry=RETRY,
        allow_private_targets=True,  # the test's receiver listens on 127.0.0.1
    )
    yield runner
    runner.stop()


Subscribe = Callable[..., str]


@pytest.fixture
def subscribe(gql: GraphQL, receiver: Receiver) -> Subscribe:
    """Subscribe a partner's endpoint ``/<partner>`` to event types; returns the subscription id."""

    def run(partner: str, *types: str) -> str:
        body = gql(partner, SUBSCRIBE, {"url": receiver.url(partner), "types": list(types)})
        created = body["data"]["subscribeWebhook"]
        receiver.secrets[partner] = created["secret"]
        return str(created["subscription"]["id"])

    return run


@contextlib.contextmanager
def serving(app: Any) -> Iterator[uvicorn.Server]:
    """Serve ``app`` with uvicorn on 127.0.0.1 (lifespan and all) until the block ends."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "the server did not start"
        time.sleep(0.01)
    try:
        yield server
    finally:
        server.should_exit = True
        thread.join(10)


def _schedule(gql: GraphQL, clock: Clock, case_id: str, days: int = 21) -> None:
    date = (clock.now.date() + dt.timedelta(days=days)).isoformat()
    body = gql("zowonen", SCHEDULE, {"id": case_id, "date": date})
    assert "errors" not in body, body


def _types(receiver: Receiver, name: str) -> list[str]:
    return sorted(r.document["type"] for r in receiver.at(name) if r.verified)


def _welfare_case(sessions: sessionmaker[Session], clock: Clock) -> str:
    """A ZOwonen case with a judgment served, Partners in Welzijn involved."""
    return case_in(
        sessions,
        "zowonen",
        Phase.JUDGMENT_SERVED,
        clock.now.date(),
        involved=("partners-in-welzijn",),
    )


def test_scheduling_an_eviction_tells_every_involved_partner_and_no_one_else(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    clock: Clock,
    receiver: Receiver,
    subscribe: Subscribe,
    worker: DeliveryWorker,
) -> None:
    case_id = case_in(
        sessions,
        "zowonen",
        Phase.JUDGMENT_SERVED,
        clock.now.date(),
        involved=("partners-in-welzijn", "gebiedsteam-sittard-geleen"),
    )
    both = ("eviction.scheduled", "case.phase_changed")
    for partner in (
        "partners-in-welzijn",
        "gebiedsteam-sittard-geleen",
        "flanderijn",
        "zowonen",
        "gemeente-sittard-geleen",
        "nijestee",
    ):
        subscribe(partner, *both)
    _schedule(gql, clock, case_id)
    report = worker.run_once()
    assert report.fanned_out == 3  # with the municipality's shelter task (none subscribed)
    # ZOwonen shares only the eviction date: the involved partners (the bailiff too, involved
    # by the scheduling) are told of the eviction but not of the phase; the owner of both.
    # The municipality is told of the eviction by statute (art. 556 lid 3 Rv), not of the
    # phase; nijestee has no relation to the case.
    assert _types(receiver, "partners-in-welzijn") == ["eviction.scheduled"]
    assert _types(receiver, "gebiedsteam-sittard-geleen") == ["eviction.scheduled"]
    assert _types(receiver, "flanderijn") == ["eviction.scheduled"]
    assert _types(receiver, "zowonen") == ["case.phase_changed", "eviction.scheduled"]
    assert _types(receiver, "gemeente-sittard-geleen") == ["eviction.scheduled"]
    assert receiver.at("nijestee") == []
    assert all(r.verified for r in receiver.requests)
    [told] = receiver.at("partners-in-welzijn")
    # Thin: an id, a type, a time and the case; no personal data.
    assert told.document == {
        "type": "eviction.scheduled",
        "timestamp": clock.now.isoformat().replace("+00:00", "Z"),
        "data": {"eventId": told.webhook_id, "caseId": case_id},
    }
    fetched = gql(
        "partners-in-welzijn",
        """query($id: ID!) { case(id: $id) { evictionDate phase
        contactName } }""",
        {"id": case_id},
    )["data"]["case"]
    assert fetched["evictionDate"]
    assert fetched["phase"] is None
    assert fetched["contactName"] is None


def test_retries_after_5xx_answers_with_backoff_until_delivered(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    clock: Clock,
    receiver: Receiver,
    subscribe: Subscribe,
    worker: DeliveryWorker,
) -> None:
    case_id = _welfare_case(sessions, clock)
    subscribe("partners-in-welzijn", "eviction.scheduled")
    receiver.script["partners-in-welzijn"] = [500, 503]
    _schedule(gql, clock, case_id)
    start = clock.now
    worker.run_once()
    [delivery] = gql("partners-in-welzijn", DELIVERIES)["data"]["webhookDeliveries"]
    assert delivery["status"] == "PENDING"
    assert delivery["attempts"] == 1
    assert (delivery["lastStatusCode"], delivery["lastError"]) == (500, "HTTP 500")
    # Full jitter over a ceiling of 10 s, drawn at its middle: the next attempt in 5 s.
    assert dt.datetime.fromisoformat(delivery["nextAttemptAt"]) == start + dt.timedelta(seconds=5)
    worker.run_once()
    assert len(receiver.requests) == 1  # not due yet
    clock.advance(seconds=5)
    worker.run_once()  # 503; the ceiling doubles to 20 s: next in 10 s
    clock.advance(seconds=9)
    worker.run_once()
    assert len(receiver.requests) == 2
    clock.advance(seconds=1)
    worker.run_once()
    attempts = receiver.at("partners-in-welzijn")
    assert [r.answered for r in attempts] == [500, 503, 200]
    assert all(r.verified for r in attempts)
    assert len({r.webhook_id for r in attempts}) == 1  # the same webhook-id on every attempt
    assert [r.timestamp for r in attempts] == [int(start.timestamp()) + s for s in (0, 5, 15)]
    assert len(receiver.effects) == 1
    [delivery] = gql("partners-in-welzijn", DELIVERIES)["data"]["webhookDeliveries"]
    assert (delivery["status"], delivery["attempts"], delivery["lastStatusCode"]) == (
        "DELIVERED",
        3,
        200,
    )
    assert delivery["nextAttemptAt"] is None
    assert delivery["lastError"] is None


def test_a_delivery_fails_after_its_last_attempt(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    clock: Clock,
    receiver: Receiver,
    subscribe: Subscribe,
    worker: DeliveryWorker,
) -> None:
    case_id = _welfare_case(sessions, clock)
    subscribe("partners-in-welzijn", "eviction.scheduled")
    receiver.script["partners-in-welzijn"] = [500] * 10
    _schedule(gql, clock, case_id)
    for _ in range(RETRY.max_attempts):
        worker.run_once()
        clock.advance(hours=1)
    worker.run_once()
    assert len(receiver.requests) == RETRY.max_attempts
    [failed] = gql(
        "partners-in-welzijn",
        """{ webhookDeliveries(status: FAILED) { id attempts
        lastError } }""",
    )["data"]["webhookDeliveries"]
    assert (failed["attempts"], failed["lastError"]) == (RETRY.max_attempts, "HTTP 500")
    # The partner fixed its endpoint and asks for the failed one again.
    again = gql(
        "partners-in-welzijn",
        """mutation($id: ID!) { redeliverWebhook(id: $id) {
        status } }""",
        {"id": failed["id"]},
    )
    assert again["data"]["redeliverWebhook"]["status"] == "PENDING"
    receiver.script["partners-in-welzijn"] = []
    worker.run_once()
    assert len(receiver.effects) == 1


def test_a_410_answer_disables_the_subscription(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    clock: Clock,
    receiver: Receiver,
    subscribe: Subscribe,
    worker: DeliveryWorker,
) -> None:
    case_id = _welfare_case(sessions, clock)
    subscribe("partners-in-welzijn", "eviction.scheduled", "eviction.called_off")
    receiver.script["partners-in-welzijn"] = [410]
    _schedule(gql, clock, case_id)
    worker.run_once()
    subscriptions = gql(
        "partners-in-welzijn",
        """{ webhookSubscriptions { active disabledReason
        } }""",
    )["data"]["webhookSubscriptions"]
    assert subscriptions == [{"active": False, "disabledReason": "the receiver answered 410 Gone"}]
    [delivery] = gql("partners-in-welzijn", DELIVERIES)["data"]["webhookDeliveries"]
    assert (delivery["status"], delivery["lastStatusCode"]) == ("CANCELLED", 410)
    body = gql(
        "zowonen", """mutation($id: ID!) { callOffEviction(id: $id) { phase } }""", {"id": case_id}
    )
    assert body["data"]["callOffEviction"]["phase"] == "JUDGMENT_SERVED"
    clock.advance(hours=1)
    worker.run_once()
    assert len(receiver.requests) == 1  # nothing more went to the gone endpoint
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(WebhookDelivery)) == 1


def test_a_redelivery_has_no_duplicate_effect(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    clock: Clock,
    receiver: Receiver,
    subscribe: Subscribe,
    worker: DeliveryWorker,
) -> None:
    case_id = _welfare_case(sessions, clock)
    subscribe("partners-in-welzijn", "eviction.scheduled")
    _schedule(gql, clock, case_id)
    crashing = DeliveryWorker(
        sessions, clock=clock, worker_id="crashes", allow_private_targets=True
    )
    with sessions.begin() as session:
        outbox.fan_out(session, crashing.policies.engine(session), clock.now)
    [claimed] = crashing.claim(clock.now)
    assert crashing.send(claimed).succeeded  # ...and the worker dies before recording it
    worker.run_once()
    assert len(receiver.requests) == 1  # the lease still holds
    clock.advance(seconds=61)
    worker.run_once()
    first, second = receiver.at("partners-in-welzijn")
    assert first.webhook_id == second.webhook_id
    assert first.body == second.body
    assert len(receiver.effects) == 1  # the receiver deduplicated on webhook-id
    assert not crashing.record(claimed, crashing.send(claimed))  # its claim is gone
    [delivery] = gql("partners-in-welzijn", DELIVERIES)["data"]["webhookDeliveries"]
    assert (delivery["status"], delivery["attempts"]) == ("DELIVERED", 1)


def test_nothing_is_lost_when_the_server_stops_and_starts_between_change_and_delivery(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: Clock,
    receiver: Receiver,
    subscribe: Subscribe,
    worker: DeliveryWorker,
) -> None:
    today = clock.now.date()
    first = case_in(
        sessions, "zowonen", Phase.JUDGMENT_SERVED, today, involved=("partners-in-welzijn",)
    )
    second = case_in(
        sessions,
        "zowonen",
        Phase.JUDGMENT_SERVED,
        today,
        involved=("partners-in-welzijn",),
        exclude=(first,),
    )
    subscribe("partners-in-welzijn", "eviction.scheduled")
    receiver.script["partners-in-welzijn"] = [503]
    _schedule(gql, clock, first)
    worker.run_once()  # the receiver is down: the first attempt fails, and the server stops
    _schedule(gql, clock, second)  # a change while no worker runs at all
    assert len(receiver.effects) == 0
    clock.advance(minutes=1)
    # A new server process (new engine, new app); its lifespan starts the worker thread.
    engine = make_engine(settings.database_url)
    app = create_app(
        settings, clock=clock, session_factory=make_session_factory(engine), delivery_worker=True
    )
    with serving(app):
        assert app.state.registry.worker.running
        receiver.wait_for(2)
    assert not app.state.registry.worker.running  # shutdown stopped it
    engine.dispose()
    assert {r.document["data"]["caseId"] for r in receiver.effects.values()} == {first, second}
    assert all(r.verified for r in receiver.requests)


def test_two_workers_deliver_each_event_once(
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: Clock,
    receiver: Receiver,
    subscribe: Subscribe,
) -> None:
    case_id = case_in(
        sessions, "zowonen", Phase.EVICTION, clock.now.date(), involved=("partners-in-welzijn",)
    )
    subscribe("partners-in-welzijn", "eviction.scheduled")
    events = 12
    with sessions.begin() as session:
        for _ in range(events):
            outbox.emit(session, Event.EVICTION_SCHEDULED, uuid.UUID(case_id), clock.now)
    engines = [make_engine(settings.database_url) for _ in range(2)]  # two processes' pools
    workers = [
        DeliveryWorker(
            make_session_factory(e),
            clock=clock,
            batch=3,
            worker_id=f"w{i}",
            allow_private_targets=True,
        )
        for i, e in enumerate(engines)
    ]
    errors: list[BaseException] = []

    def run(runner: DeliveryWorker) -> None:
        try:
            for _ in range(50):
                runner.run_once()
                if len(receiver.effects) == events:
                    return
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    for runner, engine in zip(workers, engines, strict=True):
        runner.stop()
        engine.dispose()
    assert not errors, errors
    assert len(receiver.effects) == events
    assert len(receiver.requests) == events  # no event was posted twice
    with sessions() as session:
        statuses = session.scalars(select(WebhookDelivery.status)).all()
    assert statuses == ["delivered"] * events


def test_annotation_events_follow_the_annotation_kind(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    clock: Clock,
    receiver: Receiver,
    subscribe: Subscribe,
    worker: DeliveryWorker,
) -> None:
    case_id = case_in(
        sessions,
        "nijestee",
        Phase.COLLECTION,
        clock.now.date(),
        involved=("wij-groningen", "ehbg-groningen", "bureau-woonkans"),
    )
    for partner in ("wij-groningen", "bureau-woonkans", "gemeente-groningen"):
        subscribe(partner, "annotation.added")
    add = """mutation($input: AnnotationInput!) { addAnnotation(input: $input) { id } }"""
    for kind in ("HOME_VISIT", "HELP_ACCEPTED"):
        gql(
            "ehbg-groningen",
            add,
            {
                "input": {
                    "caseId": case_id,
                    "kind": kind,
                    "occurredOn": clock.now.date().isoformat(),
                }
            },
        )
    worker.run_once()
    # Groningen's district team reads every kind; Bureau Woonkans not home visits; the
    # municipality no annotations at all.
    assert len(receiver.at("wij-groningen")) == 2
    assert len(receiver.at("bureau-woonkans")) == 1
    assert receiver.at("gemeente-groningen") == []


def test_an_overdue_action_item_is_announced_once_to_whom_it_may_concern(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    clock: Clock,
    receiver: Receiver,
    subscribe: Subscribe,
    worker: DeliveryWorker,
) -> None:
    today = clock.now.date()
    # In the court phase, from which ZOwonen shares only the eviction date.
    case_id = case_in(
        sessions, "zowonen", Phase.COURT, today, involved=("gebiedsteam-sittard-geleen",)
    )
    for partner in ("gemeente-sittard-geleen", "gebiedsteam-sittard-geleen", "zowonen"):
        subscribe(partner, "action_item.overdue")
    body = gql(
        "zowonen",
        """mutation($input: AnnotationInput!) { addAnnotation(input: $input) {
        id } }""",
        {
            "input": {
                "caseId": case_id,
                "kind": "CASE_CONFERENCE",
                "occurredOn": today.isoformat(),
                "actionItems": [
                    {
                        "description": "Contact opnemen",
                        "assignee": "gemeente-sittard-geleen",
                        "dueOn": (today + dt.timedelta(days=2)).isoformat(),
                    }
                ],
            }
        },
    )
    assert "errors" not in body, body
    worker.run_once()
    assert receiver.requests == []
    clock.advance(days=3)
    assert worker.run_once().announced == 1
    worker.run_once()
    # The assignee is told (the item is addressed to it), the owner reads case conferences;
    # the area team is restricted by ZOwonen and not told.
    assert _types(receiver, "gemeente-sittard-geleen") == ["action_item.overdue"]
    assert _types(receiver, "zowonen") == ["action_item.overdue"]
    assert receiver.at("gebiedsteam-sittard-geleen") == []


def test_the_worker_command_runs_a_round(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    settings: Settings,
    clock: Clock,
    receiver: Receiver,
    subscribe: Subscribe,
) -> None:
    case_id = _welfare_case(sessions, clock)
    subscribe("partners-in-welzijn", "eviction.scheduled")
    _schedule(gql, clock, case_id)
    receiver.clock = lambda: dt.datetime.now(dt.UTC).timestamp()  # the command's own clock
    result = CliRunner().invoke(
        cli,
        ["worker", "--once", "--database-url", settings.database_url],
        env={"KETENREGISTER_WEBHOOK_ALLOW_PRIVATE": "1"},  # the receiver is on 127.0.0.1
    )
    assert result.exit_code == 0, result.output
    # The eviction, the phase change and the municipality's shelter task.
    assert "fanned out 3 events" in result.output
    assert "delivered 1" in result.output
    assert len(receiver.effects) == 1


def test_a_production_worker_posts_nothing_to_a_private_address(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    clock: Clock,
    receiver: Receiver,
) -> None:
    case_id = case_in(
        sessions,
        "zowonen",
        Phase.JUDGMENT_SERVED,
        clock.now.date(),
        involved=("partners-in-welzijn", "gebiedsteam-sittard-geleen"),
    )
    # The test app allows these (it checks only their form); production's worker does not.
    plain = receiver.url("partners-in-welzijn")
    loopback = receiver.url("gebiedsteam-sittard-geleen").replace("http:", "https:")
    for partner, url in (("partners-in-welzijn", plain), ("gebiedsteam-sittard-geleen", loopback)):
        body = gql(partner, SUBSCRIBE, {"url": url, "types": ["eviction.scheduled"]})
        assert "errors" not in body, body
    _schedule(gql, clock, case_id)
    guarded = DeliveryWorker(sessions, clock=clock)
    try:
        report = guarded.run_once()
    finally:
        guarded.stop()
    assert report.failed_attempts == 2
    assert receiver.requests == []
    [refused_http] = gql("partners-in-welzijn", DELIVERIES)["data"]["webhookDeliveries"]
    assert refused_http["lastError"] == f"a webhook URL must be https, not {plain!r}"
    [refused_address] = gql("gebiedsteam-sittard-geleen", DELIVERIES)["data"]["webhookDeliveries"]
    assert refused_address["lastError"] == "refused: not a public address"
    assert refused_address["status"] == "PENDING"  # tried again later: DNS may change


def test_a_redirect_is_a_failed_attempt_and_not_followed(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    clock: Clock,
    receiver: Receiver,
    subscribe: Subscribe,
    worker: DeliveryWorker,
) -> None:
    case_id = _welfare_case(sessions, clock)
    subscribe("partners-in-welzijn", "eviction.scheduled")
    receiver.script["partners-in-welzijn"] = [307]
    _schedule(gql, clock, case_id)
    assert worker.run_once().failed_attempts == 1
    assert [r.answered for r in receiver.requests] == [307]
    [delivery] = gql("partners-in-welzijn", DELIVERIES)["data"]["webhookDeliveries"]
    assert (delivery["lastStatusCode"], delivery["lastError"]) == (307, "HTTP 307")


def test_a_worker_connects_to_the_address_its_policy_checked(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    clock: Clock,
    receiver: Receiver,
) -> None:
    # The partner names its endpoint by a host name only the worker's resolver knows.
    url = receiver.url("partners-in-welzijn", host="welzijn.example")
    body = gql("partners-in-welzijn", SUBSCRIBE, {"url": url, "types": ["eviction.scheduled"]})
    receiver.secrets["partners-in-welzijn"] = body["data"]["subscribeWebhook"]["secret"]
    _schedule(gql, clock, _welfare_case(sessions, clock))
    asked: list[str] = []

    def resolve(host: str) -> list[str]:
        asked.append(host)
        return ["127.0.0.1"]

    runner = DeliveryWorker(
        sessions, clock=clock, targets=TargetPolicy(allow_private=True, resolver=resolve)
    )
    try:
        assert runner.run_once().delivered == 1
    finally:
        runner.stop()
    assert asked == ["welzijn.example"]
    [request] = receiver.at("partners-in-welzijn")
    assert request.verified
    assert request.host == url.split("/")[2]


def _delivered_at(receiver: Receiver, name: str, count: int, timeout: float) -> float:
    """Wait until ``count`` webhooks took effect at endpoint ``name``; returns when."""
    deadline = time.monotonic() + timeout
    while len([key for key in receiver.effects if key[0] == name]) < count:
        assert time.monotonic() < deadline, f"{name}: not {count} webhooks in {timeout} s"
        time.sleep(0.01)
    return time.monotonic()


def test_a_receiver_that_never_answers_does_not_delay_the_others(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    clock: Clock,
    receiver: Receiver,
    subscribe: Subscribe,
) -> None:
    hanging = Silent()
    hanging.start()
    case_id = case_in(
        sessions,
        "zowonen",
        Phase.EVICTION,
        clock.now.date(),
        involved=("partners-in-welzijn", "gebiedsteam-sittard-geleen"),
    )
    body = gql(
        "partners-in-welzijn",
        SUBSCRIBE,
        {"url": hanging.url("partners-in-welzijn"), "types": ["eviction.scheduled"]},
    )
    assert "errors" not in body, body
    subscribe("gebiedsteam-sittard-geleen", "eviction.scheduled")
    runner = DeliveryWorker(
        sessions,
        clock=clock,
        poll_interval=0.05,
        concurrency=4,
        per_subscription=2,
        allow_private_targets=True,
    )

    def emit(events: int) -> float:
        with sessions.begin() as session:
            for _ in range(events):
                outbox.emit(session, Event.EVICTION_SCHEDULED, uuid.UUID(case_id), clock.now)
        return time.monotonic()

    runner.start()
    try:
        # Six events at once: the hanging endpoint takes two threads (its share) for the
        # whole attempt deadline of 10 s, and the other endpoint still gets all six at once.
        sent = emit(6)
        arrived = _delivered_at(receiver, "gebiedsteam-sittard-geleen", 6, timeout=5)
        assert arrived - sent < 3
        # While the two attempts still hang, a later event is not held up either.
        sent = emit(1)
        arrived = _delivered_at(receiver, "gebiedsteam-sittard-geleen", 7, timeout=5)
        assert arrived - sent < 3
        assert len(hanging.connections) == 2  # its share, and no more
    finally:
        hanging.stop()  # the hanging attempts fail at once, and are recorded as failures
        runner.stop()
    with sessions() as session:
        rows = session.execute(select(WebhookDelivery.status, WebhookDelivery.attempts)).all()
    statuses = [(str(status), attempts) for status, attempts in rows]
    assert statuses.count(("delivered", 1)) == 7
    # The hanging endpoint's six are still to be delivered (the two that hung failed when it
    # went away, and are tried again later).
    assert sorted(status for status, _ in statuses if status != "delivered") == ["pending"] * 7


def test_an_attempt_that_hangs_ends_at_the_deadline_and_is_tried_again(
    gql: GraphQL,
    sessions: sessionmaker[Session],
    clock: Clock,
) -> None:
    hanging = Silent()
    hanging.start()
    body = gql(
        "partners-in-welzijn",
        SUBSCRIBE,
        {"url": hanging.url("partners-in-welzijn"), "types": ["eviction.scheduled"]},
    )
    assert "errors" not in body, body
    _schedule(gql, clock, _welfare_case(sessions, clock))
    runner = DeliveryWorker(
        sessions, clock=clock, connect_timeout=0.5, timeout=0.5, allow_private_targets=True
    )
    try:
        started = time.monotonic()
        report = runner.run_once()
        assert time.monotonic() - started < 3
    finally:
        hanging.stop()
        runner.stop()
    assert report.failed_attempts == 1
    [delivery] = gql("partners-in-welzijn", DELIVERIES)["data"]["webhookDeliveries"]
    assert (delivery["status"], delivery["attempts"]) == ("PENDING", 1)
    assert delivery["lastError"] == "ReadTimeout: no answer within 0.5 s"


def test_the_municipality_is_told_of_a_new_early_signal_and_a_partner_of_its_new_case(
    gql: GraphQL,
    receiver: Receiver,
    subscribe: Subscribe,
    worker: DeliveryWorker,
) -> None:
    for partner in ("gemeente-sittard-geleen", "gebiedsteam-sittard-geleen", "nijestee"):
        subscribe(partner, "case.registered", "case.partner_involved")
    registered = gql("zowonen", REGISTER_CASE, {"input": NEW_CASE})
    case_id = registered["data"]["registerCase"]["id"]
    worker.run_once()
    # The municipality reads the early signal's date by statute; no one else relates yet.
    assert _types(receiver, "gemeente-sittard-geleen") == ["case.registered"]
    assert receiver.at("gebiedsteam-sittard-geleen") == receiver.at("nijestee") == []

    involved = gql(
        "zowonen",
        """mutation($id: ID!) { involvePartner(caseId: $id, partner: "gebiedsteam-sittard-geleen",
        role: HOME_VISITS) { id } }""",
        {"id": case_id},
    )
    assert "errors" not in involved
    worker.run_once()
    # Addressed to the partner brought in, though ZOwonen shares only the eviction date with
    # it; the municipality is not told (its statutory fields do not include involvements).
    assert _types(receiver, "gebiedsteam-sittard-geleen") == ["case.partner_involved"]
    assert _types(receiver, "gemeente-sittard-geleen") == ["case.registered"]
    assert all(r.verified for r in receiver.requests)
