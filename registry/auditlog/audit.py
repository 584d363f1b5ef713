"""The registry's own check of its stored log: every entry, every node, every checkpoint.

Partners check what they are given (``clients.verify``) and a monitor checks that the log
only grows (``clients.monitor``); this module re-reads everything the database holds and
says exactly what no longer adds up: an edited entry or opening, entries swapped or moved,
entries deleted after they were checkpointed, a tree node or checkpoint that disagrees with the
entries, a lookup column (``subject``, an opening's ``case_id``) that disagrees with the event,
a format 1 entry appended after sealed ones. Every column the registry serves anything from is
either signed data or checked here. Operators run it as ``ketenregister log verify``.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.auditlog import entries, merkle, sealing
from registry.auditlog.checkpoints import LogIntegrityError, split_cosignatures
from registry.auditlog.cosignatures import (
    CosignatureError,
    WitnessKey,
    signature_line_key,
    verify_cosignature,
)
from registry.auditlog.entries import Opened
from registry.auditlog.events import subject_key
from registry.auditlog.sequencer import read_state
from registry.auditlog.signer import LogSigner
from registry.models import AuditCheckpoint, AuditLogEntry, AuditLogNode, AuditLogOpening


@dataclass(frozen=True)
class AuditReport:
    """What a successful check covered."""

    entries: int
    nodes: int
    checkpoints: int
    root: bytes


def _check_subject(opened: Opened, subject: str | None, position: int) -> None:
    expected = opened.subject
    if expected is None:
        # A format 1 eviction event holds only a commitment and names no case; its subject
        # can only be of the right kind, which keeps it out of every agreement's or
        # inventory's list of entries.
        _, prefix = subject_key(opened.event_type)
        if subject is not None and subject.startswith(f"{prefix}:"):
            return
    elif subject == expected:
        return
    raise LogIntegrityError(
        f"entry {position} is filed under {subject!r}, but its event is about {expected!r}: "
        "the subject column was edited"
    )


#: How many entries ``verify_log`` checks between two calls of its ``progress``.
PROGRESS_EVERY = 1_000


def _reported(rows: Iterable[Any], progress: Callable[[int], None]) -> Iterator[Any]:
    """``rows``, calling ``progress`` with each ``PROGRESS_EVERY`` rows passed (and the rest)."""
    passed = 0
    for row in rows:
        yield row
        passed += 1
        if passed == PROGRESS_EVERY:
            progress(passed)
            passed = 0
    if passed:
        progress(passed)


def _check_entries(rows: Iterable[Any], rebuilt: merkle.InMemoryNodeStore) -> None:
    sealed_from: int | None = None
    for log_index, data, stored_hash, subject, opening_index, opening, case_id in rows:
        position = rebuilt.size
        if log_index != position:
            raise LogIntegrityError(
                f"entry {position} is missing (the next stored entry is {log_index}): "
                "entries were deleted"
            )
        leaf = entries.parse_leaf(data, position)
        if merkle.leaf_hash(data) != stored_hash:
            raise LogIntegrityError(
                f"entry {position} was edited: its data no longer hashes to its leaf hash"
            )
        if leaf.format == sealing.FORMAT:
            sealed_from = position if sealed_from is None else sealed_from
        elif sealed_from is not None:
            raise LogIntegrityError(
                f"entry {position} is of format {leaf.format} after sealed entries (from "
                f"{sealed_from} on): a process of an older release appended it"
            )
        elif opening_index is not None:
            raise LogIntegrityError(
                f"an opening is stored for entry {position}, which holds its event itself: "
                "the opening was added"
            )
        opened = entries.open_entry(leaf, data, opening)
        _check_subject(opened, subject, position)
        if opening_index is not None and case_id != opened.case_id:
            raise LogIntegrityError(
                f"the opening of entry {position} is filed under case {case_id}, but its event "
                f"is about case {opened.case_id}: the case column was edited"
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
    body = checkpoint.note.split("\n\n", 1)[0].split("\n")
    if body[1:3] != [str(checkpoint.size), base64.b64encode(checkpoint.root).decode()]:
        raise LogIntegrityError(
            f"the note of checkpoint {checkpoint.size} names another size or root: the note "
            "was edited"
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
    session: Session,
    signer: LogSigner | None = None,
    witnesses: Sequence[WitnessKey] = (),
    *,
    progress: Callable[[int], None] | None = None,
) -> AuditReport:
    """Re-check the whole stored log; ``signer`` also checks each checkpoint's signature and
    that nothing but cosignatures follows it, and those by ``witnesses`` verify.
    ``progress`` is called with the number of entries checked since its last call (for a
    progress bar: a million entries take a while), every ``PROGRESS_EVERY`` entries and at
    the end.

    Raises:
        LogIntegrityError: naming the first thing that broke.
    """
    state = read_state(session)
    rebuilt = merkle.InMemoryNodeStore()
    # Streamed (a server-side cursor on PostgreSQL), and closed however the check ends. Every
    # entry with its opening, then any opening whose entry is gone.
    entry, opening = AuditLogEntry, AuditLogOpening
    with_openings = (
        select(
            entry.log_index,
            entry.canonical,
            entry.leaf_hash,
            entry.subject,
            opening.log_index,
            opening.opening,
            opening.case_id,
        )
        .outerjoin(opening, opening.log_index == entry.log_index)
        .order_by(entry.log_index)
        .execution_options(yield_per=10_000)
    )
    with closing(session.execute(with_openings)) as rows:
        _check_entries(rows if progress is None else _reported(rows, progress), rebuilt)
    orphan = session.scalar(
        select(opening.log_index)
        .where(~select(entry.log_index).where(entry.log_index == opening.log_index).exists())
        .limit(1)
    )
    if orphan is not None:
        raise LogIntegrityError(
            f"an opening is stored for entry {orphan}, which does not exist: entries were "
            "deleted or the opening was added"
        )
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
    if nodes != len(rebuilt):
        raise LogIntegrityError(
            f"the stored tree has {nodes} nodes but the entries make {len(rebuilt)}: tree nodes "
            "were deleted or moved"
        )
    root = merkle.root(rebuilt, rebuilt.size)
    if state.size and state.root() != root:
        raise LogIntegrityError("the log's state (its frontier) does not match its entries")
    checkpoints = session.scalars(select(AuditCheckpoint).order_by(AuditCheckpoint.size)).all()
    for checkpoint in checkpoints:
        _check_checkpoint(checkpoint, rebuilt, signer, witnesses)
    return AuditReport(rebuilt.size, nodes, len(checkpoints), root)
