"""What sealing the household's personal data costs on a large case list (issue 16).

Lists 10,000 cases with every field, contact details included, through the real schema (the
disclosure choke point, the access log), twice in one run, alternating:

- sealed: the contact details are stored sealed under each case's data key, as the registry
  stores them; reading them unwraps each case's key and opens five values;
- plain: the same data stored as plain UTF-8 bytes in the same columns, opened by an identity
  cipher; the only difference is the cryptography.

    .venv/bin/python bench/bench_privacy.py

Aim: sealed/plain at most 1.10x. Prints the median of repeated runs and the machine's load.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_disclosure as listing
from sqlalchemy import select, update

from policies import PolicyRow
from policies.decisions import PolicyEffect
from registry.access.policystore import active_rows, policy_engine
from registry.cases import lists as case_lists
from registry.db import make_engine, make_session_factory
from registry.migrate import upgrade
from registry.models import CaseContact, sealing
from registry.privacy import keys
from schema.build import build_schema

SIZE = 10_000


class _PlainCipher:
    """Opens a value stored as plain UTF-8: the baseline without cryptography."""

    def open(self, _column: str, sealed: bytes) -> str:
        return sealed.decode()


def _unseal_in_place(url: str) -> None:
    """Store every contact detail as plain UTF-8 bytes instead of sealed."""
    sessions = make_session_factory(make_engine(url))
    with sessions.begin() as session:
        contacts = session.scalars(select(CaseContact)).all()
        rows = [
            {
                "case_id": c.case_id,
                "sealed_name": c.name.encode(),
                "sealed_address": c.address.encode(),
                "sealed_postal_code": c.postal_code.encode(),
            }
            for c in contacts
        ]
        session.execute(update(CaseContact), rows)


def main() -> None:
    if keys.from_environment() is None:
        keys.install(keys.KeyEncryptionKey.generate())
    case_lists.MAX_PAGE = SIZE
    real_cipher_of = sealing.cipher_of
    with tempfile.TemporaryDirectory() as folder:
        urls = {}
        for variant in ("sealed", "plain"):
            urls[variant] = f"sqlite:///{Path(folder) / f'{variant}.sqlite3'}"
            upgrade(urls[variant])
            listing._fill(urls[variant], SIZE)
        _unseal_in_place(urls["plain"])
        sessions = {v: make_session_factory(make_engine(u)) for v, u in urls.items()}
        with sessions["sealed"]() as session:
            rows = [r for r in active_rows(session) if r.effect is PolicyEffect.GRANT]
        rows.append(
            PolicyRow(
                "bench",
                PolicyEffect.GRANT,
                f"partner:{listing.PARTNER}",
                "involved",
                "*",
                "*",
                ("all",),
            )
        )
        engine = policy_engine(rows)
        schema = build_schema(introspection=False, max_tokens=10_000, max_cost=10**9)

        def run(variant: str) -> float:
            plain: Any = _PlainCipher()
            sealing.cipher_of = (  # type: ignore[assignment]
                real_cipher_of if variant == "sealed" else lambda _obj, *, create: plain
            )
            return listing._run(sessions[variant], schema, engine, SIZE, True)[0]

        for variant in ("sealed", "plain"):
            run(variant)  # warm the database's and the engine's caches
        times: dict[str, list[float]] = {"sealed": [], "plain": []}
        for _ in range(5):
            for variant in ("plain", "sealed"):
                times[variant].append(run(variant))
        sealing.cipher_of = real_cipher_of
        sealed, plain = (statistics.median(times[v]) for v in ("sealed", "plain"))
        print(f"{SIZE:,} cases, every field, median of 5 alternating runs")
        print(f"plain {plain:.3f}s  sealed {sealed:.3f}s  sealed/plain {sealed / plain:.3f}x")
        print(f"load average (1, 5, 15 min): {os.getloadavg()}")


if __name__ == "__main__":
    main()
