"""The Merkle tree against the RFC's own recursive definitions and published test vectors.

Every proof the server produces is also checked with the partner-side verifier
(``clients.verify``), and tampered proofs must fail there with the expected message.
"""

import doctest
import hashlib
from collections.abc import Callable
from functools import cache

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from clients.errors import ConsistencyProofError, InclusionProofError
from clients.verify import verify_consistency, verify_inclusion
from registry.auditlog import merkle
from registry.auditlog.merkle import (
    EMPTY_ROOT,
    InMemoryNodeStore,
    ProofRequestError,
    consistency_proof,
    inclusion_proof,
    leaf_hash,
    node_hash,
    nodes_to_store,
    root,
)

MAX_SIZE = 1100
ENTRIES = tuple(f"entry {i}".encode() for i in range(MAX_SIZE))

# --- The reference: RFC 9162 §2.1 written out literally, over D[lo:hi] of ENTRIES. ---


def _k(n: int) -> int:
    """The largest power of two smaller than n (n > 1)."""
    k = 1
    while k * 2 < n:
        k *= 2
    return k


@cache
def ref_mth(lo: int, hi: int) -> bytes:
    """MTH(D[lo:hi]) (§2.1.1); cached only so Hypothesis can try many sizes quickly."""
    n = hi - lo
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + ENTRIES[lo]).digest()
    k = _k(n)
    return hashlib.sha256(b"\x01" + ref_mth(lo, lo + k) + ref_mth(lo + k, hi)).digest()


def ref_path(m: int, lo: int, hi: int) -> list[bytes]:
    """PATH(m, D[lo:hi]) (§2.1.3.1)."""
    n = hi - lo
    if n == 1:
        return []
    k = _k(n)
    if m < k:
        return [*ref_path(m, lo, lo + k), ref_mth(lo + k, hi)]
    return [*ref_path(m - k, lo + k, hi), ref_mth(lo, lo + k)]


def ref_subproof(m: int, lo: int, hi: int, b: bool) -> list[bytes]:
    """SUBPROOF(m, D[lo:hi], b) (§2.1.4.1)."""
    n = hi - lo
    if m == n:
        return [] if b else [ref_mth(lo, hi)]
    k = _k(n)
    if m <= k:
        return [*ref_subproof(m, lo, lo + k, b), ref_mth(lo + k, hi)]
    return [*ref_subproof(m - k, lo + k, hi, False), ref_mth(lo, lo + k)]


def ref_proof(m: int, n: int) -> list[bytes]:
    """PROOF(m, D[n]) (§2.1.4.1)."""
    return ref_subproof(m, 0, n, True)


# One store holds all entries; the tree of any smaller size is a prefix of it.
STORE = InMemoryNodeStore()
for _entry in ENTRIES:
    STORE.append(_entry)


def _flip(value: bytes) -> bytes:
    return bytes([value[0] ^ 1]) + value[1:]


# --- Published RFC 6962 test vectors (certificate-transparency / transparency-dev/merkle). ---

CT_ENTRIES = [
    bytes.fromhex(h)
    for h in (
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    )
]
CT_ROOTS = [
    bytes.fromhex(h)
    for h in (
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    )
]
_H = {
    "6e34": "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "96a2": "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "5f08": "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "6b47": "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    "bc1a": "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "ca85": "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    "d37e": "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "fac5": "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "0ebc": "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
}
CT_INCLUSION = [  # (index, size, proof)
    (0, 8, ["96a2", "5f08", "6b47"]),
    (5, 8, ["bc1a", "ca85", "d37e"]),
    (2, 3, ["fac5"]),
    (1, 5, ["6e34", "5f08", "bc1a"]),
]
CT_CONSISTENCY = [  # (old size, new size, proof)
    (1, 1, []),
    (1, 8, ["96a2", "5f08", "6b47"]),
    (6, 8, ["0ebc", "ca85", "d37e"]),
    (2, 5, ["5f08", "bc1a"]),
]


@pytest.fixture
def ct_store() -> InMemoryNodeStore:
    store = InMemoryNodeStore()
    for entry in CT_ENTRIES:
        store.append(entry)
    return store


def test_hashes_use_the_rfc_domain_prefixes() -> None:
    assert leaf_hash(b"x") == hashlib.sha256(b"\x00x").digest()
    assert node_hash(b"l", b"r") == hashlib.sha256(b"\x01lr").digest()
    assert hashlib.sha256(b"").digest() == EMPTY_ROOT


