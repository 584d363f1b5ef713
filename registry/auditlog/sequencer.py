"""Appending to the signed audit log: one sequencer at a time, in the caller's transaction.

Every append first locks the log's one state row (``audit_log_state``) and holds it until the
caller's transaction ends, so appends are numbered one after another and two checkpoints can
never disagree about a size. The lock is an UPDATE of that row, on every database:

* PostgreSQL: the UPDATE takes the row lock; a concurrent appender waits for it, and under
  READ COMMITTED its next statement reads the state the first one committed.
* SQLite: a write takes the database's single write lock, so the UPDATE is what makes this
  transaction the only writer before the state is read.

The entry, the tree nodes it completes and the new state are written in that same
transaction: if the caller's transaction (or savepoint) rolls back, the entry never was.
The state row keeps the tree's frontier, so an append reads no tree nodes at all.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from registry import partner_signatures
from registry.auditlog import merkle
from registry.auditlog.canonical import CanonicalFormError, canonical_json
from registry.auditlog.events import EventType
from registry.models import AuditLogEntry, AuditLogNode, AuditLogState

#: The version of the entry format; verifiers read it from every entry.
ENTRY_FORMAT = 1
_STATE_ID = 1
_HASH = 32


@dataclass(frozen=True)
class PartnerSignature:
    """A partner's Ed25519 signature that the log keeps with an entry.

    ``message`` is what was signed; None means the canonical event itself
    (`canonical_event`). An agreement signature passes the agreement's text, whose SHA-256 the
    event names. The entry records the key, the signature and the SHA-256 of ``message``.
    """

    key_id: str
    signature: bytes
    message: bytes | None = None


@dataclass(frozen=True)
class Appended:
    """Where an entry landed: its index and leaf hash, and the log's size after it."""

    index: int
    leaf_hash: bytes
    size: int


@dataclass(frozen=True)
class LogState:
    """The log's size and frontier as read under the sequencer's lock."""

    size: int
    frontier: tuple[bytes, ...]

    def store(self) -> FrontierStore:
        """A node store holding just the frontier."""
        return FrontierStore(self.size, self.frontier)

    def root(self) -> bytes:
        """The root hash of the whole tree, from the frontier alone."""
        return merkle.root(self.store(), self.size)


class FrontierStore:
    """A `merkle.NodeStore` over the frontier: the perfect subtrees that make up ``[0, size)``.

    Appending leaf ``size`` needs only left siblings that are frontier subtrees, and the root
    of the whole tree folds exactly the frontier, so neither reads the node table.
    """

    def __init__(self, size: int, frontier: tuple[bytes, ...]) -> None:
        self._nodes: dict[tuple[int, int], bytes] = {}
        position = 0
        hashes = iter(frontier)
        for level in reversed(range(size.bit_length())):
            if size >> level & 1:
                self._nodes[(level, position >> level)] = next(hashes)
                position += 1 << level

    def node(self, level: int, index: int) -> bytes:
        """The hash of a frontier subtree; `KeyError` for any other node."""
        return self._nodes[(level, index)]

    def frontier_after(self, size: int, completed: list[tuple[int, int, bytes]]) -> bytes:
        """The frontier of the tree of ``size`` leaves, given the nodes the last leaf completed."""
        known = {**self._nodes, **{(level, index): value for level, index, value in completed}}
        parts, position = [], 0
        for level in reversed(range(size.bit_length())):
            if size >> level & 1:
                parts.append(known[(level, position >> level)])
                position += 1 << level
        return b"".join(parts)


def _split(frontier: bytes) -> tuple[bytes, ...]:
    return tuple(frontier[i : i + _HASH] for i in range(0, len(frontier), _HASH))


