"""Tampering with the stored log is found, and the message names what broke.

Someone with write access to the database edits an entry, deletes the last entries, or swaps
two. The registry's own check (``audit.verify_log``) and a partner's checks with nothing but
the log's verifier key (``clients.logreader``, ``clients.monitor``) both catch it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session, sessionmaker

from clients.errors import EntryError, InclusionProofError
from clients.logreader import LogReader, verify_entry
from clients.monitor import Outcome
from clients.sdk import RegistryClient
from registry.auditlog import audit, merkle
from registry.auditlog.checkpoints import LogIntegrityError
from registry.auditlog.sequencer import read_state
from registry.auditlog.signer import LogSigner
from registry.auditlog.store import DatabaseNodeStore
from registry.models import AuditCheckpoint, AuditLogEntry, AuditLogNode, AuditLogState
from tests.conftest import AUDIENCE, AppClient, DemoKey
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


def _edit(sessions: sessionmaker[Session], index: int, *, leaf_hash_too: bool = False) -> None:
    with sessions.begin() as session:
        entry = session.get(AuditLogEntry, index)
        assert entry is not None
        edited = entry.canonical.replace(b'"submitter":"', b'"submitter":"x', 1)
        assert edited != entry.canonical
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
    with pytest.raises(
        EntryError,
        match="entry 42 was edited: its data does not hash to the leaf hash the registry recorded",
    ):
        verify_entry(partner.entry(42), vkey)

    # A more careful attacker rewrites the leaf hash too; the tree above it still disagrees.
    _edit(sessions, 42, leaf_hash_too=True)
    assert _audit_error(sessions, log_signer) == (
        "tree node (level 0, index 42) does not match the entries it covers (entries 42 to "
        "42): an entry or the node was edited"
    )
    with pytest.raises(
        InclusionProofError,
        match=r"entry 42 is not in the log of size \d+: "
        r"inclusion proof does not lead to the "
        r"checkpoint root",
    ):
        verify_entry(partner.entry(42), vkey)
    with pytest.raises(EntryError, match="entry 42 is not the entry you were given"):
        verify_entry(partner.entry(42), vkey, expected_leaf_hash=given.leaf_hash)


def test_swapped_entries_are_found(
    sessions: sessionmaker[Session], log_signer: LogSigner, reader: Reader
) -> None:
    partner = reader("bureau-woonkans")
    vkey = partner.verifier_key()
    verify_entry(partner.entry(100), vkey)
    _swap(sessions, 100, 101)
    assert _audit_error(sessions, log_signer) == (
        "entry 100 holds the data of entry 101: entries were swapped or moved"
    )
    with pytest.raises(
        EntryError, match="entry 100 holds the data of entry 101: entries were swapped or moved"
    ):
        verify_entry(partner.entry(100), vkey)


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
