"""Appending to the signed audit log: one sequencer at a time, in the caller's transaction.

Every append first locks the log's one state row (``audit_log_state``) and holds it until the
caller's transaction ends, so appends are numbered one after another and two checkpoints can
never disagree about a size. The lock is an UPDATE of that row (its first write to the log),
on every database:

* PostgreSQL: the UPDATE takes the row lock; a concurrent appender waits for it, and under
  READ COMMITTED its next statement reads the state the first one committed.
* SQLite: a write takes the database's single write lock, so the UPDATE is what makes this
  transaction the only writer before the state is read.

The entry, its opening (``sealing``), the tree nodes it completes and the new state are
written in that same transaction: if the caller's transaction (or savepoint) rolls back, the
entry never was. The state row keeps the tree's frontier, so an append reads no tree nodes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

from sqlalchemy import Table, TextClause, bindparam, insert, select, text, update
from sqlalchemy.orm import Session

from registry.auditlog import merkle, sealing
from registry.auditlog.canonical import CanonicalFormError, canonical_json
from registry.auditlog.events import EventClass, EventType, event_class, subject_key, subject_of
from registry.models import AuditLogEntry, AuditLogNode, AuditLogOpening, AuditLogState
from registry.partners import signatures as partner_signatures

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


_STATE = cast(Table, AuditLogState.__table__)
# Built once: an append runs the same five statements every time, so their compiled forms
# come from SQLAlchemy's cache and only the parameters change.
_LOCK = (
    update(_STATE)
    .where(_STATE.c.id == _STATE_ID)
    .values(size=_STATE.c.size)
    .returning(_STATE.c.size, _STATE.c.frontier)
)
_CREATE_STATE = insert(_STATE).values(id=_STATE_ID, size=0, frontier=b"")
_SAVE_STATE = (
    update(_STATE)
    .where(_STATE.c.id == _STATE_ID)
    .values(size=bindparam("new_size"), frontier=bindparam("new_frontier"))
)
_INSERT_ENTRY = insert(cast(Table, AuditLogEntry.__table__))
_INSERT_OPENING = insert(cast(Table, AuditLogOpening.__table__))
_INSERT_NODES = insert(cast(Table, AuditLogNode.__table__))
#: At most this many entries are written in one statement (a step appends one or two).
_ONE_STATEMENT = 16


def lock_state(session: Session) -> LogState:
    """Take the sequencer's lock (until the transaction ends) and read the state under it.

    One statement: the UPDATE takes the lock and RETURNING reads the row it locked.
    """
    # On the session's connection itself: these few fixed statements need none of the ORM's
    # work per statement, which would cost more than the statement (sqlite) under the lock.
    connection = session.connection()
    row = connection.execute(_LOCK).first()
    if row is None:
        # The migration creates the row; a database built from the models alone gets it here.
        connection.execute(_CREATE_STATE)
        row = connection.execute(_LOCK).one()
    return LogState(row[0], _split(row[1]))


def read_state(session: Session) -> LogState:
    """The state as this session sees it, without the lock (for reads and proofs)."""
    row = session.execute(
        select(_STATE.c.size, _STATE.c.frontier).where(_STATE.c.id == _STATE_ID)
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


@dataclass(frozen=True)
class Event:
    """One event to append (see `append` for what each part means)."""

    event_type: EventType
    payload: Mapping[str, Any]
    submitter: str
    now: dt.datetime
    partner_signature: PartnerSignature | None = None


def append(
    session: Session,
    event_type: EventType,
    payload: Mapping[str, Any],
    *,
    submitter: str,
    now: dt.datetime,
    partner_signature: PartnerSignature | None = None,
) -> Appended:
    """Append one event to the log, sealed, in the caller's transaction.

    ``payload`` holds ids, codes, dates and hashes only (``sealing.check_closed`` refuses
    anything that looks like free text): never personal data in the clear. It names what the
    event is about (``agreement``, ``inventory``, ``case`` or ``policy``: the entry is filed
    under it), and a case event names its ``case``, so that its opening is released by that
    case's policies. ``submitter`` is the partner whose action it records. A
    ``partner_signature`` is verified against the submitter's registered keys before anything
    is written.

    The leaf holds the index, time, submitter, event class and a commitment to the opening;
    the opening (the event, its salt, the signature) is stored apart (``sealing``).

    Raises:
        InvalidInputError: the payload has no canonical form or holds free text, or the
            partner's signature does not verify.
    """
    event = Event(event_type, payload, submitter, now, partner_signature)
    return append_all(session, [event])[0]


@dataclass(frozen=True)
class _Sealed:
    """An event ready to append under the lock: everything but its index."""

    time: str
    submitter: str
    event_class: EventClass
    opening: bytes
    subject: str
    case_id: uuid.UUID | None


def _seal(session: Session, event: Event) -> _Sealed:
    """Seal an event: verify the partner's signature, refuse free text, salt and commit."""
    if "type" in event.payload:
        raise CanonicalFormError("an event payload may not carry its own 'type'")
    fields = {"type": str(event.event_type), **event.payload}
    try:
        subject = subject_of(event.event_type, fields)
    except KeyError:
        key, _ = subject_key(event.event_type)
        raise CanonicalFormError(
            f"an event of type {event.event_type} must name its {key!r}"
        ) from None
    case = fields.get("case")
    if event_class(event.event_type) is EventClass.CASE and case is None:
        raise CanonicalFormError(f"an event of type {event.event_type} must name its 'case'")
    try:
        case_id = uuid.UUID(case) if case is not None else None
    except (AttributeError, TypeError, ValueError):
        raise CanonicalFormError("an event's 'case' is a case id (a UUID)") from None
    recorded: dict[str, str] | None = None
    signature = event.partner_signature
    if signature is not None:
        if signature.message is not None:
            message, what = signature.message, "the signed text"
        else:
            message, what = canonical_json(fields), "the canonical event"
        partner_signatures.verify(
            session, event.submitter, signature.key_id, signature.signature, message, what
        )
        recorded = {
            "keyId": signature.key_id,
            "ed25519": signature.signature.hex(),
            "signedSha256": hashlib.sha256(message).hexdigest(),
        }
    return _Sealed(
        time=_timestamp(event.now),
        submitter=event.submitter,
        event_class=event_class(event.event_type),
        opening=sealing.seal(fields, recorded),
        subject=subject,
        case_id=case_id,
    )


