"""The registry's own check of its stored log: every entry, every node, every checkpoint.

Partners check what they are given (``clients.verify``) and a monitor checks that the log
only grows (``clients.monitor``); this module re-reads everything the database holds and
says exactly what no longer adds up: an edited entry, entries swapped or moved, entries
deleted after they were checkpointed, a tree node or checkpoint that disagrees with the
entries. Operators run it as ``ketenregister log verify``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.auditlog import merkle
from registry.auditlog.checkpoints import LogIntegrityError, split_cosignatures
from registry.auditlog.cosignatures import (
    CosignatureError,
    WitnessKey,
    signature_line_key,
    verify_cosignature,
)
from registry.auditlog.sequencer import read_state
from registry.auditlog.signer import LogSigner
from registry.models import AuditCheckpoint, AuditLogEntry, AuditLogNode


@dataclass(frozen=True)
class AuditReport:
    """What a successful check covered."""

    entries: int
    nodes: int
    checkpoints: int
    root: bytes


def _embedded_index(data: bytes, position: int) -> int | None:
    try:
        value = json.loads(data)
    except ValueError:
        raise LogIntegrityError(f"entry {position} is not JSON: it was edited") from None
    index = value.get("index") if isinstance(value, dict) else None
    return index if isinstance(index, int) else None


def _check_entries(rows: Iterable[Any], rebuilt: merkle.InMemoryNodeStore) -> None:
    for log_index, data, stored_hash in rows:
        position = rebuilt.size
        if log_index != position:
            raise LogIntegrityError(
                f"entry {position} is missing (the next stored entry is {log_index}): "
                "entries were deleted"
            )
        embedded = _embedded_index(data, position)
        if embedded != position:
            raise LogIntegrityError(
                f"entry {position} holds the data of entry {embedded}: entries were swapped "
                "or moved"
            )
        if merkle.leaf_hash(data) != stored_hash:
            raise LogIntegrityError(
                f"entry {position} was edited: its data no longer hashes to its leaf hash"
            )
        rebuilt.append(data)


def _check_nodes(rows: Iterable[Any], rebuilt: merkle.InMemoryNodeStore) -> int:
    count = 0
    for level, node_index, value in rows:
        count += 1
        try:
            expected = rebuilt.node(level, node_index)
        except KeyError:
            raise LogIntegrityError(
                f"tree node (level {level}, index {node_index}) covers entries that do not "
                "exist: entries were deleted"
            ) from None
        if value != expected:
            raise LogIntegrityError(
                f"tree node (level {level}, index {node_index}) does not match the entries "
                f"it covers (entries {node_index << level} to "
                f"{((node_index + 1) << level) - 1}): an entry or the node was edited"
            )
    return count


def _check_checkpoint(
    checkpoint: AuditCheckpoint,
    rebuilt: merkle.InMemoryNodeStore,
    signer: LogSigner | None,
    witnesses: Sequence[WitnessKey] = (),
) -> None:
    if checkpoint.size > rebuilt.size:
        raise LogIntegrityError(
            f"a checkpoint of size {checkpoint.size} was signed but only {rebuilt.size} "
            "entries are stored: the last entries were deleted"
        )
    if merkle.root(rebuilt, checkpoint.size) != checkpoint.root:
        raise LogIntegrityError(
            f"the entries no longer hash to the root of checkpoint {checkpoint.size}: "
            "the log was rewritten"
        )
    if signer is None:
        return
    # Ed25519 signatures are deterministic: signing again must give the very same note,
    # followed only by the witnesses' cosignature lines.
    signed, cosignatures = split_cosignatures(checkpoint.note)
    if signer.sign_checkpoint(checkpoint.size, checkpoint.root) != signed:
        raise LogIntegrityError(
            f"checkpoint {checkpoint.size} is not the note this registry's key signs"
        )
    _check_cosignatures(
        checkpoint.size, signed[: signed.rfind("\n\n") + 1], cosignatures, witnesses
    )


def _check_cosignatures(
    size: int, body: str, lines: Sequence[str], witnesses: Sequence[WitnessKey]
) -> None:
    """Every line after the log's signature is a cosignature; those of configured witnesses
    verify (a witness no longer configured cannot be checked, and is not served as trusted:
    partners check cosignatures against their own witness keys)."""
    keys = {(key.name, key.key_id): key for key in witnesses}
    for line in lines:
        try:
            key = keys.get(signature_line_key(line))
            if key is not None:
                verify_cosignature(line, body, key)
        except CosignatureError as exc:
            raise LogIntegrityError(f"checkpoint {size} carries a bad cosignature: {exc}") from None


def verify_log(
    session: Session, signer: LogSigner | None = None, witnesses: Sequence[WitnessKey] = ()
) -> AuditReport:
    """Re-check the whole stored log; ``signer`` also checks each checkpoint's signature and
    that nothing but cosignatures follows it, and those by ``witnesses`` verify.

    Raises:
        LogIntegrityError: naming the first thing that broke.
    """
    state = read_state(session)
    rebuilt = merkle.InMemoryNodeStore()
    # Streamed (a server-side cursor on PostgreSQL), and closed however the check ends.
    with closing(
        session.execute(
            select(AuditLogEntry.log_index, AuditLogEntry.canonical, AuditLogEntry.leaf_hash)
            .order_by(AuditLogEntry.log_index)
            .execution_options(yield_per=10_000)
        )
    ) as entries:
        _check_entries(entries, rebuilt)
    if rebuilt.size != state.size:
        raise LogIntegrityError(
            f"the log's state says {state.size} entries but {rebuilt.size} are stored: "
            + (
                "the last entries were deleted"
                if rebuilt.size < state.size
                else "entries were added around the sequencer"
            )
        )
    with closing(
        session.execute(
            select(
                AuditLogNode.level, AuditLogNode.node_index, AuditLogNode.hash
            ).execution_options(yield_per=10_000)
        )
    ) as node_rows:
        nodes = _check_nodes(node_rows, rebuilt)
    root = merkle.root(rebuilt, rebuilt.size)
    if state.size and state.root() != root:
        raise LogIntegrityError("the log's state (its frontier) does not match its entries")
    checkpoints = session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.size)).all()
    for checkpoint in checkpoints:
        _check_checkpoint(checkpoint, rebuilt, signer, witnesses)
    return AuditReport(rebuilt.size, nodes, len(checkpoints), root)
