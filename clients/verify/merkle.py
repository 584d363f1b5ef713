"""Merkle tree proofs of RFC 9162 §2.1: that an entry is in the tree of a checkpoint
(`verify_inclusion`), and that a later tree extends an earlier one (`verify_consistency`)."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from clients.errors import ConsistencyProofError, InclusionProofError

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()
"""The root of the empty tree (RFC 9162 §2.1.1)."""


def leaf_hash(data: bytes) -> bytes:
    """``SHA-256(0x00 || data)``: the Merkle hash of one log entry."""
    return hashlib.sha256(b"\x00" + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``: the Merkle hash of an inner node."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _check_sizes(error: type[Exception], hashes: dict[str, bytes]) -> None:
    for name, value in hashes.items():
        if len(value) != HASH_SIZE:
            raise error(f"{name} is {len(value)} bytes, expected {HASH_SIZE}")


def _proof_hashes(proof: Sequence[bytes]) -> dict[str, bytes]:
    return {f"proof hash {number}": value for number, value in enumerate(proof)}


def verify_inclusion(
    leaf: bytes,
    index: int,
    size: int,
    proof: Sequence[bytes],
    root: bytes,
    *,
    leaf_is_hash: bool = False,
) -> None:
    """Check that entry `leaf` is number `index` in the tree of `size` entries with `root`.

    The algorithm of RFC 9162 §2.1.3.2. Pass ``leaf_is_hash=True`` when `leaf` is already
    the leaf hash rather than the entry itself.

    Raises:
        InclusionProofError: the index is outside the tree, the proof has the wrong
            length, or it does not lead to `root`.

    Example:
        >>> root = node_hash(node_hash(leaf_hash(b"a"), leaf_hash(b"b")), leaf_hash(b"c"))
        >>> verify_inclusion(b"c", 2, 3, [node_hash(leaf_hash(b"a"), leaf_hash(b"b"))], root)
    """
    if index < 0 or index >= size:
        raise InclusionProofError(f"index {index} is beyond tree size {size}")
    current = leaf if leaf_is_hash else leaf_hash(leaf)
    _check_sizes(InclusionProofError, {**_proof_hashes(proof), "root": root, "leaf hash": current})
    fn, sn = index, size - 1
    for sibling in proof:
        if sn == 0:
            raise InclusionProofError(f"inclusion proof is too long for tree size {size}")
        if fn & 1 or fn == sn:
            current = node_hash(sibling, current)
            while fn and not fn & 1:  # skip levels where this node has no right sibling
                fn, sn = fn >> 1, sn >> 1
        else:
            current = node_hash(current, sibling)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise InclusionProofError(f"inclusion proof is too short for tree size {size}")
    if current != root:
        raise InclusionProofError("inclusion proof does not lead to the checkpoint root")


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Check that the tree of `old_size` entries is a prefix of the tree of `new_size`.

    The algorithm of RFC 9162 §2.1.4.2 for ``0 < old_size < new_size``. Equal sizes need
    an empty proof and equal roots; the empty tree is a prefix of every tree.

    Raises:
        ConsistencyProofError: the sizes are out of order, the proof has the wrong
            length, or it does not lead to both roots.

    Example:
        >>> old_root = node_hash(leaf_hash(b"a"), leaf_hash(b"b"))
        >>> new_root = node_hash(old_root, leaf_hash(b"c"))
        >>> verify_consistency(2, 3, old_root, new_root, [leaf_hash(b"c")])
    """
    if old_size < 0 or old_size > new_size:
        raise ConsistencyProofError(f"old size {old_size} is beyond new size {new_size}")
    _check_sizes(
        ConsistencyProofError,
        {**_proof_hashes(proof), "old root": old_root, "new root": new_root},
    )
    if old_size == new_size or old_size == 0:
        if proof:
            raise ConsistencyProofError(
                f"consistency proof from size {old_size} to {new_size} must be empty"
            )
        if old_size == 0 and old_root != EMPTY_ROOT:
            raise ConsistencyProofError("old root is not the root of the empty tree")
        if old_size == new_size and old_root != new_root:
            raise ConsistencyProofError(f"roots differ at the same tree size {new_size}")
        return
    if not proof:
        raise ConsistencyProofError("consistency proof is empty")
    path = list(proof)
    # When the old tree is perfect its root is a node of the new tree the proof leaves out.
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    first = second = path[0]
    for node in path[1:]:
        if sn == 0:
            raise ConsistencyProofError(
                f"consistency proof is too long for sizes {old_size} and {new_size}"
            )
        if fn & 1 or fn == sn:
            first, second = node_hash(node, first), node_hash(node, second)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            second = node_hash(second, node)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ConsistencyProofError(
            f"consistency proof is too short for sizes {old_size} and {new_size}"
        )
    if first != old_root:
        raise ConsistencyProofError("consistency proof does not lead to the old root")
    if second != new_root:
        raise ConsistencyProofError("consistency proof does not lead to the new root")