def test_roots_match_the_published_vectors(ct_store: InMemoryNodeStore) -> None:
    assert [root(ct_store, size) for size in range(9)] == CT_ROOTS


@pytest.mark.parametrize(("index", "size", "proof"), CT_INCLUSION)
def test_inclusion_proofs_match_the_published_vectors(
    ct_store: InMemoryNodeStore, index: int, size: int, proof: list[str]
) -> None:
    assert inclusion_proof(ct_store, index, size) == [bytes.fromhex(_H[h]) for h in proof]


@pytest.mark.parametrize(("old", "new", "proof"), CT_CONSISTENCY)
def test_consistency_proofs_match_the_published_vectors(
    ct_store: InMemoryNodeStore, old: int, new: int, proof: list[str]
) -> None:
    assert consistency_proof(ct_store, old, new) == [bytes.fromhex(_H[h]) for h in proof]


@settings(max_examples=150)
@given(size=st.integers(0, MAX_SIZE))
@example(size=0).via("empty tree")
@example(size=1).via("one leaf")
@example(size=2).via("smallest split")
@example(size=3).via("odd")
@example(size=7).via("one below a power of two")
@example(size=8).via("power of two")
@example(size=1000).via("large")
@example(size=1024).via("large power of two")
@example(size=1025).via("one past a power of two")
def test_root_is_mth(size: int) -> None:
    assert root(STORE, size) == ref_mth(0, size)


@settings(max_examples=200)
@given(size=st.integers(1, MAX_SIZE), index=st.integers(0, MAX_SIZE - 1))
@example(size=1, index=0)
@example(size=2, index=1)
@example(size=3, index=2)
@example(size=7, index=6)
@example(size=8, index=3)
@example(size=1000, index=999)
@example(size=1024, index=511)
@example(size=1025, index=1024)
def test_inclusion_proof_is_path_and_verifies(size: int, index: int) -> None:
    index %= size
    proof = inclusion_proof(STORE, index, size)
    assert proof == ref_path(index, 0, size)
    tree_root = root(STORE, size)
    verify_inclusion(ENTRIES[index], index, size, proof, tree_root)
    verify_inclusion(leaf_hash(ENTRIES[index]), index, size, proof, tree_root, leaf_is_hash=True)

    lead = "inclusion proof does not lead to the checkpoint root"
    with pytest.raises(InclusionProofError, match=lead):
        verify_inclusion(ENTRIES[index] + b"!", index, size, proof, tree_root)
    with pytest.raises(InclusionProofError, match=lead):
        verify_inclusion(ENTRIES[index], index, size, proof, _flip(tree_root))
    for position in range(len(proof)):
        tampered = [*proof[:position], _flip(proof[position]), *proof[position + 1 :]]
        with pytest.raises(InclusionProofError, match=lead):
            verify_inclusion(ENTRIES[index], index, size, tampered, tree_root)
    if proof:
        with pytest.raises(InclusionProofError, match="inclusion proof is too short"):
            verify_inclusion(ENTRIES[index], index, size, proof[:-1], tree_root)
    with pytest.raises(InclusionProofError, match="inclusion proof is too long"):
        verify_inclusion(ENTRIES[index], index, size, [*proof, tree_root], tree_root)
    with pytest.raises(InclusionProofError, match=f"index {size} is beyond tree size {size}"):
        verify_inclusion(ENTRIES[index], size, size, proof, tree_root)


