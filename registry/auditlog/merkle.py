"""Merkle tree hashing and proofs exactly as RFC 9162 §2.1 defines them.

The log is a Merkle Tree Hash (MTH) over its entries: a leaf hashes as
``SHA-256(0x00 || data)`` and an inner node as ``SHA-256(0x01 || left || right)``; the
split point of a range of ``n`` leaves is the largest power of two smaller than ``n``.

Every hash the RFC's recursive definitions need is either the hash of a *perfect*
subtree (``2**level`` leaves starting at a multiple of ``2**level``) or a fold of at most
``log2(n)`` such hashes. Storage therefore only has to keep perfect subtrees (about ``2n``
nodes, each written once and never changed, see `nodes_to_store`), and `root`,
`inclusion_proof` and `consistency_proof` each take O(log n) lookups in a `NodeStore`.
The tree itself is never recomputed.

Levels and indexes: level 0 holds the leaf hashes; node ``(level, index)`` covers leaves
``[index * 2**level, (index + 1) * 2**level)``.
"""

from __future__ import annotations

import hashlib
from typing import Protocol

from registry.errors import InvalidInputError

__all__ = [
    "EMPTY_ROOT",
    "InMemoryNodeStore",
    "NodeStore",
    "ProofRequestError",
    "consistency_proof",
    "inclusion_proof",
    "leaf_hash",
    "node_hash",
    "nodes_to_store",
    "root",
    "root_from_inclusion_proof",
]

EMPTY_ROOT = hashlib.sha256(b"").digest()
"""MTH({}): the root of the empty tree, the hash of the empty string (RFC 9162 §2.1.1)."""

# Domain separation prefixes: a leaf can never be mistaken for an inner node (RFC 9162 §2.1.1).
_LEAF_PREFIX = b"\x00"
_NODE_PREFIX = b"\x01"


class ProofRequestError(InvalidInputError, ValueError):
    """A root or proof was asked for a tree size or index the tree does not have.

    An `InvalidInputError`, so a partner asking for a proof beyond the log gets
    ``INVALID_INPUT``; also a `ValueError` for callers outside the registry.
    """


class NodeStore(Protocol):
    """Where the hashes of perfect subtrees live (a database table, a dict, tiles...).

    Only nodes of *complete* perfect subtrees inside the tree are ever asked for; a
    store may raise `KeyError` for anything else.
    """

    def node(self, level: int, index: int) -> bytes:
        """The hash of the perfect subtree over leaves [index * 2**level, (index + 1) * 2**level).

        Level 0 holds the leaf hashes.
        """
        ...


def leaf_hash(data: bytes) -> bytes:
    """``SHA-256(0x00 || data)``: the hash of one log entry (RFC 9162 §2.1.1)."""
    return hashlib.sha256(_LEAF_PREFIX + data).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """``SHA-256(0x01 || left || right)``: the hash of an inner node (RFC 9162 §2.1.1)."""
    return hashlib.sha256(_NODE_PREFIX + left + right).digest()


def nodes_to_store(
    size_before: int, new_leaf_hash: bytes, store: NodeStore
) -> list[tuple[int, int, bytes]]:
    """The perfect-subtree nodes completed by appending one leaf, as ``(level, index, hash)``.

    The new leaf gets index ``size_before``. It completes the level-0 node for itself,
    and one node per level above for as long as the completed node is a right child
    (odd index); the left siblings it needs are already in `store`. Storing every
    returned node after each append keeps the store complete, with about ``2n`` nodes.

    Example:
        >>> store = InMemoryNodeStore()
        >>> for entry in (b"a", b"b", b"c"):
        ...     _ = store.append(entry)
        >>> [(level, index) for level, index, _ in nodes_to_store(3, leaf_hash(b"d"), store)]
        [(0, 3), (1, 1), (2, 0)]
    """
    if size_before < 0:
        raise ProofRequestError(f"tree size {size_before} is negative")
    level, index, current = 0, size_before, new_leaf_hash
    completed = [(level, index, current)]
    while index % 2 == 1:
        current = node_hash(store.node(level, index - 1), current)
        level, index = level + 1, index // 2
        completed.append((level, index, current))
    return completed


def root(store: NodeStore, size: int) -> bytes:
    """MTH over the first `size` leaves: the root hash a checkpoint of that size commits to.

    Raises:
        ProofRequestError: `size` is negative.
    """
    if size < 0:
        raise ProofRequestError(f"tree size {size} is negative")
    if size == 0:
        return EMPTY_ROOT
    return _range_hash(store, 0, size)


def inclusion_proof(store: NodeStore, index: int, size: int) -> list[bytes]:
    """PATH(index, D[size]) of RFC 9162 §2.1.3.1: the audit path of leaf `index`.

    Raises:
        ProofRequestError: `index` is not a leaf of a tree of `size` leaves.
    """
    if index < 0:
        raise ProofRequestError(f"index {index} is negative")
    if index >= size:
        raise ProofRequestError(f"index {index} is beyond tree size {size}")
    return _path(store, index, 0, size)


