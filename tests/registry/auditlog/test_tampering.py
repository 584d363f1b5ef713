"""Tampering with the stored log is found, and the message names what broke.

Someone with write access to the database edits an entry or any other stored column, deletes
the last entries, or swaps two. The registry's own check (``audit.verify_log``) catches it, the
registry refuses to serve what no longer checks out, and a partner's checks with nothing but
the log's verifier key (``clients.logreader``, ``clients.monitor``) catch what a registry that
lies about it would serve.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from clients.errors import ConflictError, EntryError, InclusionProofError
from clients.logreader import LogReader, verify_entry
from clients.monitor import Outcome
from clients.sdk import RegistryClient
from registry.auditlog import audit, checkpoints, merkle
from registry.auditlog.checkpoints import LogIntegrityError
from registry.auditlog.sequencer import read_state
from registry.auditlog.signer import LogSigner
from registry.auditlog.store import DatabaseNodeStore
from registry.models import (
    AuditCheckpoint,
    AuditLogEntry,
    AuditLogNode,
    AuditLogOpening,
    AuditLogState,
    Case,
)
from tests.conftest import AUDIENCE, LOG_ORIGIN, AppClient, DemoKey
from tests.helpers import AppTransport

Reader = Callable[[str], LogReader]


@pytest.fixture
def reader(client: AppClient, demo_keys: dict[str, DemoKey]) -> Iterator[Reader]:
    """A partner's log reader, talking to the real app through the partner SDK."""
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


def _edited(data: bytes) -> bytes:
    edited = data.replace(b'"submitter":"', b'"submitter":"x', 1)
    assert edited != data
    return edited


def _edit(sessions: sessionmaker[Session], index: int, *, leaf_hash_too: bool = False) -> None:
    with sessions.begin() as session:
        entry = session.get(AuditLogEntry, index)
        assert entry is not None
        edited = _edited(entry.canonical)
        values: dict[str, bytes] = {"canonical": edited}
        if leaf_hash_too:
            values["leaf_hash"] = merkle.leaf_hash(edited)
        session.execute(
            update(AuditLogEntry).where(AuditLogEntry.log_index == index).values(**values)
        )


def _swap(sessions: sessionmaker[Session], first: int, second: int) -> None:
    with sessions.begin() as session:
        a, b = session.get(AuditLogEntry, first), session.get(AuditLogEntry, second)
        assert a is not None
        assert b is not None
        rows = [(a.canonical, a.leaf_hash), (b.canonical, b.leaf_hash)]
        for index, (data, hashed) in zip((second, first), rows, strict=True):
            session.execute(
                update(AuditLogEntry)
                .where(AuditLogEntry.log_index == index)
                .values(canonical=data, leaf_hash=hashed)
            )


def _truncate(sessions: sessionmaker[Session], keep: int, *, checkpoints_too: bool) -> None:
    """Delete every entry from ``keep`` on, as a capable attacker would: the tree nodes over
    them and the state too, so that what is left is a consistent smaller log."""
    with sessions.begin() as session:
        session.execute(delete(AuditLogEntry).where(AuditLogEntry.log_index >= keep))
        session.execute(delete(AuditLogOpening).where(AuditLogOpening.log_index >= keep))
        for level in range(40):  # a demo log has far fewer levels
            session.execute(
                delete(AuditLogNode).where(
                    AuditLogNode.level == level, (AuditLogNode.node_index + 1) * (1 << level) > keep
                )
            )
        store = DatabaseNodeStore(session)
        frontier, position = b"", 0
        for level in reversed(range(keep.bit_length())):
            if keep >> level & 1:
                frontier += store.node(level, position >> level)
                position += 1 << level
        session.execute(update(AuditLogState).values(size=keep, frontier=frontier))
        if checkpoints_too:
            session.execute(delete(AuditCheckpoint).where(AuditCheckpoint.size > keep))


