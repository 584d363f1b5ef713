"""An outbox event's addressees are a list: each partner named is told whatever its field
policies say, as long as it relates to the case; a partner unrelated to the case is not, even
when named. Delivered to a real receiver on 127.0.0.1, by one worker and by two worker
processes at once (each event reaches each partner once); and migration 0015 moves the
addressees a previous release stored into the list."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.util import CommandError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from registry.db import make_engine
from registry.events import Event
from registry.migrate import alembic_config
from registry.models import OutboxAddressee, Phase
from registry.notifications.delivery import DeliveryWorker
from registry.recording import record
from tests.arrange import case_in
from tests.conftest import Clock, GraphQL
from tests.receiver import Receiver

SUBSCRIBE = """mutation($url: String!, $types: [String!]!) {
  subscribeWebhook(url: $url, eventTypes: $types) { secret } }"""
#: Related to the case (involved twice, and its municipality), none of them allowed by
#: ZOwonen's restriction to read its phase.
ADDRESSED = ("partners-in-welzijn", "gebiedsteam-sittard-geleen", "gemeente-sittard-geleen")
#: A corporation in another municipality: named, but unrelated to the case.
UNRELATED = "nijestee"

Subscribe = Callable[[str], None]


@pytest.fixture
def subscribe(gql: GraphQL, receiver: Receiver) -> Subscribe:
    """Subscribe a partner's endpoint ``/<partner>`` to ``case.phase_changed``."""

    def run(partner: str) -> None:
        body = gql(
            partner, SUBSCRIBE, {"url": receiver.url(partner), "types": ["case.phase_changed"]}
        )
        receiver.secrets[partner] = body["data"]["subscribeWebhook"]["secret"]

    return run


def _case(sessions: sessionmaker[Session], clock: Clock) -> uuid.UUID:
    return uuid.UUID(
        case_in(
            sessions,
            "zowonen",
            Phase.JUDGMENT_SERVED,
            clock.now.date(),
            involved=ADDRESSED[:2],
        )
    )


def _tell(
    sessions: sessionmaker[Session], clock: Clock, case_id: uuid.UUID, *addressees: str | None
) -> None:
    with sessions.begin() as session:
        record(session, Event.CASE_PHASE_CHANGED, case_id, clock.now, addressees=addressees)


def test_every_addressee_related_to_the_case_is_told_and_an_unrelated_one_is_not(
    sessions: sessionmaker[Session],
    clock: Clock,
    receiver: Receiver,
    subscribe: Subscribe,
    worker: DeliveryWorker,
) -> None:
    case_id = _case(sessions, clock)
    for partner in (*ADDRESSED, UNRELATED, "zowonen"):
        subscribe(partner)
    # Without addressees, only the owner may read the phase: the others are not told.
    _tell(sessions, clock, case_id)
    worker.run_once()
    assert sorted(r.path.strip("/") for r in receiver.requests) == ["zowonen"]
    # Addressed to all three (a None and a repeat left out) and to an unrelated partner.
    _tell(sessions, clock, case_id, *ADDRESSED, None, ADDRESSED[0], UNRELATED)
    with sessions() as session:
        stored = session.scalars(select(OutboxAddressee.partner_id)).all()
    assert sorted(stored) == sorted((*ADDRESSED, UNRELATED))
    worker.run_once()
    told = Counter(r.path.strip("/") for r in receiver.requests if r.verified)
    assert told == {"zowonen": 2, **dict.fromkeys(ADDRESSED, 1)}
    assert receiver.at(UNRELATED) == []