@settings(max_examples=200)
@given(sizes=st.tuples(st.integers(1, MAX_SIZE), st.integers(1, MAX_SIZE)).map(sorted))
@example(sizes=[1, 1])
@example(sizes=[1, 2])
@example(sizes=[2, 3])
@example(sizes=[3, 7])
@example(sizes=[7, 8])
@example(sizes=[8, 1000])
@example(sizes=[1000, 1024])
@example(sizes=[1024, 1025])
@example(sizes=[1, 1025])
def test_consistency_proof_is_proof_and_verifies(sizes: list[int]) -> None:
    old, new = sizes
    proof = consistency_proof(STORE, old, new)
    assert proof == ref_proof(old, new)
    old_root, new_root = root(STORE, old), root(STORE, new)
    verify_consistency(old, new, old_root, new_root, proof)
    if old == new:
        expected = f"roots differ at the same tree size {new}$"
        with pytest.raises(ConsistencyProofError, match=expected):
            verify_consistency(old, new, old_root, _flip(new_root), proof)
        return

    # A perfect old tree's root is itself a node of the new tree, so a wrong old root
    # then shows up as a wrong new root.
    with pytest.raises(ConsistencyProofError, match=r"does not lead to the (old|new) root"):
        verify_consistency(old, new, _flip(old_root), new_root, proof)
    with pytest.raises(ConsistencyProofError, match="does not lead to the new root"):
        verify_consistency(old, new, old_root, _flip(new_root), proof)
    for position in range(len(proof)):
        tampered = [*proof[:position], _flip(proof[position]), *proof[position + 1 :]]
        with pytest.raises(ConsistencyProofError, match=r"does not lead to the (old|new) root"):
            verify_consistency(old, new, old_root, new_root, tampered)
    with pytest.raises(ConsistencyProofError, match=r"consistency proof is (too short|empty)"):
        verify_consistency(old, new, old_root, new_root, proof[:-1])
    with pytest.raises(ConsistencyProofError, match="consistency proof is too long"):
        verify_consistency(old, new, old_root, new_root, [*proof, new_root])


def test_consistency_with_the_empty_tree_needs_no_proof() -> None:
    verify_consistency(0, 5, EMPTY_ROOT, root(STORE, 5), [])
    with pytest.raises(ConsistencyProofError, match="not the root of the empty tree"):
        verify_consistency(0, 5, root(STORE, 5), root(STORE, 5), [])
    with pytest.raises(ConsistencyProofError, match="old size 6 is beyond new size 5"):
        verify_consistency(6, 5, root(STORE, 6), root(STORE, 5), [])


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: inclusion_proof(STORE, 7, 5), "index 7 is beyond tree size 5"),
        (lambda: inclusion_proof(STORE, 5, 5), "index 5 is beyond tree size 5"),
        (lambda: inclusion_proof(STORE, -1, 5), "index -1 is negative"),
        (lambda: consistency_proof(STORE, 6, 5), "old size 6 is beyond new size 5"),
        (lambda: consistency_proof(STORE, 0, 5), "old size 0 is not positive"),
        (lambda: root(STORE, -1), "tree size -1 is negative"),
    ],
)
def test_requests_outside_the_tree_are_refused(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ProofRequestError, match=message):
        call()


class CountingStore:
    """A database-like store: it keeps only what `nodes_to_store` hands it, and counts reads."""

    def __init__(self) -> None:
        self.rows: dict[tuple[int, int], bytes] = {}
        self.reads = 0

    def node(self, level: int, index: int) -> bytes:
        self.reads += 1
        return self.rows[(level, index)]

    def append(self, size_before: int, data: bytes) -> None:
        for level, index, value in nodes_to_store(size_before, leaf_hash(data), self):
            assert (level, index) not in self.rows, "a stored node is never rewritten"
            self.rows[(level, index)] = value


def test_nodes_to_store_keeps_every_perfect_subtree_once() -> None:
    store = CountingStore()
    for size, entry in enumerate(ENTRIES[:300]):
        store.append(size, entry)
        # One node per completed perfect subtree: 2n minus the number of ones in n.
        assert len(store.rows) == 2 * (size + 1) - (size + 1).bit_count()
        assert root(store, size + 1) == ref_mth(0, size + 1)


def test_proofs_take_logarithmic_lookups() -> None:
    store = CountingStore()
    for size, entry in enumerate(ENTRIES):
        store.append(size, entry)
    for size in (7, 8, 1000, 1024, 1025, MAX_SIZE):
        requests: list[tuple[Callable[..., object], tuple[int, ...]]] = [
            (root, (size,)),
            (inclusion_proof, (size // 3, size)),
            (inclusion_proof, (size - 1, size)),
            (consistency_proof, (max(1, size // 3), size)),
            (consistency_proof, (size - 1, size)),
        ]
        for function, arguments in requests:
            store.reads = 0
            function(store, *arguments)
            # A proof has at most log2(n) hashes; folding one imperfect subtree costs
            # at most log2(n) more lookups.
            assert store.reads <= 2 * size.bit_length(), (function.__name__, size, store.reads)


def test_in_memory_store_reports_incomplete_subtrees() -> None:
    store = InMemoryNodeStore()
    assert store.append(b"a") == 0
    assert store.size == 1
    with pytest.raises(KeyError, match="no complete subtree at level 1 index 0"):
        store.node(1, 0)


def test_docstring_examples_run() -> None:
    assert doctest.testmod(merkle).failed == 0
