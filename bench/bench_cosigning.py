"""What witness cosigning costs per checkpoint (issue 9, part 4).

Two witnesses (``ketenregister-client witness serve`` processes on 127.0.0.1, as Gemeente
Groningen and Bureau Woonkans run them) witness a registry whose log grows by one entry
before each round. Each round first has a registry without witnesses sign the new checkpoint
(``GET /checkpoint``: the baseline), then has the registry with witnesses serve it: the
difference is the cosigning of that checkpoint, both witnesses at once: for each a
consistency proof from the database, one HTTP request, the witness's proof check, fsync and
signature, the registry's check of the cosignature, and storing it.

Run from the repository root (``--postgres`` uses a scratch PostgreSQL database)::

    .venv/bin/python bench/bench_cosigning.py [--rounds 200] [--entries 100000]
    .venv/bin/python bench/bench_cosigning.py --postgres postgresql://postgres:postgres@127.0.0.1/postgres
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

# A plain script run puts bench/ on sys.path, not the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from sqlalchemy.orm import Session, sessionmaker

from bench.bench_auditlog import scratch_database
from clients.cosignature import WitnessPolicy
from registry import auditlog
from registry.app import create_app
from registry.auditlog.signer import LogSigner
from registry.config import Settings
from registry.db import make_engine, make_session_factory
from registry.demo import witnesses as demo_witnesses
from registry.migrate import upgrade


def _append(sessions: sessionmaker[Session], count: int, now: dt.datetime) -> None:
    event = auditlog.Event(auditlog.EventType.POLICY_REVOKED, {"policy": "1"}, "bench", now)
    with sessions.begin() as session:
        auditlog.append_all(session, [event] * count)


async def _get(client: httpx.AsyncClient) -> tuple[float, str]:
    started = time.perf_counter()
    response = await client.get("/checkpoint")
    response.raise_for_status()
    return time.perf_counter() - started, response.text


def run(url: str, folder: Path, rounds: int, entries: int) -> dict[str, float]:
    upgrade(url)
    sessions = make_session_factory(make_engine(url))
    now = dt.datetime.now(dt.UTC)
    for start in range(0, entries, 10_000):
        _append(sessions, min(10_000, entries - start), now)
    log_key = folder / "log.key"
    signer = LogSigner.generate("ketenregister.bench/log")
    signer.write(log_key)
    settings = Settings(database_url=url, log_key_file=str(log_key), log_origin=signer.origin)
    # The demo's own launcher: two witness processes of the partner's command line.
    with demo_witnesses.running(folder, signer.verifier_key, print) as witnesses:
        assert len(witnesses) == 2, "the witnesses did not start"
        policy = WitnessPolicy.of([w.vkey for w in witnesses])
        plain = create_app(settings, session_factory=sessions)
        configured = tuple((w.url, w.vkey) for w in witnesses)
        witnessed = create_app(settings.replace(witnesses=configured), session_factory=sessions)

        async def measure() -> tuple[list[float], list[float]]:
            signing, cosigning = [], []
            async with (
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=plain), base_url="http://bench"
                ) as plain_client,
                httpx.AsyncClient(
                    transport=httpx.ASGITransport(app=witnessed), base_url="http://bench"
                ) as witnessed_client,
            ):
                await _get(witnessed_client)  # the witnesses' first checkpoint: 409 and learn
                for _ in range(rounds):
                    _append(sessions, 1, now)
                    seconds, _ = await _get(plain_client)
                    signing.append(seconds)
                    seconds, note = await _get(witnessed_client)
                    policy.check(note)
                    cosigning.append(seconds)
            return signing, cosigning

        signing, cosigning = asyncio.run(measure())
    return {
        "sign median ms": statistics.median(signing) * 1000,
        "cosign median ms": statistics.median(cosigning) * 1000,
        "cosign p95 ms": statistics.quantiles(cosigning, n=20)[-1] * 1000,
        "cosign max ms": max(cosigning) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=200)
    parser.add_argument("--entries", type=int, default=100_000, help="Log size to start from.")
    parser.add_argument("--postgres", metavar="URL", help="Also run on a scratch PostgreSQL.")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        targets = [("sqlite", None)] + (
            [("postgresql", options.postgres)] if options.postgres else []
        )
        for label, postgres in targets:
            with scratch_database(postgres, folder, label) as url:
                figures = run(url, folder / label, options.rounds, options.entries)
            shown = ", ".join(f"{name} {value:.1f}" for name, value in figures.items())
            print(
                f"{label}: {options.rounds} checkpoints, 2 witnesses, log of "
                f"{options.entries}+ entries: {shown}"
            )


if __name__ == "__main__":
    main()
