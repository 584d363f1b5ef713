r"""Verify the registry's signed audit log on the partner's side, with only its public key.

The log publishes *checkpoints*: signed notes (https://c2sp.org/signed-note, Ed25519)
whose body is a tlog-checkpoint (https://c2sp.org/tlog-checkpoint) committing to the root
of an RFC 9162 §2.1 Merkle tree. With the log's verifier key a partner checks

* that a checkpoint is signed by the log: `verify_checkpoint`;
* that an entry is in the tree of a checkpoint: `verify_inclusion`;
* that an event it was shown (an entry's *opening*) is the event the entry's leaf commits to:
  `verify_opening`;
* that a later checkpoint extends an earlier one, so history was not rewritten:
  `verify_consistency` (``clients.monitor`` does this on every new checkpoint).

This package imports nothing from the registry on purpose: the few hashing lines are
written out again here, so a partner trusts this file and the key, not the server's code.
Every check returns the parsed value (or None) or raises a
``clients.errors.VerificationError`` subclass whose message names the failed check.
"""

from clients.verify.checkpoint import Checkpoint, parse_checkpoint, verify_checkpoint
from clients.verify.merkle import (
    EMPTY_ROOT,
    HASH_SIZE,
    leaf_hash,
    node_hash,
    verify_consistency,
    verify_inclusion,
)
from clients.verify.note import VerifierKey, parse_verifier_key, split_note, verify_note
from clients.verify.opening import SEALED_FORMAT, verify_opening

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "SEALED_FORMAT",
    "Checkpoint",
    "VerifierKey",
    "leaf_hash",
    "node_hash",
    "parse_checkpoint",
    "parse_verifier_key",
    "split_note",
    "verify_checkpoint",
    "verify_consistency",
    "verify_inclusion",
    "verify_note",
    "verify_opening",
]
