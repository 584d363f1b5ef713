"""Signed checkpoints: the log's commitment to its size and root, one per size.

Checkpoints are signed when someone asks for the latest one and the log has grown since the
last, not on every append: appends stay cheap, and a burst of appends gets one checkpoint.
Signing takes the sequencer's lock and computes the root from the state row's frontier, so
the checkpoint of a size is the same whoever signs it (Ed25519 signatures are deterministic
too). The registry refuses to sign a tree smaller than one it signed before: that would
mean entries were removed behind its back.

Witnesses' cosignatures (``witnesses``) are kept in the checkpoint's own note: signature lines
after the log's, exactly as a partner receives them. A note only ever gains lines, one per
witness key, each verified before it is added.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from registry.auditlog.cosignatures import CosignatureError, signature_line_key
from registry.auditlog.sequencer import lock_state, read_state
from registry.auditlog.signer import LogSigner
from registry.errors import ConflictError, NotFoundError, UnavailableError
from registry.models import AuditCheckpoint


class LogIntegrityError(ConflictError):
    """The stored log contradicts what the registry signed before; it signs nothing more."""


def _newest(session: Session) -> AuditCheckpoint | None:
    return session.scalars(
        select(AuditCheckpoint).order_by(AuditCheckpoint.size.desc()).limit(1)
    ).first()


def latest(session: Session, signer: LogSigner | None, now: dt.datetime) -> AuditCheckpoint:
    """The checkpoint of the log as it is now, signed if it is not yet."""
    newest = _newest(session)
    if newest is not None and newest.size == read_state(session).size:
        return newest
    return sign(session, signer, now)


def sign(session: Session, signer: LogSigner | None, now: dt.datetime) -> AuditCheckpoint:
    """Sign (or find) the checkpoint of the current size, under the sequencer's lock.

    Raises:
        UnavailableError: the registry has no log signing key configured.
        LogIntegrityError: a larger checkpoint was signed before (entries were removed).
    """
    if signer is None:
        raise UnavailableError(
            "this registry has no log signing key configured (KETENREGISTER_LOG_KEY_FILE)"
        )
    state = lock_state(session)
    existing = session.get(AuditCheckpoint, state.size)
    if existing is not None:
        return existing
    largest = session.scalar(select(func.max(AuditCheckpoint.size)))
    if largest is not None and largest > state.size:
        raise LogIntegrityError(
            f"the log holds {state.size} entries but a checkpoint of size {largest} was signed "
            "before: entries were removed; no smaller checkpoint will be signed"
        )
    root = state.root()
    checkpoint = AuditCheckpoint(
        size=state.size, root=root, note=signer.sign_checkpoint(state.size, root), signed_at=now
    )
    session.add(checkpoint)
    session.flush()
    return checkpoint


# Cosignatures -------------------------------------------------------------------------------

#: Concurrent additions of cosignatures to one note retry this often before giving up.
_COSIGN_ATTEMPTS = 5


def split_cosignatures(note: str) -> tuple[str, list[str]]:
    """The note as the log signed it (its text and the log's one signature line), and the
    cosignature lines added after it, each with its newline."""
    blank = note.rfind("\n\n")
    end = note.find("\n", blank + 2) if blank >= 0 else -1
    if end < 0:  # not a signed note at all: nothing after it to split off
        return note, []
    return note[: end + 1], note[end + 1 :].splitlines(keepends=True)


def add_cosignatures(session: Session, size: int, lines: Sequence[str]) -> str:
    """Add verified cosignature lines to the stored checkpoint of ``size``; return its note.

    A line by a witness key (name and key ID) the note already carries is left out, so the
    note holds one cosignature per witness key. The note is compared and set, so several
    processes adding cosignatures at once lose none.

    Raises:
        NotFoundError: no checkpoint of that size was signed.
        LogIntegrityError: the stored note carries something other than cosignatures.
        ConflictError: the note kept changing under us (it never should for long).
    """
    for _ in range(_COSIGN_ATTEMPTS):
        current = session.scalar(select(AuditCheckpoint.note).where(AuditCheckpoint.size == size))
        if current is None:
            raise NotFoundError(f"no checkpoint of size {size} was signed")
        try:
            present = {signature_line_key(line) for line in split_cosignatures(current)[1]}
        except CosignatureError as exc:
            # Only cosignatures are ever added after the log's signature: someone edited it.
            raise LogIntegrityError(
                f"the note of checkpoint {size} carries a line that is no cosignature: {exc}"
            ) from None
        added = []
        for line in lines:
            key = signature_line_key(line)
            if key not in present:
                present.add(key)
                added.append(line if line.endswith("\n") else line + "\n")
        if not added:
            return current
        updated = current + "".join(added)
        result = session.execute(
            update(AuditCheckpoint)
            .where(AuditCheckpoint.size == size, AuditCheckpoint.note == current)
            .values(note=updated)
            .execution_options(synchronize_session=False)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            return updated
    raise ConflictError(f"the checkpoint of size {size} kept changing; cosignatures not added")
