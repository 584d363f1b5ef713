"""What the signed audit log costs: a mutation with its log append versus without, and proofs
from the database-backed tree at 1,000 versus 1,000,000 entries.

1. Mutation cost. ``proposeAgreement`` and ``closeAgreement`` through the real app (HTTP via
   httpx's ASGI transport, a real signed token, GraphQL, the service, disclosure, the access
   log, commit), once with the audit-log append each makes (sealing the event: its leaf,
   opening, nodes and state) and once with the append replaced by a no-op, interleaved in
   rounds so that drift hits both alike. Aim: at most 1.10x. (Policy changes are not used:
   each one rebuilds the policy engine on the next request, which costs far more than the
   append and would hide it.)
2. Proof cost. Inclusion and consistency proofs at random positions, computed from the
   ``audit_log_node`` table (``registry.auditlog.store``: one query per proof, of the nodes
   below the top of the tree, which a connection reads once), for a log of 1,000 and one of
   1,000,000 entries. The million-entry tree is built in memory and bulk-loaded (COPY on
   PostgreSQL, executemany on SQLite). Aim: at most 2x.

Run from the repository root (``--postgres`` adds a run on a scratch PostgreSQL database)::

    .venv/bin/python bench/bench_auditlog.py
    .venv/bin/python bench/bench_auditlog.py --postgres postgresql://postgres:postgres@127.0.0.1/postgres
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import random
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

# A plain script run puts bench/ on sys.path, not the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from clients.tokens import sign_token
from clients.verify import verify_consistency, verify_inclusion
from registry import auditlog
from registry.app import create_app
from registry.auditlog import merkle, proofs
from registry.auditlog.signer import LogSigner
from registry.auditlog.store import compute_with_nodes
from registry.config import Settings
from registry.db import make_engine, make_session_factory
from registry.demo import seed as demo
from registry.migrate import upgrade
from registry.models import AuditLogState, Case, SecondChanceAgreement

AUDIENCE = "ketenregister-bench"
ROUNDS, PER_ROUND = 10, 30
PROOF_SIZES = (1_000, 1_000_000)
PROOFS = 4_000
PROOF_ROUNDS = 20


@contextmanager
def scratch_database(postgres: str | None, folder: Path, name: str) -> Iterator[str]:
    """A fresh database URL: a SQLite file, or a scratch PostgreSQL database dropped after."""
    if postgres is None:
        yield f"sqlite:///{folder / f'{name}.sqlite3'}"
        return
    database = f"kr_bench_{name}_{uuid.uuid4().hex[:6]}"
    admin = create_engine(
        make_url(postgres).set(drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{database}"'))
    try:
        yield make_url(postgres).set(database=database).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
        admin.dispose()


class _NoAppend:
    """Stands in for ``auditlog.append`` in the runs without the log (bench only)."""

    def __init__(self) -> None:
        self.enabled = True
        self._real = auditlog.append

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self.enabled:
            return self._real(*args, **kwargs)
        return None


def _keys(folder: Path, *partners: str) -> dict[str, dict[str, str]]:
    return {p: json.loads((folder / "keys" / f"{p}.json").read_text()) for p in partners}


def mutation_cost(url: str, folder: Path) -> dict[str, float]:
    """Median seconds per proposeAgreement and per closeAgreement, with and without the log
    append each makes."""
    upgrade(url)
    sessions = make_session_factory(make_engine(url))
    with sessions.begin() as session:
        demo.seed(session, today=dt.date(2026, 11, 2))
        demo.write_keys(session, folder / "keys", registry_url="http://bench", audience=AUDIENCE)
        case_id = str(
            session.scalars(
                select(Case.id).where(
                    Case.owner_id == "nijestee",
                    Case.id.not_in(select(SecondChanceAgreement.case_id)),
                )
            ).first()
        )
    keys = _keys(folder, "nijestee", "bureau-woonkans")
    log_key = folder / "log.key"
    LogSigner.generate().write(log_key)
    app = create_app(
        # No per-partner rate limit: one partner's mutations back to back are what is timed.
        Settings(database_url=url, audience=AUDIENCE, log_key_file=str(log_key), rate_limit=""),
        session_factory=sessions,
    )
    switch = _NoAppend()
    auditlog.append = switch  # type: ignore[assignment]
    today = dt.date(2026, 11, 2)
    draft = {
        "caseId": case_id,
        "kind": "STAY",
        "parties": ["nijestee", "bureau-woonkans"],
        "conditions": [{"type": "PAY_RENT_ON_TIME"}],
        "termStart": today.isoformat(),
        "termEnd": (today + dt.timedelta(days=364)).isoformat(),
        "reviewIntervalDays": 91,
    }
    propose = "mutation($d: ProposeAgreementInput!) { proposeAgreement(input: $d) { id status } }"
    close = "mutation($id: ID!) { closeAgreement(id: $id, outcome: ENDED_OTHERWISE) { id status } }"

    async def call(
        client: httpx.AsyncClient, partner: str, query: str, variables: dict[str, Any]
    ) -> tuple[float, dict[str, Any]]:
        key = keys[partner]
        token = sign_token(
            partner_id=partner, key_id=key["kid"], private_key=key["private_key"], audience=AUDIENCE
        )
        started = time.perf_counter()
        response = await client.post(
            "/graphql",
            json={"query": query, "variables": variables},
            headers={"Authorization": f"Bearer {token}"},
        )
        elapsed = time.perf_counter() - started
        body: dict[str, Any] = response.json()
        assert "errors" not in body, body
        return elapsed, body["data"]

    async def run(count: int) -> tuple[list[float], list[float]]:
        transport = httpx.ASGITransport(app=app)
        proposing, closing = [], []
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            for _ in range(count):
                spent, data = await call(client, "bureau-woonkans", propose, {"d": draft})
                proposing.append(spent)
                spent, _ = await call(
                    client, "bureau-woonkans", close, {"id": data["proposeAgreement"]["id"]}
                )
                closing.append(spent)
        return proposing, closing

    async def involve() -> None:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://bench") as client:
            await call(
                client,
                "nijestee",
                """mutation($c: ID!) { involvePartner(caseId: $c,
                partner: "bureau-woonkans", role: SECOND_CHANCE) { id } }""",
                {"c": case_id},
            )

    asyncio.run(involve())
    asyncio.run(run(10))  # warm up caches, pools and the policy engine
    timings: dict[str, list[float]] = {
        "propose with": [],
        "propose without": [],
        "close with": [],
        "close without": [],
    }
    try:
        for _ in range(ROUNDS):
            for enabled, label in ((True, "with"), (False, "without")):
                switch.enabled = enabled
                proposing, closing = asyncio.run(run(PER_ROUND))
                timings[f"propose {label}"] += proposing
                timings[f"close {label}"] += closing
    finally:
        auditlog.append = switch._real
    return {name: statistics.median(values) for name, values in timings.items()}


def _bulk_load(url: str, store: merkle.InMemoryNodeStore) -> None:
    nodes = store._nodes  # the reference store's own dict, read once
    engine = make_engine(url)
    if engine.dialect.name == "postgresql":
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            copying = "COPY audit_log_node (level, node_index, hash) FROM STDIN"
            with cursor.copy(copying) as copy:  # type: ignore[attr-defined]
                for (level, index), value in nodes.items():
                    copy.write_row((level, index, value))
            raw.commit()
        finally:
            raw.close()
    else:
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO audit_log_node (level, node_index, hash) VALUES (?, ?, ?)",
                [(level, index, value) for (level, index), value in nodes.items()],
            )
    frontier = b""
    position = 0
    for level in reversed(range(store.size.bit_length())):
        if store.size >> level & 1:
            frontier += store.node(level, position >> level)
            position += 1 << level
    with engine.begin() as conn:
        conn.execute(AuditLogState.__table__.update().values(size=store.size, frontier=frontier))
    engine.dispose()


def load_tree(url: str, size: int) -> tuple[merkle.InMemoryNodeStore, float, float]:
    """A migrated database holding the tree of ``size`` entries: (reference, build s, load s)."""
    upgrade(url)
    started = time.perf_counter()
    store = merkle.InMemoryNodeStore()
    for number in range(size):
        store.append(b"event %d" % number)
    built = time.perf_counter() - started
    started = time.perf_counter()
    _bulk_load(url, store)
    return store, built, time.perf_counter() - started


def proof_costs(
    urls: dict[int, str], stores: dict[int, merkle.InMemoryNodeStore], rng: random.Random
) -> dict[int, dict[str, float]]:
    """Median over rounds of the mean microseconds per inclusion and consistency proof, the
    sizes taking turns so that the machine's drift hits each alike."""
    sessions = {size: make_session_factory(make_engine(url))() for size, url in urls.items()}

    def inclusion(session: Session, size: int, index: int) -> list[bytes]:
        return compute_with_nodes(session, lambda nodes: merkle.inclusion_proof(nodes, index, size))

    def consistency(session: Session, size: int, old: int) -> list[bytes]:
        return proofs.consistency(session, old, size)

    kinds: dict[str, Callable[[Session, int, int], list[bytes]]] = {
        "inclusion": inclusion,
        "consistency": consistency,
    }
    rounds: dict[int, dict[str, list[float]]] = {s: {k: [] for k in kinds} for s in urls}
    per_round = PROOFS // PROOF_ROUNDS
    try:
        for size, session in sessions.items():  # warm the caches
            for _ in range(100):
                inclusion(session, size, rng.randrange(size))
        for _ in range(PROOF_ROUNDS):
            for size, session in sessions.items():
                for kind, produce in kinds.items():
                    low = 0 if kind == "inclusion" else 1
                    positions = [rng.randrange(low, size) for _ in range(per_round)]
                    started = time.perf_counter()
                    for position in positions:
                        produce(session, size, position)
                    rounds[size][kind].append((time.perf_counter() - started) / per_round * 1e6)
        for size, session in sessions.items():  # the proofs timed are real ones
            tree_root = merkle.root(stores[size], size)
            index, old = rng.randrange(size), rng.randrange(1, size)
            verify_inclusion(
                b"event %d" % index, index, size, inclusion(session, size, index), tree_root
            )
            verify_consistency(
                old,
                size,
                merkle.root(stores[size], old),
                tree_root,
                consistency(session, size, old),
            )
    finally:
        for session in sessions.values():
            session.close()
    return {
        size: {k: statistics.median(v) for k, v in kinds_.items()}
        for size, kinds_ in rounds.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postgres", help="Also run on a scratch database of this server.")
    parser.add_argument("--skip-million", action="store_true", help="Proofs at 1,000 only.")
    options = parser.parse_args()
    targets: list[tuple[str, str | None]] = [("SQLite", None)]
    if options.postgres:
        targets.append(("PostgreSQL", options.postgres))
    rng = random.Random(9162)
    for label, postgres in targets:
        print(f"== {label}")
        with tempfile.TemporaryDirectory() as directory:
            folder = Path(directory)
            with scratch_database(postgres, folder, "mutations") as url:
                cost = mutation_cost(url, folder)
            print(f"mutations through the real app, median of {ROUNDS * PER_ROUND} each:")
            for name in ("propose", "close"):
                with_log, without = cost[f"{name} with"], cost[f"{name} without"]
                print(
                    f"  {name + 'Agreement':<17} with log append {with_log * 1e3:6.2f} ms, "
                    f"without {without * 1e3:6.2f} ms, ratio {with_log / without:.3f}x "
                    "(aim <= 1.10)"
                )
            sizes = PROOF_SIZES[:1] if options.skip_million else PROOF_SIZES
            with contextlib.ExitStack() as stack:
                urls, stores = {}, {}
                for size in sizes:
                    urls[size] = stack.enter_context(
                        scratch_database(postgres, folder, f"proofs{size}")
                    )
                    stores[size], built, loaded = load_tree(urls[size], size)
                    print(
                        f"  ({size:,} entries: tree built in {built:.1f} s, "
                        f"nodes bulk-loaded in {loaded:.1f} s)"
                    )
                results = proof_costs(urls, stores, rng)
            print(
                f"proofs from the database, {PROOFS:,} at random positions per size, "
                f"median of {PROOF_ROUNDS} interleaved rounds:"
            )
            for kind in ("inclusion", "consistency"):
                cells = "  ".join(f"{results[s][kind]:8.1f} µs @ {s:>9,}" for s in sizes)
                ratio_text = ""
                if len(sizes) == 2:
                    ratio = results[sizes[1]][kind] / results[sizes[0]][kind]
                    ratio_text = f"   ratio {ratio:.2f}x"
                print(f"  {kind:<12}{cells}{ratio_text}   (aim <= 2x)")
        print()


if __name__ == "__main__":
    main()