def root_from_inclusion_proof(hashed: bytes, index: int, size: int, proof: list[bytes]) -> bytes:
    """The root that leaf hash ``hashed`` at ``index`` and its audit path lead to (RFC 9162
    §2.1.3.2), so the registry can check a proof it is about to serve against the checkpoint
    it serves with it.

    Raises:
        ProofRequestError: `index` is outside the tree, or the path has the wrong length.
    """
    if not 0 <= index < size:
        raise ProofRequestError(f"index {index} is beyond tree size {size}")
    fn, sn, current = index, size - 1, hashed
    for sibling in proof:
        if sn == 0:
            raise ProofRequestError(f"the path is too long for tree size {size}")
        if fn & 1 or fn == sn:
            current = node_hash(sibling, current)
            while fn and not fn & 1:
                fn, sn = fn >> 1, sn >> 1
        else:
            current = node_hash(current, sibling)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0:
        raise ProofRequestError(f"the path is too short for tree size {size}")
    return current


def consistency_proof(store: NodeStore, old_size: int, new_size: int) -> list[bytes]:
    """PROOF(old_size, D[new_size]) of RFC 9162 §2.1.4.1.

    The proof that the tree of `old_size` leaves is a prefix of the tree of `new_size`
    leaves. It is empty when the sizes are equal (the roots must then be equal).

    Raises:
        ProofRequestError: ``old_size`` is 0 (every tree extends the empty tree; there is
            nothing to prove) or larger than ``new_size``.
    """
    if old_size <= 0:
        raise ProofRequestError(
            f"old size {old_size} is not positive: consistency with the empty tree needs no proof"
        )
    if old_size > new_size:
        raise ProofRequestError(f"old size {old_size} is beyond new size {new_size}")
    return _subproof(store, old_size, 0, new_size, complete=True)


def _largest_power_of_two_below(n: int) -> int:
    """The RFC's split point k: the largest power of two smaller than `n` (n > 1)."""
    return 1 << ((n - 1).bit_length() - 1)


def _range_hash(store: NodeStore, start: int, end: int) -> bytes:
    """MTH(D[start:end]) for a range the RFC's recursion produces, in O(log n) lookups.

    Such a range starts at a multiple of a power of two at least as large as the range,
    so it splits into perfect subtrees of strictly decreasing size (the binary digits of
    its length). The RFC always splits off the largest perfect subtree on the left, so
    its hash is those subtrees folded from the right.
    """
    pieces = []
    position, remaining = start, end - start
    while remaining:
        level = remaining.bit_length() - 1
        pieces.append(store.node(level, position >> level))
        position += 1 << level
        remaining -= 1 << level
    result = pieces.pop()
    while pieces:
        result = node_hash(pieces.pop(), result)
    return result


def _perfect_hash(store: NodeStore, start: int, width: int) -> bytes:
    """The hash of the perfect subtree of `width` (a power of two) leaves at `start`."""
    level = width.bit_length() - 1
    return store.node(level, start >> level)


def _path(store: NodeStore, index: int, start: int, end: int) -> list[bytes]:
    """PATH(index - start, D[start:end]), recursing exactly as RFC 9162 §2.1.3.1.

    Only the first step into a left subtree can see a non-perfect sibling (the right
    part); from then on every range is perfect, so the whole path costs O(log n) lookups.
    """
    n = end - start
    if n == 1:
        return []
    k = _largest_power_of_two_below(n)
    if index - start < k:
        return [*_path(store, index, start, start + k), _range_hash(store, start + k, end)]
    return [*_path(store, index, start + k, end), _perfect_hash(store, start, k)]


def _subproof(store: NodeStore, m: int, start: int, end: int, *, complete: bool) -> list[bytes]:
    """SUBPROOF(m, D[start:end], complete), recursing exactly as RFC 9162 §2.1.4.1.

    `complete` is the RFC's flag b: true while the old tree's root is itself one of the
    subtrees the verifier already knows, so its hash is left out of the proof.
    """
    n = end - start
    if m == n:
        return [] if complete else [_range_hash(store, start, end)]
    k = _largest_power_of_two_below(n)
    if m <= k:
        left = _subproof(store, m, start, start + k, complete=complete)
        return [*left, _range_hash(store, start + k, end)]
    right = _subproof(store, m - k, start + k, end, complete=False)
    return [*right, _perfect_hash(store, start, k)]


class InMemoryNodeStore:
    """A `NodeStore` in a dict keyed by ``(level, index)``, for tests and benchmarks.

    It stores exactly what a database would: the nodes `nodes_to_store` returns.

    Example:
        >>> store = InMemoryNodeStore()
        >>> for entry in (b"a", b"b", b"c"):
        ...     _ = store.append(entry)
        >>> root(store, store.size) == node_hash(
        ...     node_hash(leaf_hash(b"a"), leaf_hash(b"b")), leaf_hash(b"c"))
        True
    """

    def __init__(self) -> None:
        self._nodes: dict[tuple[int, int], bytes] = {}
        self._size = 0

    @property
    def size(self) -> int:
        """The number of leaves appended so far."""
        return self._size

    def append(self, leaf_data: bytes) -> int:
        """Append one entry (hashing it as a leaf) and return its index."""
        index = self._size
        for level, node_index, value in nodes_to_store(index, leaf_hash(leaf_data), self):
            self._nodes[(level, node_index)] = value
        self._size += 1
        return index

    def __len__(self) -> int:
        """The number of nodes stored (what a complete database table holds)."""
        return len(self._nodes)

    def node(self, level: int, index: int) -> bytes:
        """The stored hash of perfect subtree ``(level, index)``; `KeyError` if incomplete."""
        try:
            return self._nodes[(level, index)]
        except KeyError:
            raise KeyError(f"no complete subtree at level {level} index {index}") from None
