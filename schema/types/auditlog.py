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
    signed_at: dt.datetime = strawberry.field(
        description="When the registry signed it, by its own clock: not part of the signed note."
    )
    verifier_key: str | None


@strawberry.type(
    description=(
        "An entry's event, released when the policies let the caller read every field it "
        "reveals (and recorded in the access log). Check it against the entry's leaf: for "
        "format 2, the hex SHA-256 of `data` is the leaf's `commitment`; for format 1, `data` "
        "is the leaf itself."
    )
)
class LogOpening:
    data: str = strawberry.field(
        description="Format 2: canonical JSON of the event, its salt and the submitter's "
        "signature. Format 1: the leaf."
    )
    event_type: str
    case_id: strawberry.ID | None = strawberry.field(
        description="The case the event is about (format 2 case events)."
    )
    partner_key_id: str | None
    partner_signature: str | None = strawberry.field(description="base64")
    signed_sha256: str | None = strawberry.field(description="hex")


@strawberry.type(
    description=(
        "One log entry. `data` is the canonical JSON the tree hashes (leaf hash = "
        "SHA-256(0x00 || UTF-8 of data)). Format 2 (sealed) leaves hold the index, time, "
        "submitter, event class and a commitment to the event, never case content; the event "
        "is the `opening`. Format 1 leaves (written before sealing) hold the event itself: "
        "their `data` is null unless the caller may read the event."
    )
)
class LogEntry:
    index: int
    format: int
    data: str | None
    leaf_hash: str = strawberry.field(description="base64")
    submitter: str
    appended_at: dt.datetime
    event_class: str = strawberry.field(description="`case` or `policy`.")
    opening: LogOpening | None = strawberry.field(
        description="The event, or null when the policies withhold it."
    )


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
