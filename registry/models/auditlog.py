"""The signed audit log's storage: entries (leaves), their openings, the Merkle tree's nodes,
signed checkpoints, and the one state row every append locks (the sequencer).

None of these tables has a foreign key to a case or partner on purpose: the log must outlive
anything it mentions, and entries name things only by id, code, date or hash.
"""

from __future__ import annotations

import uuid

from sqlalchemy import BigInteger, Index, LargeBinary, SmallInteger, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from registry.coltypes import Sha256, Timestamp
from registry.db import Base


class AuditLogEntry(Base):
    """One leaf of the log. ``canonical`` is the leaf's data exactly as it was hashed: every
    value served about an entry is read from it (or from its checked opening), never from a
    copy in another column that someone could edit."""

    __tablename__ = "audit_log_entry"
    __table_args__ = (Index("ix_audit_log_entry_subject", "subject", "log_index"),)

    log_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    canonical: Mapped[bytes] = mapped_column(LargeBinary)
    leaf_hash: Mapped[Sha256]
    #: What the entry is about, ``agreement:<uuid>``, ``inventory:<uuid>``, ``case:<uuid>`` or
    #: ``policy:<id>``, for lookups; ``log verify`` checks it against the event.
    subject: Mapped[str | None] = mapped_column(String(80))


class AuditLogOpening(Base):
    """The opening of a sealed entry's commitment (``auditlog.sealing``): the event with its salt
    and the submitter's signature, released per policy field (``registry.access.log_entries``).

    Kept apart from the leaf so that the leaf can be public and the opening erased: without
    it the commitment can never be opened, and the tree stays whole.
    """

    __tablename__ = "audit_log_opening"
    __table_args__ = (Index("ix_audit_log_opening_case_id", "case_id"),)

    log_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    opening: Mapped[bytes] = mapped_column(LargeBinary)
    #: The case the event is about (None for a policy change), to find a household's openings;
    #: ``log verify`` checks it against the opening.
    case_id: Mapped[uuid.UUID | None] = mapped_column(Uuid())


class AuditLogNode(Base):
    """The hash of one perfect subtree: ``(level, node_index)`` covers leaves
    ``[node_index * 2**level, (node_index + 1) * 2**level)``. Written once, never changed."""

    __tablename__ = "audit_log_node"

    level: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    node_index: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    hash: Mapped[Sha256]


class AuditCheckpoint(Base):
    """A signed checkpoint (C2SP tlog-checkpoint in a signed note), one per tree size."""

    __tablename__ = "audit_checkpoint"

    size: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    root: Mapped[Sha256]
    note: Mapped[str] = mapped_column(Text)
    signed_at: Mapped[Timestamp]


class AuditLogState(Base):
    """The one row every append locks first: the log's size and its frontier.

    The frontier is the hashes of the perfect subtrees that make up the tree from left to
    right (one per set bit of ``size``, largest first), concatenated. It is all an append
    needs to compute the nodes it completes and the new root, without reading the tree.
    """

    __tablename__ = "audit_log_state"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigInteger, default=0)
    frontier: Mapped[bytes] = mapped_column(LargeBinary, default=b"")
