r"""Fetch the registry's signed audit log over HTTP and check what it says.

`LogReader` fetches the latest checkpoint (``GET /checkpoint``, public), the log's verifier
key (``GET /log/key``), an entry with its inclusion proof and consistency proofs (GraphQL,
with the partner's token). `verify_entry` checks an entry completely, offline, with only
the log's verifier key: the checkpoint's signature, that the entry's data names its own
index, that it is the entry the partner was given before (when it kept the leaf hash), that
the inclusion proof leads to the checkpoint's root, and, when the registry showed the entry's
event (its opening, released as the policies allow), that the event is the one the leaf
commits to. `LogReader.monitor` feeds ``clients.monitor.Monitor``.

Fetch the verifier key once, compare it with what the registry publishes elsewhere (its
website, the covenant), and configure it: a key fetched from the same server on every run
cannot reveal that server lying.
"""

from __future__ import annotations

import base64
import binascii
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from clients.cosignature import WitnessPolicy
from clients.errors import (
    CheckpointError,
    EntryError,
    InclusionProofError,
    InvalidInputError,
)
from clients.monitor import Monitor, MonitorReport
from clients.sdk import RegistryClient
from clients.verify import (
    Checkpoint,
    VerifierKey,
    leaf_hash,
    verify_checkpoint,
    verify_inclusion,
    verify_opening,
)

__all__ = ["LogReader", "LoggedEntry", "verify_entry"]

_ENTRY_QUERY = """query($index: Int!, $treeSize: Int) {
  auditLogEntry(index: $index, treeSize: $treeSize) {
    treeSize inclusionProof entry { index data leafHash opening { data } }
    checkpoint { note } } }"""
_CONSISTENCY_QUERY = """query($old: Int!, $new: Int!) {
  auditLogConsistency(oldSize: $old, newSize: $new) { proof } }"""


@dataclass(frozen=True)
class LoggedEntry:
    """An entry as the registry serves it: its data (the canonical JSON the tree hashes; None
    for an entry of format 1 whose event the partner may not read), the leaf hash it claims,
    the inclusion proof in the tree of ``tree_size`` entries with that tree's signed
    checkpoint (None when the registry signed none of that size), and the entry's opening when
    the registry showed its event."""

    index: int
    data: bytes | None
    claimed_leaf_hash: bytes
    tree_size: int
    proof: tuple[bytes, ...]
    checkpoint_note: str | None
    opening: bytes | None = None

    @property
    def leaf_hash(self) -> bytes:
        """The Merkle leaf hash of ``data``, computed here (the claimed one without data)."""
        return self.claimed_leaf_hash if self.data is None else leaf_hash(self.data)

    @property
    def event(self) -> dict[str, Any] | None:
        """The entry's event as shown (check it with `verify_entry` first), or None."""
        if self.data is None or self.opening is None:
            return None
        return verify_opening(self.data, self.opening)


def _b64(text: str, what: str) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise EntryError(f"{what} is not base64") from None