def _size(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return read_state(session).size


def _audit_error(sessions: sessionmaker[Session], signer: LogSigner) -> str:
    with sessions() as session, pytest.raises(LogIntegrityError) as failure:
        audit.verify_log(session, signer)
    return failure.value.message


def test_the_untouched_demo_log_checks_out(
    sessions: sessionmaker[Session], log_signer: LogSigner, reader: Reader
) -> None:
    partner = reader("nijestee")
    vkey = partner.verifier_key()
    checkpoint = verify_entry(partner.entry(0), vkey)  # signs the first checkpoint
    with sessions() as session:
        report = audit.verify_log(session, log_signer)
    assert report.entries == checkpoint.size == _size(sessions) > 3000
    assert report.checkpoints == 1


def test_an_edited_entry_is_found(
    sessions: sessionmaker[Session], log_signer: LogSigner, reader: Reader
) -> None:
    partner = reader("nijestee")
    vkey = partner.verifier_key()
    given = partner.entry(42)  # what the partner was given, and keeps
    verify_entry(given, vkey)

    _edit(sessions, 42)
    assert _audit_error(sessions, log_signer) == (
        "entry 42 was edited: its data no longer hashes to its leaf hash"
    )
    # The registry refuses to serve it; a registry that served it anyway is caught.
    with pytest.raises(
        ConflictError, match="entry 42 was edited: its data no longer hashes to its leaf hash"
    ):
        partner.entry(42)
    assert given.data is not None
    with pytest.raises(
        EntryError,
        match="entry 42 was edited: its data does not hash to the leaf hash the registry recorded",
    ):
        verify_entry(replace(given, data=_edited(given.data)), vkey)

    # A more careful attacker rewrites the leaf hash too; the tree above it still disagrees.
    _edit(sessions, 42, leaf_hash_too=True)
    assert _audit_error(sessions, log_signer) == (
        "tree node (level 0, index 42) does not match the entries it covers (entries 42 to "
        "42): an entry or the node was edited"
    )
    with pytest.raises(
        ConflictError,
        match=r"entry 42 is not in the tree of checkpoint \d+: an entry or a tree node was edited",
    ):
        partner.entry(42)
    forged = replace(given, data=_edited(given.data))
    forged = replace(forged, claimed_leaf_hash=forged.leaf_hash)
    with pytest.raises(
        InclusionProofError,
        match=r"entry 42 is not in the log of size \d+: inclusion proof does not lead to the "
        r"checkpoint root",
    ):
        verify_entry(forged, vkey)
    with pytest.raises(EntryError, match="entry 42 is not the entry you were given"):
        verify_entry(forged, vkey, expected_leaf_hash=given.leaf_hash)


def test_swapped_entries_are_found(
    sessions: sessionmaker[Session], log_signer: LogSigner, reader: Reader
) -> None:
    partner = reader("bureau-woonkans")
    vkey = partner.verifier_key()
    verify_entry(partner.entry(100), vkey)
    moved = partner.entry(101)
    _swap(sessions, 100, 101)
    assert _audit_error(sessions, log_signer) == (
        "entry 100 holds the data of entry 101: entries were swapped or moved"
    )
    with pytest.raises(
        ConflictError, match="entry 100 holds the data of entry 101: entries were swapped or moved"
    ):
        partner.entry(100)
    with pytest.raises(
        EntryError, match="entry 100 holds the data of entry 101: entries were swapped or moved"
    ):
        verify_entry(replace(moved, index=100), vkey)


def test_deleting_the_last_entries_is_found(
    sessions: sessionmaker[Session],
    log_signer: LogSigner,
    reader: Reader,
    client: AppClient,
    tmp_path: Path,
) -> None:
    partner = reader("nijestee")
    vkey = partner.verifier_key()
    state = tmp_path / "monitor.json"
    first = partner.monitor(state, vkey)
    assert first.ok
    size = first.current.size

    # Deleting entries behind the registry's back: it refuses to sign a smaller tree.
    _truncate(sessions, size - 2, checkpoints_too=False)
    assert _audit_error(sessions, log_signer) == (
        f"a checkpoint of size {size} was signed but only {size - 2} entries are stored: the "
        "last entries were deleted"
    )
    refused = client.get("/checkpoint")
    assert refused.status_code == 409
    assert f"the log holds {size - 2} entries but a checkpoint of size {size} was signed" in (
        refused.text
    )

    # Deleting the checkpoints as well gets a smaller checkpoint signed; the partner's monitor,
    # which remembers the larger one, reports the truncation.
    _truncate(sessions, size - 2, checkpoints_too=True)
    report = partner.monitor(state, vkey)
    assert report.outcome is Outcome.TRUNCATION
    assert report.detail == (
        f"size shrank from {size} to {size - 2} and the log cannot prove it is a prefix"
    )
    assert len(report.evidence) == 2
    with sessions() as session:
        assert audit.verify_log(session, log_signer).entries == size - 2  # consistent, but less


def test_a_registry_that_rewrote_history_is_a_fork(
    sessions: sessionmaker[Session], reader: Reader, tmp_path: Path
) -> None:
    partner = reader("nijestee")
    vkey = partner.verifier_key()
    state = tmp_path / "monitor.json"
    size = partner.monitor(state, vkey).current.size
    # Rewrite entry 5 and rebuild every node and the state from the edited entries, as if
    # the whole log had been recomputed; then delete the old checkpoints.
    _edit(sessions, 5, leaf_hash_too=True)
    with sessions.begin() as session:
        rebuilt = merkle.InMemoryNodeStore()
        for data in session.scalars(
            select(AuditLogEntry.canonical).order_by(AuditLogEntry.log_index)
        ):
            rebuilt.append(data)
        session.execute(delete(AuditLogNode))
        nodes = [
            {"level": level, "node_index": index, "hash": value}
            for (level, index), value in rebuilt._nodes.items()
        ]
        session.execute(AuditLogNode.__table__.insert(), nodes)
        frontier, position = b"", 0
        for level in reversed(range(size.bit_length())):
            if size >> level & 1:
                frontier += rebuilt.node(level, position >> level)
                position += 1 << level
        session.execute(update(AuditLogState).values(frontier=frontier))
        session.execute(delete(AuditCheckpoint))
    report = partner.monitor(state, vkey)
    assert report.outcome is Outcome.FORK
    assert report.detail == f"two different roots at the same size {size}"


def _entry_42(session: Session) -> tuple[AuditLogEntry, AuditLogOpening]:
    entry, opening = session.get(AuditLogEntry, 42), session.get(AuditLogOpening, 42)
    assert entry is not None
    assert opening is not None
    assert entry.subject is not None
    assert entry.subject.startswith("agreement:")  # the demo's entry 42: an agreement event
    return entry, opening


Edit = Callable[[Session, int], Any]
_OTHER = uuid.UUID("00000000-0000-4000-8000-000000000042")


def _set(model: Any, *where: Any, **values: Any) -> Edit:
    def edit(session: Session, _size: int) -> None:
        session.execute(update(model).where(*where).values(**values))

    return edit


def _node_42_to(level: int, index: int | None) -> Edit:
    def edit(session: Session, size: int) -> None:
        session.execute(
            update(AuditLogNode)
            .where(AuditLogNode.level == 0, AuditLogNode.node_index == 42)
            .values(level=level, node_index=size + 100 if index is None else index)
        )

    return edit


def _move(model: Any) -> Edit:
    def edit(session: Session, size: int) -> None:
        session.execute(update(model).where(model.log_index == 42).values(log_index=size + 10))

    return edit


def _edit_opening(session: Session, _size: int) -> None:
    _, opening = _entry_42(session)
    edited = opening.opening.replace(b'"salt":"', b'"salt":"0', 1)
    session.execute(
        update(AuditLogOpening).where(AuditLogOpening.log_index == 42).values(opening=edited)
    )


def _edit_canonical(session: Session, _size: int) -> None:
    entry, _ = _entry_42(session)
    session.execute(
        update(AuditLogEntry)
        .where(AuditLogEntry.log_index == 42)
        .values(canonical=_edited(entry.canonical))
    )


def _shrink_checkpoint(session: Session, size: int) -> None:
    session.execute(update(AuditCheckpoint).values(size=size - 1))


def _foreign_note(session: Session, size: int) -> None:
    checkpoint = session.get(AuditCheckpoint, size)
    assert checkpoint is not None
    other = LogSigner.generate(LOG_ORIGIN).sign_checkpoint(size, checkpoint.root)
    session.execute(update(AuditCheckpoint).values(note=other))


def _other_frontier(session: Session, _size: int) -> None:
    state = session.get(AuditLogState, 1)
    assert state is not None
    session.execute(update(AuditLogState).values(frontier=state.frontier[::-1]))


E, O, N = AuditLogEntry, AuditLogOpening, AuditLogNode  # noqa: E741
#: Every stored column of the log, an edit of it, and what ``log verify`` says of it.
COLUMNS: list[tuple[str, Edit, str]] = [
    (
        "audit_log_entry.log_index",
        _move(E),
        r"entry 42 is missing \(the next stored entry is 43\): entries were deleted",
    ),
    (
        "audit_log_entry.canonical",
        _edit_canonical,
        "entry 42 was edited: its data no longer hashes to its leaf hash",
    ),
    (
        "audit_log_entry.leaf_hash",
        _set(E, E.log_index == 42, leaf_hash=bytes(32)),
        "entry 42 was edited: its data no longer hashes to its leaf hash",
    ),
    (
        "audit_log_entry.subject",
        _set(E, E.log_index == 42, subject=f"agreement:{_OTHER}"),
        f"entry 42 is filed under 'agreement:{_OTHER}', but its event is about 'agreement:.*': "
        "the subject column was edited",
    ),
    ("audit_log_opening.log_index", _move(O), "the opening of entry 42 is missing: it was deleted"),
    (
        "audit_log_opening.opening",
        _edit_opening,
        "the opening of entry 42 does not match its leaf's commitment: the opening or the leaf "
        "was edited",
    ),
    (
        "audit_log_opening.case_id",
        _set(O, O.log_index == 42, case_id=_OTHER),
        f"the opening of entry 42 is filed under case {_OTHER}, but its event is about case .*: "
        "the case column was edited",
    ),
    (
        "audit_log_node.level",
        _node_42_to(30, 42),
        r"tree node \(level 30, index 42\) covers entries that do not exist",
    ),
    (
        "audit_log_node.node_index",
        _node_42_to(0, None),
        r"tree node \(level 0, index \d+\) covers entries that do not exist",
    ),
    (
        "audit_log_node.hash",
        _set(N, N.level == 1, N.node_index == 21, hash=bytes(32)),
        r"tree node \(level 1, index 21\) does not match the entries it covers \(entries 42 to "
        r"43\): an entry or the node was edited",
    ),
    (
        "audit_log_state.id",
        _set(AuditLogState, AuditLogState.id == 1, id=2),
        r"the log's state says 0 entries but \d+ are stored: entries were added around the "
        "sequencer",
    ),
    (
        "audit_log_state.size",
        _set(AuditLogState, AuditLogState.id == 1, size=7),
        r"the log's state says 7 entries but \d+ are stored",
    ),
    (
        "audit_log_state.frontier",
        _other_frontier,
        r"the log's state \(its frontier\) does not match its entries",
    ),
    (
        "audit_checkpoint.size",
        _shrink_checkpoint,
        r"the entries no longer hash to the root of checkpoint \d+: the log was rewritten",
    ),
    (
        "audit_checkpoint.root",
        _set(AuditCheckpoint, AuditCheckpoint.size > 0, root=bytes(32)),
        r"the entries no longer hash to the root of checkpoint \d+: the log was rewritten",
    ),
    (
        "audit_checkpoint.note",
        _foreign_note,
        r"checkpoint \d+ is not the note this registry's key signs",
    ),
]
#: The one stored column nothing signs: when the registry signed a checkpoint, by its own clock
#: (``LogCheckpoint.signedAt`` says so).
UNSIGNED = {"audit_checkpoint.signed_at"}


def test_every_stored_column_of_the_log_is_covered() -> None:
    tables = (AuditLogEntry, AuditLogOpening, AuditLogNode, AuditLogState, AuditCheckpoint)
    stored = {f"{t.__tablename__}.{c.name}" for t in tables for c in t.__table__.columns}
    assert {name for name, _, _ in COLUMNS} == stored - UNSIGNED


@pytest.mark.parametrize(("column", "edit", "message"), COLUMNS, ids=[c[0] for c in COLUMNS])
def test_editing_any_stored_column_fails_log_verify(
    sessions: sessionmaker[Session], log_signer: LogSigner, column: str, edit: Edit, message: str
) -> None:
    with sessions.begin() as session:
        checkpoints.latest(session, log_signer, dt.datetime.now(dt.UTC))
        size = read_state(session).size
        assert audit.verify_log(session, log_signer).checkpoints == 1
    with sessions.begin() as session:
        edit(session, size)
    with sessions() as session, pytest.raises(LogIntegrityError, match=message):
        audit.verify_log(session, log_signer)


def test_the_registry_serves_nothing_from_an_unchecked_column(
    sessions: sessionmaker[Session], reader: Reader
) -> None:
    # Entry 42's opening filed under a ZOwonen case: ZOwonen is still not shown the event,
    # which is about a Nijestee case, because the registry reads the case from the opening.
    with sessions.begin() as session:
        _, opening = _entry_42(session)
        real = opening.case_id
        zowonen_case = session.scalar(select(Case.id).where(Case.owner_id == "zowonen").limit(1))
        session.execute(
            update(AuditLogOpening)
            .where(AuditLogOpening.log_index == 42)
            .values(case_id=zowonen_case)
        )
    assert reader("zowonen").entry(42).opening is None
    shown = reader("nijestee").entry(42)
    assert shown.event is not None
    assert shown.event["case"] == str(real)
