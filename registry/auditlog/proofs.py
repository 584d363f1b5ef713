"""Reading the log: an entry (checked) with its inclusion proof, and consistency proofs.

Proofs come from the stored perfect subtrees (`store.compute_with_nodes`): one query of
O(log n) nodes, never a recomputation of the tree. Sizes beyond the log are invalid input.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.auditlog import checkpoints, entries, merkle
from registry.auditlog.checkpoints import LogIntegrityError
from registry.auditlog.sequencer import read_state
from registry.auditlog.signer import LogSigner
from registry.auditlog.store import compute_with_nodes
from registry.errors import NotFoundError
from registry.models import AuditCheckpoint, AuditLogEntry, AuditLogOpening

T = TypeVar("T")


@dataclass(frozen=True)
class EntryProof:
    """An entry (its leaf data and hash, the leaf read from them, and its event, checked
    against the leaf), the tree size its proof is for, the proof, and the checkpoint of that
    size (None when no checkpoint of that exact size was ever signed)."""

    data: bytes
    leaf_hash: bytes
    leaf: entries.Leaf
    opened: entries.Opened
    tree_size: int
    proof: list[bytes]
    checkpoint: AuditCheckpoint | None


def _within_log(session: Session, size: int) -> None:
    current = read_state(session).size
    if size > current:
        raise merkle.ProofRequestError(f"tree size {size} is beyond the log's size {current}")
    if size < 0:
        raise merkle.ProofRequestError(f"tree size {size} is negative")


def _proof(session: Session, compute: Callable[[merkle.NodeStore], T]) -> T:
    try:
        return compute_with_nodes(session, compute)
    except KeyError as missing:
        # Nodes are never deleted; a missing one means the stored tree was altered.
        raise LogIntegrityError(f"the stored tree is incomplete: {missing.args[0]}") from None


def entry_with_proof(
    session: Session,
    signer: LogSigner | None,
    index: int,
    tree_size: int | None,
    now: dt.datetime,
) -> EntryProof:
    """Entry ``index`` and its inclusion proof in the tree of ``tree_size`` entries (default:
    the latest checkpoint, signed now if the log grew since the last one)."""
    if tree_size is None:
        checkpoint: AuditCheckpoint | None = checkpoints.latest(session, signer, now)
        size = checkpoint.size  # type: ignore[union-attr]
    else:
        _within_log(session, tree_size)
        size = tree_size
        checkpoint = session.get(AuditCheckpoint, tree_size)
    if not 0 <= index < size:
        raise merkle.ProofRequestError(f"index {index} is beyond tree size {size}")
    row = session.execute(
        select(AuditLogEntry.canonical, AuditLogEntry.leaf_hash, AuditLogOpening.opening)
        .outerjoin(AuditLogOpening, AuditLogOpening.log_index == AuditLogEntry.log_index)
        .where(AuditLogEntry.log_index == index)
    ).first()
    if row is None:
        raise NotFoundError(f"log entry {index} not found")
    data, hashed, opening = row
    # Served only as stored and signed: the data hashes to its leaf hash, names its own
    # index, opens its commitment, and its proof leads to the checkpoint served with it.
    if merkle.leaf_hash(data) != hashed:
        raise LogIntegrityError(
            f"entry {index} was edited: its data no longer hashes to its leaf hash"
        )
    leaf = entries.parse_leaf(data, index)
    opened = entries.open_entry(leaf, data, opening)
    proof = _proof(session, lambda store: merkle.inclusion_proof(store, index, size))
    if checkpoint is not None and (
        merkle.root_from_inclusion_proof(hashed, index, size, proof) != checkpoint.root
    ):
        raise LogIntegrityError(
            f"entry {index} is not in the tree of checkpoint {size}: an entry or a tree node "
            "was edited"
        )
    return EntryProof(data, hashed, leaf, opened, size, proof, checkpoint)


def consistency(session: Session, old_size: int, new_size: int) -> list[bytes]:
    """The proof that the tree of ``old_size`` entries is a prefix of that of ``new_size``
    (empty for an empty old tree, which every tree extends)."""
    _within_log(session, new_size)
    if old_size == 0:
        return []
    return _proof(session, lambda store: merkle.consistency_proof(store, old_size, new_size))


def indexes_of(session: Session, subject: str) -> Sequence[int]:
    """The indexes of the entries about ``subject`` (``agreement:<id>``), oldest first."""
    return session.scalars(
        select(AuditLogEntry.log_index)
        .where(AuditLogEntry.subject == subject)
        .order_by(AuditLogEntry.log_index)
    ).all()