def verify_entry(
    entry: LoggedEntry,
    vkey: str | VerifierKey,
    *,
    origin: str | None = None,
    expected_leaf_hash: bytes | None = None,
    witnesses: WitnessPolicy | None = None,
) -> Checkpoint:
    r"""Check that ``entry`` is in the log, and return the verified checkpoint it is in.

    Args:
        entry: What the registry served.
        vkey: The log's verifier key.
        origin: The log's origin, if it differs from the key's name.
        expected_leaf_hash: The leaf hash of the entry as it was first given, to check that
            the registry still serves that very entry.
        witnesses: "k of these witnesses": the checkpoint must carry their cosignatures.

    Raises:
        VerificationError: a subclass naming what broke: the checkpoint (`SignatureError`,
            `CheckpointError`), the entry itself (`EntryError`: edited, swapped or moved), its
            inclusion (`InclusionProofError`), the event shown (`OpeningError`), or the
            witness policy (`WitnessPolicyError`, `CosignatureError`).

    Example:
        >>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
        >>> from clients.verify import node_hash
        >>> import base64, hashlib
        >>> key = Ed25519PrivateKey.from_private_bytes(bytes(32))
        >>> raw = key.public_key().public_bytes_raw()
        >>> key_id = hashlib.sha256(b"example.org/log\n\x01" + raw).digest()[:4]
        >>> encoded = base64.b64encode(b"\x01" + raw).decode()
        >>> vkey = f"example.org/log+{key_id.hex()}+{encoded}"
        >>> first, second = b'{"index":0}', b'{"index":1}'
        >>> root = node_hash(leaf_hash(first), leaf_hash(second))
        >>> body = "example.org/log\n2\n" + base64.b64encode(root).decode() + "\n"
        >>> signature = base64.b64encode(key_id + key.sign(body.encode())).decode()
        >>> note = body + "\n\N{EM DASH} example.org/log " + signature + "\n"
        >>> entry = LoggedEntry(1, second, leaf_hash(second), 2, (leaf_hash(first),), note)
        >>> verify_entry(entry, vkey).size
        2
        >>> swapped = LoggedEntry(0, second, leaf_hash(second), 2, (leaf_hash(first),), note)
        >>> verify_entry(swapped, vkey)
        Traceback (most recent call last):
        clients.errors.EntryError: entry 0 holds the data of entry 1: entries were swapped or moved
    """
    if entry.checkpoint_note is None:
        raise CheckpointError(f"the registry gave no signed checkpoint of size {entry.tree_size}")
    checkpoint = verify_checkpoint(entry.checkpoint_note, vkey, origin)
    if witnesses is not None:
        witnesses.check(entry.checkpoint_note)
    if checkpoint.size != entry.tree_size:
        raise CheckpointError(
            f"the proof is for tree size {entry.tree_size} but the checkpoint is of size "
            f"{checkpoint.size}"
        )
    if entry.data is not None:
        try:
            parsed = json.loads(entry.data)
        except ValueError:
            raise EntryError(f"entry {entry.index} is not JSON: it was edited") from None
        named = parsed.get("index") if isinstance(parsed, dict) else None
        if named != entry.index:
            raise EntryError(
                f"entry {entry.index} holds the data of entry {named}: entries were swapped or "
                "moved"
            )
        if entry.leaf_hash != entry.claimed_leaf_hash:
            raise EntryError(
                f"entry {entry.index} was edited: its data does not hash to the leaf hash the "
                "registry recorded for it"
            )
    elif entry.opening is not None:
        raise EntryError(f"entry {entry.index} came with an event but without its leaf")
    if expected_leaf_hash is not None and entry.leaf_hash != expected_leaf_hash:
        raise EntryError(
            f"entry {entry.index} is not the entry you were given: its leaf hash is "
            f"{base64.b64encode(entry.leaf_hash).decode()}, you were given "
            f"{base64.b64encode(expected_leaf_hash).decode()}"
        )
    try:
        verify_inclusion(
            entry.leaf_hash,
            entry.index,
            checkpoint.size,
            entry.proof,
            checkpoint.root,
            leaf_is_hash=True,
        )
    except InclusionProofError as error:
        raise InclusionProofError(
            f"entry {entry.index} is not in the log of size {checkpoint.size}: {error}"
        ) from None
    if entry.data is not None and entry.opening is not None:
        verify_opening(entry.data, entry.opening)
    return checkpoint


class LogReader:
    """Reads the registry's signed audit log through a `RegistryClient`.

    Example:
        As Nijestee, against the demo registry: entry 17 with its inclusion proof, checked
        offline with the log's verifier key.

        >>> with RegistryClient.from_key_file("var/demo/keys/nijestee.json") as client:
        ...     reader = LogReader(client)
        ...     # Here fetched; in production compare it once with the key the registry
        ...     # publishes elsewhere, and configure it.
        ...     vkey = reader.verifier_key()
        ...     entry = reader.entry(17)
        >>> checkpoint = verify_entry(entry, vkey)
        >>> entry.index, checkpoint.size > entry.index
        (17, True)
    """

    def __init__(self, client: RegistryClient) -> None:
        self.client = client

    def checkpoint(self) -> str:
        """The latest signed checkpoint, as the registry serves it (not yet verified)."""
        return self.client.public_text("/checkpoint")

    def verifier_key(self) -> str:
        """The verifier key the registry publishes (trust it only once you have compared it)."""
        return self.client.public_text("/log/key").strip()

    def entry(self, index: int, tree_size: int | None = None) -> LoggedEntry:
        """Entry ``index`` with its inclusion proof (default: in the latest checkpoint)."""
        data = self.client.execute(_ENTRY_QUERY, {"index": index, "treeSize": tree_size})
        found = data["auditLogEntry"]
        checkpoint = found.get("checkpoint")
        served, opening = found["entry"]["data"], found["entry"].get("opening")
        return LoggedEntry(
            index=found["entry"]["index"],
            data=None if served is None else served.encode("utf-8"),
            claimed_leaf_hash=_b64(found["entry"]["leafHash"], "the leaf hash"),
            tree_size=found["treeSize"],
            proof=tuple(_b64(h, "a proof hash") for h in found["inclusionProof"]),
            checkpoint_note=checkpoint["note"] if checkpoint else None,
            opening=None if opening is None else opening["data"].encode("utf-8"),
        )

    def consistency(self, old_size: int, new_size: int) -> Sequence[bytes] | None:
        """The consistency proof between two sizes, or None when the registry cannot give one
        (a size beyond its tree: what a truncated log answers)."""
        try:
            data = self.client.execute(_CONSISTENCY_QUERY, {"old": old_size, "new": new_size})
        except InvalidInputError:
            return None
        return [_b64(h, "a proof hash") for h in data["auditLogConsistency"]["proof"]]

    def monitor(
        self,
        state_file: str | os.PathLike[str],
        vkey: str | VerifierKey,
        *,
        origin: str | None = None,
        witnesses: WitnessPolicy | None = None,
    ) -> MonitorReport:
        """Check the latest checkpoint against the one remembered in ``state_file`` (and its
        cosignatures against ``witnesses``)."""
        return Monitor(state_file, vkey, origin=origin, witnesses=witnesses).observe(
            self.checkpoint(), proof=self.consistency
        )
