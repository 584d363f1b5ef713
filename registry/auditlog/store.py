"""The Merkle tree's nodes in the database: a `merkle.NodeStore` over ``audit_log_node``.

A proof needs O(log n) nodes. Which ones depends only on the sizes and the index asked for,
never on the hashes, so `compute_with_nodes` first runs the proof against a store that
only records the keys asked for, then fetches all of them in one query and runs the proof
again for real: one round trip per proof, whatever the size of the log.

The top of the tree is shared by every proof: the nodes over at least ``2**SHARED_LEVEL``
entries (one in 128 of all nodes) are kept with the database connection once read, so a proof
in a log of a million entries reads from the database about as many nodes as one in a log of
a thousand. That is sound because a node is written once, by the append that completes its
subtree, and never changed; proofs are read in transactions that append nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from functools import cache
from typing import TypeVar

from sqlalchemy import TextClause, text
from sqlalchemy.orm import Session

from registry.auditlog.merkle import NodeStore
from registry.models import AuditLogNode

T = TypeVar("T")

_PLACEHOLDER = bytes(32)
#: Keys per query; a proof of a 2**63-entry log needs fewer than 200.
_BATCH = 500
#: Nodes at this level and above are kept per database connection (see the module docstring).
SHARED_LEVEL = 8
#: At most this many are kept per connection (about 5 MB); when full, they are read afresh.
SHARED_MAX = 65_536
_SHARED_KEY = "registry.auditlog.store.nodes"


@cache
def _lookup(count: int) -> TextClause:
    """The query for ``count`` nodes by key, built once per count.

    An OR of key lookups, not a row-value IN: SQLite scans the whole table for
    ``(level, node_index) IN (VALUES ...)``, while both databases answer this from the primary
    key. Plain SQL text, cached per count: building an expression of 20 terms per proof
    costs more than running it.
    """
    terms = " OR ".join(f"(level = :l{n} AND node_index = :i{n})" for n in range(count))
    table = AuditLogNode.__tablename__
    # Only a constant table name and numbered placeholders go into the text.
    return text(f"SELECT level, node_index, hash FROM {table} WHERE {terms}")  # noqa: S608


class _KeyRecorder:
    """A store that answers every lookup with zeros and remembers what was asked."""

    def __init__(self) -> None:
        self.keys: set[tuple[int, int]] = set()

    def node(self, level: int, index: int) -> bytes:
        self.keys.add((level, index))
        return _PLACEHOLDER


def _shared(session: Session) -> dict[tuple[int, int], bytes]:
    # The pooled DBAPI connection's own dictionary: it lives as long as the connection and
    # belongs to one database, and a connection serves one request at a time.
    info = session.connection().info
    shared: dict[tuple[int, int], bytes] | None = info.get(_SHARED_KEY)
    if shared is None:
        shared = info[_SHARED_KEY] = {}
    return shared


class DatabaseNodeStore:
    """Nodes read from ``audit_log_node``; `load` fetches many in one query first."""

    def __init__(self, session: Session) -> None:
        self._session = session
        self._cache: dict[tuple[int, int], bytes] = {}
        self._shared = _shared(session)

    def load(self, keys: Iterable[tuple[int, int]]) -> None:
        """Fetch these nodes in as few queries as possible (the top of the tree from what
        this connection read before)."""
        shared, wanted = self._shared, []
        for key in sorted(set(keys) - self._cache.keys()):
            value = shared.get(key)
            if value is None:
                wanted.append(key)
            else:
                self._cache[key] = value
        for start in range(0, len(wanted), _BATCH):
            batch = wanted[start : start + _BATCH]
            params: dict[str, int] = {}
            for number, (level, index) in enumerate(batch):
                params[f"l{number}"], params[f"i{number}"] = level, index
            rows = self._session.execute(_lookup(len(batch)), params)
            for level, index, value in rows:
                self._cache[(level, index)] = value
                if level >= SHARED_LEVEL:
                    if len(shared) >= SHARED_MAX:
                        shared.clear()
                    shared[(level, index)] = value

    def node(self, level: int, index: int) -> bytes:
        """The stored hash of perfect subtree ``(level, index)``; `KeyError` if there is none."""
        key = (level, index)
        if key not in self._cache:
            self.load([key])
        try:
            return self._cache[key]
        except KeyError:
            raise KeyError(f"the log has no node at level {level} index {index}") from None


def compute_with_nodes(session: Session, compute: Callable[[NodeStore], T]) -> T:
    """``compute(store)`` with every node it reads fetched from the database in one query."""
    recorder = _KeyRecorder()
    compute(recorder)
    store = DatabaseNodeStore(session)
    store.load(recorder.keys)
    return compute(store)
