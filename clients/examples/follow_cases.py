"""Example: a partner system lists its cases with typed results and prints, for each case
with a scheduled eviction, what the policies release of it.

    python follow_cases.py KEY_FILE [--purpose PURPOSE] [--limit N]

Prints one JSON line per case with an eviction date, then a line counting the cases read.
"""

from __future__ import annotations

import argparse
import json

from clients import RegistryClient, operations
from clients.results import CaseRecord


def cases_with_an_eviction_date(client: RegistryClient, limit: int) -> tuple[list[CaseRecord], int]:
    """The partner's cases (up to ``limit``) that have an eviction date it may read, and how
    many cases were read."""
    found: list[CaseRecord] = []
    read = 0
    after: str | None = None
    while read < limit:
        page = client.call(operations.cases(first=min(50, limit - read), after=after))
        read += len(page["nodes"])
        found += [case for case in page["nodes"] if case["evictionDate"] is not None]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    return found, read


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("key_file")
    parser.add_argument("--purpose", default="eviction_prevention")
    parser.add_argument("--limit", type=int, default=200)
    args = parser.parse_args()
    with RegistryClient.from_key_file(args.key_file, purpose=args.purpose) as client:
        found, read = cases_with_an_eviction_date(client, args.limit)
    for case in found:
        print(
            json.dumps(
                {
                    "id": case["id"],
                    "evictionDate": case["evictionDate"],
                    "phase": case["phase"],
                    "withheld": case["withheld"],
                }
            )
        )
    print(f"{len(found)} of {read} cases have an eviction date you may read")


if __name__ == "__main__":
    main()
