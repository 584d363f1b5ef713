"""The signed audit log (*controleerbaar logboek*): an append-only Merkle tree.

Agreements, policy changes, evictions and inventory events are appended as leaves of a
Merkle tree hashed exactly as RFC 9162 §2.1 defines it (`merkle`), and the log commits to
its state in signed checkpoints in the C2SP ``tlog-checkpoint`` / signed-note format with
Ed25519 (`note`). Partners verify checkpoints and proofs with ``clients.verify``, which
needs nothing but the log's public key.

The modules here are pure: they compute hashes, proofs and signed text, and leave storage
to whoever implements `merkle.NodeStore`.
"""