def test_two_worker_processes_tell_each_addressee_of_each_event_once(
    sessions: sessionmaker[Session],
    database_url: str,
    clock: Clock,
    receiver: Receiver,
    subscribe: Subscribe,
) -> None:
    case_id = _case(sessions, clock)
    for partner in ADDRESSED:
        subscribe(partner)
    events = 6
    for _ in range(events):
        _tell(sessions, clock, case_id, *ADDRESSED)
    receiver.clock = lambda: dt.datetime.now(dt.UTC).timestamp()  # the processes' own clock
    env = {**os.environ, "KETENREGISTER_WEBHOOK_ALLOW_PRIVATE": "1"}
    # The installed command, as a deployment starts its workers: two processes, two pools.
    worker = [str(Path(sys.executable).with_name("ketenregister")), "worker", "--once"]
    processes = [
        subprocess.Popen(
            [*worker, "--database-url", database_url],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        for _ in range(2)
    ]
    outputs = [p.communicate(timeout=120)[0].decode() for p in processes]
    assert [p.returncode for p in processes] == [0, 0], outputs
    # Every event fanned out once, over both processes, and each delivery posted once.
    fanned = sum(int(o.split("fanned out ")[1].split()[0]) for o in outputs)
    assert fanned == events, outputs
    assert len(receiver.effects) == events * len(ADDRESSED)
    assert len(receiver.requests) == events * len(ADDRESSED)  # nothing was posted twice
    assert all(r.verified for r in receiver.requests)


def _outbox_row(conn: sa.Connection, *addressees: str | None, fanned_out: bool = True) -> str:
    event_id = uuid.uuid4()
    conn.execute(
        sa.text(
            "INSERT INTO outbox_event (id, type, case_id, reveals, addressee_id, "
            "also_addressee_id, occurred_at, fanned_out_at) VALUES (:id, 'case.closed', "
            ":case, 'closureOutcome', :first, :second, :now, :fanned)"
        ),
        {
            "id": event_id.hex if conn.dialect.name == "sqlite" else event_id,
            "case": uuid.uuid4().hex if conn.dialect.name == "sqlite" else uuid.uuid4(),
            "first": addressees[0] if addressees else None,
            "second": addressees[1] if addressees[1:] else None,
            "now": dt.datetime.now(dt.UTC),
            "fanned": dt.datetime.now(dt.UTC) if fanned_out else None,
        },
    )
    return str(event_id)


def _addressees(conn: sa.Connection) -> dict[str, list[str]]:
    rows = conn.execute(sa.select(OutboxAddressee.event_id, OutboxAddressee.partner_id)).all()
    found: dict[str, list[str]] = {}
    for event_id, partner_id in rows:
        found.setdefault(str(event_id), []).append(partner_id)
    return {k: sorted(v) for k, v in found.items()}


def test_0015_moves_a_previous_release_s_addressees_into_the_list(
    empty_database_url: str,
) -> None:
    config = alembic_config(empty_database_url)
    command.upgrade(config, "0014")
    engine = make_engine(empty_database_url)
    try:
        with engine.begin() as conn:
            one = _outbox_row(conn, "gemeente-groningen")
            two = _outbox_row(conn, "wij-groningen", "nijestee")
            same = _outbox_row(conn, "wij-groningen", "wij-groningen")
            _outbox_row(conn)
        command.upgrade(config, "0015")
        with engine.connect() as conn:
            assert _addressees(conn) == {
                one: ["gemeente-groningen"],
                two: ["nijestee", "wij-groningen"],
                same: ["wij-groningen"],
            }
            pending = str(uuid.uuid4())
        # A third addressee of an event not yet fanned out: the previous release would not
        # tell it, so the downgrade is refused and nothing changes.
        with engine.begin() as conn:
            conn.execute(
                sa.text(
                    "INSERT INTO outbox_event (id, type, case_id, reveals, occurred_at) "
                    "VALUES (:id, 'case.closed', :case, 'closureOutcome', :now)"
                ),
                {
                    "id": uuid.UUID(pending).hex
                    if conn.dialect.name == "sqlite"
                    else uuid.UUID(pending),
                    "case": uuid.uuid4().hex if conn.dialect.name == "sqlite" else uuid.uuid4(),
                    "now": dt.datetime.now(dt.UTC),
                },
            )
            conn.execute(
                sa.insert(OutboxAddressee),
                [
                    {"event_id": uuid.UUID(pending), "partner_id": p}
                    for p in ("nijestee", "wij-groningen", "gemeente-groningen")
                ],
            )
        with engine.connect() as conn:
            # On a connection of the test's: the refusal leaves none open behind.
            refused = alembic_config(empty_database_url)
            refused.attributes["connection"] = conn
            with pytest.raises(CommandError, match="an event not yet fanned out has more than"):
                command.downgrade(refused, "0014")
        with engine.begin() as conn:
            conn.execute(sa.delete(OutboxAddressee).where(OutboxAddressee.partner_id == "nijestee"))
        command.downgrade(config, "0014")
        with engine.connect() as conn:
            back = conn.execute(
                sa.text("SELECT id, addressee_id, also_addressee_id FROM outbox_event")
            ).all()
        columns = {str(uuid.UUID(str(i))): (a, b) for i, a, b in back}
        assert columns[one] == ("gemeente-groningen", None)
        assert columns[two] == ("wij-groningen", None)  # nijestee's row was deleted above
        assert columns[pending] == ("gemeente-groningen", "wij-groningen")
    finally:
        engine.dispose()
