"""Example: an asyncio partner system reads many cases at once, with a bounded number of
requests in flight, and counts them per phase.

    python async_overview.py KEY_FILE [--purpose PURPOSE] [--cases N] [--concurrency C]

Prints a JSON object: phase -> number of cases (``null`` for a phase the policies withhold).
"""

from __future__ import annotations

import argparse
import asyncio
import json
from collections import Counter

from clients import AsyncRegistryClient, operations
from clients.results import CaseRecord


async def phases(key_file: str, purpose: str, cases: int, concurrency: int) -> Counter[str]:
    """Read the first ``cases`` cases one by one, ``concurrency`` at a time, and count them
    per phase."""
    async with AsyncRegistryClient.from_key_file(key_file, purpose=purpose) as client:
        page = await client.call(operations.cases(first=cases))
        # The registry limits a partner's requests in flight; stay below it.
        slots = asyncio.Semaphore(concurrency)

        async def read(case_id: str) -> CaseRecord:
            async with slots:
                return await client.call(operations.case(case_id))

        records = await asyncio.gather(*(read(node["id"]) for node in page["nodes"]))
    return Counter(record["phase"] or "null" for record in records)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("key_file")
    parser.add_argument("--purpose", default="eviction_prevention")
    parser.add_argument("--cases", type=int, default=20)
    parser.add_argument("--concurrency", type=int, default=2)
    args = parser.parse_args()
    counted = asyncio.run(phases(args.key_file, args.purpose, args.cases, args.concurrency))
    print(json.dumps(dict(sorted(counted.items()))))


if __name__ == "__main__":
    main()
