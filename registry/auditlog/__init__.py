"""The signed audit log (*controleerbaar logboek*): an append-only Merkle tree.

Agreements, policy changes, evictions and inventory events are appended as leaves of a
Merkle tree hashed exactly as RFC 9162 §2.1 defines it (`merkle`), and the log commits to
its state in signed checkpoints in the C2SP ``tlog-checkpoint`` / signed-note format with
Ed25519 (`note`, `checkpoints`). Partners verify checkpoints and proofs with
``clients.verify``, which needs nothing but the log's public key.

Entries are sealed (`sealing`): the leaf every partner reads holds the index, time, submitter,
event class and a salted commitment to the event; the event itself (the opening) is stored
apart and released per policy field (``registry.access.log_entries``). `entries` reads both formats
back, the sealed one and the one before it, checking each opening against its leaf.

`merkle`, `note`, `canonical` and `sealing` are pure. `sequencer` appends in the caller's
transaction under the log's one lock, `store` serves the tree's nodes from the database,
`proofs` reads entries and proofs, and `audit` re-checks the whole stored log.

A service does not append here itself: it records an event of the vocabulary
(``registry.events.Event``), and ``registry.recording.record`` appends the logged ones::

    from registry.events import Event
    from registry.recording import record
    record(session, Event.AGREEMENT_CLOSED, case_id, now, submitter="bureau-woonkans",
           payload={"agreement": "...", "outcome": "completed"})
"""

from registry.auditlog.events import EventType
from registry.auditlog.sequencer import (
    Appended,
    Event,
    PartnerSignature,
    append,
    append_all,
    canonical_event,
)

__all__ = [
    "Appended",
    "Event",
    "EventType",
    "PartnerSignature",
    "append",
    "append_all",
    "canonical_event",
]
