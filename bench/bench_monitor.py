"""The eviction monitor at scale: one grouped query per view over many cases on PostgreSQL.

A scratch PostgreSQL database holds the demo with its past year (``demo.seed(history=True)``)
and copies of its cases (``tests.scale.copy_cases``) up to ``--cases``. Each view (per
corporation, per municipality) is computed through ``registry.monitor.figures.counts`` a few
times and the median time printed, with the plan PostgreSQL chose (``EXPLAIN ANALYZE``): the
work is scans, a hash join and one aggregate, in the database; Python receives only the
(year, key, measure) cells::

    .venv/bin/python bench/bench_monitor.py --cases 1000000
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

# A plain script run puts bench/ on sys.path, not the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench_auditlog import scratch_database  # the sibling script's: bench/ is on sys.path
from sqlalchemy import text

from registry.db import make_engine, make_session_factory
from registry.demo import seed as demo
from registry.migrate import upgrade
from registry.monitor import figures
from tests.scale import copy_cases

DEFAULT_POSTGRES = "postgresql://postgres:postgres@127.0.0.1:5432/postgres"
TODAY = dt.date(2026, 11, 2)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES", DEFAULT_POSTGRES))
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory() as folder,
        scratch_database(args.postgres, Path(folder), "monitor") as url,
    ):
        upgrade(url)
        engine = make_engine(url)
        with make_session_factory(engine).begin() as session:
            demo.seed(session, today=TODAY, history=True)
        base = copy_cases(url, 0)
        started = time.perf_counter()
        total = copy_cases(url, max(0, args.cases // base - 1))
        print(
            f"{total:,} cases ({base} in the demo), copied in {time.perf_counter() - started:.0f} s"
        )
        print(f"load average: {os.getloadavg()[0]:.2f}")
        for by in figures.MonitorBy:
            timings = []
            for _ in range(args.runs):
                with make_session_factory(engine)() as session:
                    started = time.perf_counter()
                    cells = figures.counts(session, by, 2015, 2026)
                    timings.append(time.perf_counter() - started)
            print(
                f"by {by}: {len(cells)} rows, median {statistics.median(timings) * 1000:.0f} ms "
                f"(min {min(timings) * 1000:.0f} ms) over {args.runs} runs"
            )
        query = figures.counting_query(figures.MonitorBy.CORPORATION, 2015, 2026, None)
        compiled = query.compile(engine, compile_kwargs={"literal_binds": True})
        with engine.connect() as conn:
            plan = conn.execute(text(f"EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) {compiled}"))
            print("plan (by corporation):")
            for (line,) in plan:
                print("  " + line)
        engine.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
