"""Queries on the signed audit log: the latest checkpoint, an entry with its inclusion proof,
and a consistency proof between two sizes. Any partner reads any leaf; an entry's event (its
opening) only as the policies release it (``registry.access.log_entries``)."""

from __future__ import annotations

import base64

import strawberry

from registry.access import log_entries
from registry.auditlog import checkpoints, proofs
from registry.models import AuditCheckpoint
from schema.context import Info, scope_of
from schema.types.auditlog import (
    ConsistencyProof,
    LogCheckpoint,
    LogEntry,
    LogEntryProof,
    LogOpening,
)


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


def _entry(entry: log_entries.LogEntryView) -> LogEntry:
    opening = entry.opening
    return LogEntry(
        index=entry.index,
        format=entry.format,
        data=entry.data,
        leaf_hash=_b64(entry.leaf_hash),
        submitter=entry.submitter,
        appended_at=entry.appended_at,
        event_class=entry.event_class,
        opening=None
        if opening is None
        else LogOpening(
            data=opening.data,
            event_type=opening.event_type,
            case_id=strawberry.ID(opening.case_id) if opening.case_id else None,
            partner_key_id=opening.partner_key_id,
            partner_signature=_b64(opening.partner_signature)
            if opening.partner_signature
            else None,
            signed_sha256=opening.signed_sha256,
        ),
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
            "the latest checkpoint's size), and its event when the policies release it. Sizes "
            "beyond the log are INVALID_INPUT; an entry whose stored data no longer checks out "
            "is CONFLICT."
        )
    )
    def audit_log_entry(
        self, info: Info, index: int, tree_size: int | None = None
    ) -> LogEntryProof:
        found = log_entries.read(scope_of(info), index, tree_size)
        return LogEntryProof(
            entry=_entry(found),
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