def append_all(session: Session, events: Sequence[Event]) -> list[Appended]:
    """Append events in this order under one lock, in the caller's transaction (a bulk
    import, or a step that records several events): the same entries `append` would write,
    in one round trip per table."""
    prepared = [_seal(session, event) for event in events]  # verified before the lock
    state = lock_state(session)
    store = state.store()
    size = state.size
    entries: list[dict[str, Any]] = []
    openings: list[dict[str, Any]] = []
    nodes: list[dict[str, Any]] = []
    appended: list[Appended] = []
    for sealed in prepared:
        data = canonical_json(
            sealing.leaf(
                size,
                sealed.time,
                sealed.submitter,
                sealed.event_class,
                sealing.commitment(sealed.opening),
            )
        )
        hashed = merkle.leaf_hash(data)
        completed = merkle.nodes_to_store(size, hashed, store)
        entries.append(
            {"log_index": size, "canonical": data, "leaf_hash": hashed, "subject": sealed.subject}
        )
        openings.append({"log_index": size, "opening": sealed.opening, "case_id": sealed.case_id})
        nodes.extend(
            {"level": level, "node_index": index, "hash": value}
            for level, index, value in completed
        )
        size += 1
        store = FrontierStore(size, _split(store.frontier_after(size, completed)))
        appended.append(Appended(size - 1, hashed, size))
    if entries:
        _write(session, entries, openings, nodes, size, store.frontier_after(size, []))
    return appended


def _write(
    session: Session,
    entries: list[dict[str, Any]],
    openings: list[dict[str, Any]],
    nodes: list[dict[str, Any]],
    size: int,
    frontier: bytes,
) -> None:
    """Write the entries, openings, nodes and new state. A step's few entries on PostgreSQL,
    where every statement is a round trip to the server under the sequencer's lock, as one
    statement (the inserts as data-modifying CTEs of the state's UPDATE); SQLite runs in
    process and has no such CTEs, and a bulk import needs no saving of round trips (and would
    overrun the parameters one statement may have)."""
    state = {"new_size": size, "new_frontier": frontier}
    connection = session.connection()
    if len(entries) > _ONE_STATEMENT or connection.dialect.name != "postgresql":
        connection.execute(_INSERT_ENTRY, entries)
        connection.execute(_INSERT_OPENING, openings)
        connection.execute(_INSERT_NODES, nodes)
        connection.execute(_SAVE_STATE, state)
        return
    params: dict[str, Any] = {"size": size, "frontier": frontier}
    for prefix, rows in (("e", entries), ("o", openings), ("n", nodes)):
        for number, row in enumerate(rows):
            params.update({f"{prefix}{number}_{key}": value for key, value in row.items()})
    connection.execute(_write_at_once(len(entries), len(nodes)), params)


@cache
def _write_at_once(entries: int, nodes: int) -> TextClause:
    """One PostgreSQL statement that writes ``entries`` entries and openings, ``nodes`` nodes
    and the new state, built once per count: plain SQL text, like ``store._lookup``, since
    building an expression of a few dozen parameters for every append costs more than the
    round trips it saves."""

    def rows(prefix: str, columns: tuple[str, ...], count: int) -> str:
        return ", ".join(
            "(" + ", ".join(f":{prefix}{n}_{c}" for c in columns) + ")" for n in range(count)
        )

    entry = ("log_index", "canonical", "leaf_hash", "subject")
    opening = ("log_index", "opening", "case_id")
    node = ("level", "node_index", "hash")
    # Only constant table and column names and numbered placeholders go into the text.
    return text(
        f"WITH e AS (INSERT INTO {AuditLogEntry.__tablename__} ({', '.join(entry)}) "  # noqa: S608
        f"VALUES {rows('e', entry, entries)}), "
        f"o AS (INSERT INTO {AuditLogOpening.__tablename__} ({', '.join(opening)}) "
        f"VALUES {rows('o', opening, entries)}), "
        f"n AS (INSERT INTO {AuditLogNode.__tablename__} ({', '.join(node)}) "
        f"VALUES {rows('n', node, nodes)}) "
        f"UPDATE {AuditLogState.__tablename__} SET size = :size, frontier = :frontier "
        f"WHERE id = {_STATE_ID}"
    )
