"""Queries on the signed audit log: the latest checkpoint, an entry with its inclusion proof,
and a consistency proof between two sizes. Entries hold no personal data, so any partner may
read them."""

from __future__ import annotations

import base64

import strawberry

from registry.auditlog import checkpoints, proofs
from registry.models import AuditCheckpoint, AuditLogEntry
from schema.context import Info
from schema.types.auditlog import ConsistencyProof, LogCheckpoint, LogEntry, LogEntryProof


def _b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def _checkpoint(checkpoint: AuditCheckpoint, info: Info) -> LogCheckpoint:
    signer = info.context.log_signer
    return LogCheckpoint(
        origin=checkpoint.note.split("\n", 1)[0],
        size=checkpoint.size,
        root_hash=_b64(checkpoint.root),
        note=checkpoint.note,
        signed_at=checkpoint.signed_at,
        verifier_key=signer.verifier_key if signer else None,
    )


def _entry(entry: AuditLogEntry) -> LogEntry:
    return LogEntry(
        index=entry.log_index,
        data=entry.canonical.decode("utf-8", errors="replace"),
        leaf_hash=_b64(entry.leaf_hash),
        event_type=entry.event_type,
        submitter=entry.submitter_id,
        appended_at=entry.appended_at,
        partner_key_id=entry.partner_key_id,
        partner_signature=_b64(entry.partner_signature) if entry.partner_signature else None,
        signed_sha256=entry.signed_sha256.hex() if entry.signed_sha256 else None,
    )


@strawberry.type
class AuditLogQuery:
    @strawberry.field(description="The log's latest signed checkpoint (also at GET /checkpoint).")
    def audit_log_checkpoint(self, info: Info) -> LogCheckpoint:
        scope = info.context
        return _checkpoint(checkpoints.latest(scope.session, scope.log_signer, scope.now), info)

    @strawberry.field(
        description=(
            "Entry `index` with its inclusion proof in the tree of `treeSize` entries (default: "
            "the latest checkpoint's size). Sizes beyond the log are INVALID_INPUT."
        )
    )
    def audit_log_entry(
        self, info: Info, index: int, tree_size: int | None = None
    ) -> LogEntryProof:
        scope = info.context
        found = proofs.entry_with_proof(
            scope.session, scope.log_signer, index, tree_size, scope.now
        )
        return LogEntryProof(
            entry=_entry(found.entry),
            tree_size=found.tree_size,
            inclusion_proof=[_b64(h) for h in found.proof],
            checkpoint=_checkpoint(found.checkpoint, info) if found.checkpoint else None,
        )

    @strawberry.field(
        description="Proof that the tree of `oldSize` entries is a prefix of that of `newSize`."
    )
    def audit_log_consistency(self, info: Info, old_size: int, new_size: int) -> ConsistencyProof:
        proof = proofs.consistency(info.context.session, old_size, new_size)
        return ConsistencyProof(
            old_size=old_size, new_size=new_size, proof=[_b64(h) for h in proof]
        )
