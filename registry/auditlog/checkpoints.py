"""Signed checkpoints: the log's commitment to its size and root, one per size.

Checkpoints are signed when someone asks for the latest one and the log has grown since the
last, not on every append: appends stay cheap, and a burst of appends gets one checkpoint.
Signing takes the sequencer's lock and computes the root from the state row's frontier, so
the checkpoint of a size is the same whoever signs it (Ed25519 signatures are deterministic
too). The registry refuses to sign a tree smaller than one it signed before: that would
mean entries were removed behind its back.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.auditlog.sequencer import lock_state, read_state
from registry.auditlog.signer import LogSigner
from registry.errors import ConflictError, UnavailableError
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