def lock_state(session: Session) -> LogState:
    """Take the sequencer's lock (until the transaction ends) and read the state under it."""
    touched = session.execute(
        update(AuditLogState)
        .where(AuditLogState.id == _STATE_ID)
        .values(size=AuditLogState.size)
        .execution_options(synchronize_session=False)
    )
    if touched.rowcount == 0:  # type: ignore[attr-defined]
        # The migration creates the row; a database built from the models alone gets it here.
        session.execute(insert(AuditLogState).values(id=_STATE_ID, size=0, frontier=b""))
    size, frontier = session.execute(
        select(AuditLogState.size, AuditLogState.frontier).where(AuditLogState.id == _STATE_ID)
    ).one()
    return LogState(size, _split(frontier))


def read_state(session: Session) -> LogState:
    """The state as this session sees it, without the lock (for reads and proofs)."""
    row = session.execute(
        select(AuditLogState.size, AuditLogState.frontier).where(AuditLogState.id == _STATE_ID)
    ).first()
    return LogState(0, ()) if row is None else LogState(row[0], _split(row[1]))


def canonical_event(event_type: EventType, payload: Mapping[str, Any]) -> bytes:
    """The canonical bytes of an event: its payload with its ``type``, in canonical JSON.

    This is what a partner signs when it submits an event signed.
    """
    if "type" in payload:
        raise CanonicalFormError("an event payload may not carry its own 'type'")
    return canonical_json({"type": str(event_type), **payload})


def _timestamp(now: dt.datetime) -> str:
    return now.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def append(
    session: Session,
    event_type: EventType,
    payload: Mapping[str, Any],
    *,
    submitter: str,
    now: dt.datetime,
    subject: str | None = None,
    partner_signature: PartnerSignature | None = None,
) -> Appended:
    """Append one event to the log, in the caller's transaction.

    ``payload`` holds ids, codes, dates and hashes only: never personal data in the clear
    (the log outlives every erasure). ``submitter`` is the partner whose action it records;
    ``subject`` (``agreement:<id>``, ``policy:<id>``) lets the registry find an aggregate's
    entries. A ``partner_signature`` is verified against the submitter's registered keys
    before anything is written.

    The entry's leaf data is the canonical JSON of its index, time, submitter, event and
    signature, so the tree commits to all of them.

    Raises:
        InvalidInputError: the payload has no canonical form, or the partner's signature
            does not verify.
    """
    event_bytes = canonical_event(event_type, payload)
    leaf: dict[str, Any] = {
        "v": ENTRY_FORMAT,
        "time": _timestamp(now),
        "submitter": submitter,
        "event": {"type": str(event_type), **payload},
    }
    signed_sha256 = None
    if partner_signature is not None:
        message, what = event_bytes, "the canonical event"
        if partner_signature.message is not None:
            message, what = partner_signature.message, "the signed text"
        partner_signatures.verify(session, submitter, partner_signature.key_id,
                                  partner_signature.signature, message, what)
        signed_sha256 = hashlib.sha256(message).digest()
        leaf["signature"] = {
            "keyId": partner_signature.key_id,
            "ed25519": partner_signature.signature.hex(),
            "signedSha256": signed_sha256.hex(),
        }
    state = lock_state(session)
    index = state.size
    leaf["index"] = index
    data = canonical_json(leaf)
    hashed = merkle.leaf_hash(data)
    store = state.store()
    completed = merkle.nodes_to_store(index, hashed, store)
    session.execute(
        insert(AuditLogEntry).values(
            log_index=index,
            canonical=data,
            leaf_hash=hashed,
            event_type=str(event_type),
            submitter_id=submitter,
            subject=subject,
            partner_key_id=partner_signature.key_id if partner_signature else None,
            partner_signature=partner_signature.signature if partner_signature else None,
            signed_sha256=signed_sha256,
            appended_at=now,
        )
    )
    session.execute(
        insert(AuditLogNode),
        [{"level": level, "node_index": node_index, "hash": value}
         for level, node_index, value in completed],
    )
    session.execute(
        update(AuditLogState)
        .where(AuditLogState.id == _STATE_ID)
        .values(size=index + 1, frontier=store.frontier_after(index + 1, completed))
        .execution_options(synchronize_session=False)
    )
    return Appended(index, hashed, index + 1)
