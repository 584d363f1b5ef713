"""How proof generation scales: inclusion and consistency proofs at 1,000 and 1,000,000 entries.

Proofs are computed from stored perfect subtrees, so they should cost O(log n) lookups:
a thousand times more entries should make them only about twice as slow (log2 10^6 is
about 20, log2 10^3 about 10), not a thousand times.

Run from the repository root::

    .venv/bin/python bench/bench_proofs.py
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

# A plain script run puts bench/ on sys.path, not the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from clients.verify import verify_consistency, verify_inclusion
from registry.auditlog.merkle import (
    InMemoryNodeStore,
    consistency_proof,
    inclusion_proof,
    root,
)

SIZES = (1_000, 1_000_000)
REPETITIONS = 5_000


class CountingStore(InMemoryNodeStore):
    """Counts node lookups: the machine-independent cost that should grow as log n."""

    lookups = 0

    def node(self, level: int, index: int) -> bytes:
        self.lookups += 1
        return super().node(level, index)


def build(size: int) -> tuple[CountingStore, float]:
    """A store with `size` entries, and the seconds it took to append them."""
    store = CountingStore()
    started = time.perf_counter()
    for i in range(size):
        store.append(b"event %d" % i)
    return store, time.perf_counter() - started


def microseconds_per_call(
    calls: list[tuple[int, int]], produce: Callable[[int, int], object]
) -> float:
    """The mean time of ``produce(first, second)`` over `calls`, in microseconds."""
    started = time.perf_counter()
    for first, second in calls:
        produce(first, second)
    return (time.perf_counter() - started) / len(calls) * 1e6


def measure(size: int, rng: random.Random) -> dict[str, float]:
    store, build_seconds = build(size)
    tree_root = root(store, size)

    inclusion_calls = [(rng.randrange(size), size) for _ in range(REPETITIONS)]
    consistency_calls = [(rng.randrange(1, size), size) for _ in range(REPETITIONS)]
    store.lookups = 0
    for index, n in inclusion_calls:
        inclusion_proof(store, index, n)
    inclusion_lookups = store.lookups / REPETITIONS
    store.lookups = 0
    for old, n in consistency_calls:
        consistency_proof(store, old, n)
    consistency_lookups = store.lookups / REPETITIONS

    inclusion_us = microseconds_per_call(
        inclusion_calls, lambda index, n: inclusion_proof(store, index, n)
    )
    consistency_us = microseconds_per_call(
        consistency_calls, lambda old, n: consistency_proof(store, old, n)
    )

    # Sanity: the proofs being timed are real ones.
    index, _ = inclusion_calls[0]
    verify_inclusion(
        b"event %d" % index, index, size, inclusion_proof(store, index, size), tree_root
    )
    old, _ = consistency_calls[0]
    verify_consistency(old, size, root(store, old), tree_root, consistency_proof(store, old, size))
    return {
        "build": build_seconds,
        "inclusion": inclusion_us,
        "consistency": consistency_us,
        "inclusion lookups": inclusion_lookups,
        "consistency lookups": consistency_lookups,
    }


def main() -> None:
    rng = random.Random(9162)
    small, large = (measure(size, rng) for size in SIZES)
    print(f"InMemoryNodeStore, mean of {REPETITIONS:,} proofs at random positions\n")
    header = f"{'proof':<14}{SIZES[0]:>14,} entries{SIZES[1]:>18,} entries{'ratio':>10}"
    print(header)
    print("-" * len(header))
    for kind in ("inclusion", "consistency"):
        ratio = large[kind] / small[kind]
        print(f"{kind:<14}{small[kind]:>17.1f} µs{large[kind]:>21.1f} µs{ratio:>9.2f}x")
    for kind in ("inclusion", "consistency"):
        small_lookups, large_lookups = small[f"{kind} lookups"], large[f"{kind} lookups"]
        ratio = large_lookups / small_lookups
        label = f"  {kind} lookups"
        print(f"{label:<23}{small_lookups:>8.1f}{large_lookups:>24.1f}{ratio:>12.2f}x")
    print(
        "\nTime also pays for a 2-million-entry dict missing the CPU caches; the lookup"
        " count is\nthe algorithmic cost."
    )
    print(
        f"(building the trees took {small['build']:.3f} s and {large['build']:.1f} s;"
        f" entries grew {SIZES[1] // SIZES[0]:,}x)"
    )


if __name__ == "__main__":
    main()
