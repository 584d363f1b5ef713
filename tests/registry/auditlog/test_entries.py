"""An existing log moves on: entries written before sealing (format 1, the event in the leaf)
keep verifying, for the registry and for partners, and are served like openings; every entry
appended since is sealed (format 2), and a format 1 entry after a sealed one is refused."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from clients.logreader import LogReader, verify_entry
from clients.sdk import RegistryClient
from registry.auditlog import audit, checkpoints, entries, merkle
from registry.auditlog.canonical import canonical_json
from registry.auditlog.checkpoints import LogIntegrityError
from registry.auditlog.signer import LogSigner
from registry.db import make_engine, make_session_factory
from registry.migrate import alembic_config, upgrade
from registry.models import (
    AuditCheckpoint,
    AuditLogEntry,
    AuditLogNode,
    AuditLogOpening,
    AuditLogState,
)
from tests.conftest import AUDIENCE, AppClient, DemoKey
from tests.helpers import AppTransport

#: How many of the demo's first entries are rewritten as a log written before sealing.
OLD = 120


def _legacy(leaf: bytes, opening: bytes, index: int) -> bytes:
    """Entry ``index`` as the previous release wrote it: the event in the leaf, without the
    case (format 1 events named their agreement or inventory only)."""
    parsed, opened = json.loads(leaf), json.loads(opening)
    event = {k: v for k, v in opened["event"].items() if k != "case"}
    old = {"v": 1, "index": index, "time": parsed["time"], "submitter": parsed["submitter"]}
    old["event"] = event
    if "signature" in opened:
        old["signature"] = opened["signature"]
    return canonical_json(old)


def _frontier(store: merkle.InMemoryNodeStore) -> bytes:
    size, frontier, position = store.size, b"", 0
    for level in reversed(range(size.bit_length())):
        if size >> level & 1:
            frontier += store.node(level, position >> level)
            position += 1 << level
    return frontier


def _rewrite_as_legacy(session: Session, indexes: range | list[int]) -> None:
    """Turn these entries into format 1 entries and rebuild the tree over the whole log, as if
    they had been written so: the log an upgraded registry starts from."""
    for index in indexes:
        entry = session.get(AuditLogEntry, index)
        opening = session.get(AuditLogOpening, index)
        assert entry is not None
        assert opening is not None
        data = _legacy(entry.canonical, opening.opening, index)
        session.execute(
            update(AuditLogEntry)
            .where(AuditLogEntry.log_index == index)
            .values(canonical=data, leaf_hash=merkle.leaf_hash(data))
        )
        session.execute(delete(AuditLogOpening).where(AuditLogOpening.log_index == index))
    rebuilt = merkle.InMemoryNodeStore()
    for data in session.scalars(select(AuditLogEntry.canonical).order_by(AuditLogEntry.log_index)):
        rebuilt.append(data)
    session.execute(delete(AuditLogNode))
    session.execute(
        sa.insert(AuditLogNode),
        [{"level": lv, "node_index": i, "hash": h} for (lv, i), h in rebuilt._nodes.items()],
    )
    session.execute(update(AuditLogState).values(size=rebuilt.size, frontier=_frontier(rebuilt)))
    session.execute(delete(AuditCheckpoint))


@pytest.fixture
def upgraded(sessions: sessionmaker[Session]) -> sessionmaker[Session]:
    """The demo log with its first entries in format 1, as a registry upgraded to sealing
    after writing them has it."""
    with sessions.begin() as session:
        _rewrite_as_legacy(session, range(OLD))
    return sessions


@pytest.fixture
def reader(
    client: AppClient, demo_keys: dict[str, DemoKey]
) -> Iterator[Callable[[str], LogReader]]:
    made: list[RegistryClient] = []

    def make(partner: str) -> LogReader:
        key = demo_keys[partner]
        sdk = RegistryClient(
            url="http://testserver",
            partner_id=partner,
            key_id=key.kid,
            private_key=key.private_key,
            audience=AUDIENCE,
            transport=AppTransport(client.app),
        )
        made.append(sdk)
        return LogReader(sdk)

    yield make
    for sdk in made:
        sdk.close()


def _first(session: Session, prefix: str, start: int, stop: int) -> int:
    index = session.scalar(
        select(AuditLogEntry.log_index)
        .where(
            AuditLogEntry.subject.like(f"{prefix}:%"),
            AuditLogEntry.log_index.between(start, stop),
        )
        .order_by(AuditLogEntry.log_index)
        .limit(1)
    )
    assert index is not None
    return index


def test_an_upgraded_log_keeps_verifying_and_grows_sealed(
    upgraded: sessionmaker[Session],
    log_signer: LogSigner,
    reader: Callable[[str], LogReader],
) -> None:
    with upgraded() as session:
        report = audit.verify_log(session, log_signer)
        old_agreement = _first(session, "agreement", 0, OLD - 1)
        new_agreement = _first(session, "agreement", OLD, report.entries)
        formats = [
            json.loads(data)["v"]
            for data in session.scalars(
                select(AuditLogEntry.canonical).order_by(AuditLogEntry.log_index)
            )
        ]
    assert formats == [1] * OLD + [2] * (report.entries - OLD)

    # Partners verify old and new entries alike, with the log's key alone.
    owner, stranger = reader("nijestee"), reader("kerckhoffs-lasonder")
    vkey = owner.verifier_key()
    for index in (0, old_agreement, new_agreement):
        for partner in (owner, stranger):
            verify_entry(partner.entry(index), vkey)

    # An old entry holds its event in the leaf: Nijestee, whose case it is, reads it (and the
    # leaf is its own opening); a bailiff of another region gets its hash, proof, submitter
    # and time only.
    mine = owner.entry(old_agreement)
    assert mine.data is not None
    assert mine.opening == mine.data
    assert mine.event is not None
    assert mine.event["type"].startswith("agreement.")
    theirs = stranger.entry(old_agreement)
    assert (theirs.data, theirs.opening) == (None, None)
    assert theirs.leaf_hash == mine.leaf_hash
    # The old policy grants are the covenant's: Sittard-Geleen's first grant is not Nijestee's.
    assert owner.entry(0).data is None
    assert reader("zowonen").entry(0).event is not None

    # What is appended now is sealed, after the old entries.
    with upgraded.begin() as session:
        checkpoints.latest(session, log_signer, dt.datetime.now(dt.UTC))
    new = owner.entry(new_agreement)
    assert new.data is not None
    assert json.loads(new.data)["v"] == 2
    assert new.event is not None


def test_a_format_1_entry_after_sealed_ones_is_refused(
    sessions: sessionmaker[Session], log_signer: LogSigner
) -> None:
    with sessions.begin() as session:
        size = session.scalar(select(sa.func.count()).select_from(AuditLogEntry))
        assert size is not None
        _rewrite_as_legacy(session, [size - 1])  # as a process of the old release would
    with (
        sessions() as session,
        pytest.raises(
            LogIntegrityError,
            match=f"entry {size - 1} is of format 1 after sealed entries \\(from 0 on\\): a "
            "process of an older release appended it",
        ),
    ):
        audit.verify_log(session, log_signer)


def _utc(time: dt.datetime) -> dt.datetime:
    return time.replace(tzinfo=dt.UTC) if time.tzinfo is None else time.astimezone(dt.UTC)


def _old_row(index: int, event: dict[str, Any], subject: str) -> dict[str, Any]:
    time = dt.datetime(2025, 1, 1, 9, tzinfo=dt.UTC) + dt.timedelta(minutes=index)
    data = canonical_json(
        {
            "v": 1,
            "index": index,
            "time": time.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "submitter": "gemeente-groningen",
            "event": event,
        }
    )
    return {
        "log_index": index,
        "canonical": data,
        "leaf_hash": merkle.leaf_hash(data),
        "event_type": event["type"],
        "submitter_id": "gemeente-groningen",
        "subject": subject,
        "partner_key_id": None,
        "partner_signature": None,
        "signed_sha256": None,
        "appended_at": time,
    }


def test_migration_0007_keeps_a_previous_release_s_log(empty_database_url: str) -> None:
    url = empty_database_url
    config = alembic_config(url)
    command.upgrade(config, "0006")
    rows = [
        _old_row(i, {"type": "policy.revoked", "policy": i, "kind": "grant"}, f"policy:{i}")
        for i in range(5)
    ]
    store = merkle.InMemoryNodeStore()
    for row in rows:
        store.append(row["canonical"])
    engine = make_engine(url)
    try:
        metadata = sa.MetaData()
        old_entry = sa.Table("audit_log_entry", metadata, autoload_with=engine)
        with engine.begin() as conn:
            conn.execute(old_entry.insert(), rows)
            conn.execute(
                sa.insert(AuditLogNode),
                [{"level": lv, "node_index": i, "hash": h} for (lv, i), h in store._nodes.items()],
            )
            conn.execute(update(AuditLogState).values(size=5, frontier=_frontier(store)))
        upgrade(url)
        sessions = make_session_factory(engine)
        with sessions() as session:
            assert audit.verify_log(session).entries == 5
            leaf = entries.parse_leaf(rows[3]["canonical"], 3)
            assert (leaf.format, leaf.submitter) == (1, "gemeente-groningen")
        # Back to the previous release: its columns come back from the leaves.
        command.downgrade(config, "0006")
        with engine.connect() as conn:
            restored = (
                conn.execute(sa.select(old_entry).order_by(old_entry.c.log_index)).mappings().all()
            )
        # (The reflected table reads the time back as the database stores it: naive on SQLite.)
        back = [{**r, "appended_at": _utc(r["appended_at"])} for r in map(dict, restored)]
        assert back == [{**r, "appended_at": _utc(r["appended_at"])} for r in rows]
    finally:
        engine.dispose()
