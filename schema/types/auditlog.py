"""GraphQL types of the signed audit log: checkpoints, entries with proofs, consistency."""

from __future__ import annotations

import datetime as dt

import strawberry


@strawberry.type(
    description=(
        "A signed checkpoint: the C2SP signed note committing to the log's size and root. "
        "Verify `note` with the log's verifier key (`verifierKey`, also at GET /log/key)."
    )
)
class LogCheckpoint:
    origin: str
    size: int
    root_hash: str = strawberry.field(description="The RFC 9162 root hash, base64.")
    note: str
    signed_at: dt.datetime
    verifier_key: str | None


@strawberry.type(
    description=(
        "One log entry: `data` is the canonical JSON the tree hashes (leaf hash = "
        "SHA-256(0x00 || UTF-8 of data))."
    )
)
class LogEntry:
    index: int
    data: str
    leaf_hash: str = strawberry.field(description="base64")
    event_type: str
    submitter: str
    appended_at: dt.datetime
    partner_key_id: str | None
    partner_signature: str | None = strawberry.field(description="base64")
    signed_sha256: str | None = strawberry.field(description="hex")


@strawberry.type(description="An entry and its RFC 9162 inclusion proof in a tree of `treeSize`.")
class LogEntryProof:
    entry: LogEntry
    tree_size: int
    inclusion_proof: list[str] = strawberry.field(description="Hashes, base64, leaf to root.")
    checkpoint: LogCheckpoint | None = strawberry.field(
        description="The signed checkpoint of `treeSize`, if one was signed."
    )


@strawberry.type(
    description="The RFC 9162 proof that the tree of `oldSize` is a prefix of `newSize`."
)
class ConsistencyProof:
    old_size: int
    new_size: int
    proof: list[str] = strawberry.field(description="Hashes, base64.")
