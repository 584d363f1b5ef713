"""S2 (issue 17): a corporation's caseload imported through ``ketenregister import``'s path,
against a raw bulk write of the very rows it wrote, side by side in one run.

Two scratch databases of one kind hold the demo's partners. A JSON Lines file of ``--cases``
rent-arrears cases of ZOwonen (every early-signal step taken) is written first. Then:

- import: ``registry.imports`` as the command runs it, both passes: every line read, parsed
  and checked by ``registerCase``'s registration (nothing written), then written in batches
  (contact sealed under a data key per case, the first signal with its clocks, an outbox event
  and an access-log record per case);
- raw: the rows the import wrote (``case_record``, ``case_contact``, ``case_signal``,
  ``outbox_event``, ``access_log``), read back from the first database beforehand, written
  into the second with PostgreSQL's ``COPY ... FROM STDIN`` (SQLite: one ``executemany`` per
  table in one transaction): the floor of writing those bytes.

Prints both times, the ratio import ÷ raw (aim ≤ 5×), the import's rate in its first and
last tenth (flat means linear), the time for 1M cases extrapolated from the rate (aim under
20 minutes), and the load average before and after::

    .venv/bin/python bench/bench_import.py                  # 100,000 cases on PostgreSQL
    .venv/bin/python bench/bench_import.py --cases 10000 --sqlite
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

# A plain script run puts bench/ on sys.path, not the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import psycopg
from bench_auditlog import scratch_database  # the sibling script's: bench/ is on sys.path
from sqlalchemy.engine import make_url

from registry.db import make_engine, make_session_factory
from registry.demo import seed as demo
from registry.imports import batches
from registry.imports.lines import read
from registry.migrate import upgrade
from registry.privacy import keys

DEFAULT_POSTGRES = "postgresql://postgres:postgres@127.0.0.1:5432/postgres"
#: The tables an import writes, in an order their foreign keys allow.
TABLES = ("case_record", "case_contact", "case_signal", "outbox_event", "access_log")
OWNER = "zowonen"
#: The import's rows of each table (the demo's partners come with agreement cases of their own).
_MINE = f"case_id IN (SELECT id FROM case_record WHERE owner_id = '{OWNER}')"  # noqa: S608
WHERE = {
    "case_record": f"owner_id = '{OWNER}'",
    "case_contact": _MINE,
    "case_signal": _MINE,
    "outbox_event": _MINE,
    "access_log": f"operation = '{batches.OPERATION}'",
}


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def write_file(path: Path, cases: int, today: dt.date) -> None:
    """``cases`` lines of ZOwonen's caseload in Sittard-Geleen (every household invented)."""
    compositions = ("SINGLE", "COUPLE", "SINGLE_PARENT", "FAMILY", "OTHER")
    with path.open("w", encoding="utf-8") as out:
        for n in range(cases):
            months = 2 + n % 12
            line = {
                "reference": f"ZO-{n:07d}",
                "municipality": "sittard-geleen",
                "householdComposition": compositions[n % 5],
                "childrenInvolved": n % 5 in (2, 3),
                "reasons": ["RENT_ARREARS"] if n % 4 else ["RENT_ARREARS", "NUISANCE"],
                "arrearsAmount": f"{months * (550 + n % 350)}.00",
                "arrearsMonths": months,
                "contactAttempted": True,
                "debtHelpReferred": True,
                "reminderSent": True,
                "tenantDidNotObject": True,
                "earlySignalledOn": (today - dt.timedelta(days=20 + n % 300)).isoformat(),
                "contact": {
                    "name": f"Huishouden Bulk{n:07d}",
                    "address": f"Demostraat {1 + n % 180}, Sittard",
                    "postalCode": f"{6100 + n % 99} BK",
                    "phone": f"06-{n:08d}",
                },
            }
            out.write(json.dumps(line) + "\n")


def _prepare(url: str) -> None:
    upgrade(url)
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        demo.seed(session, cases_per_municipality=0)
    engine.dispose()


def run_import(
    url: str, path: Path, now: dt.datetime, cases: int
) -> tuple[float, float, list[float]]:
    """Seconds checking, seconds writing, and the writing time of each tenth of the lines."""
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    started = time.perf_counter()
    checked = batches.check(sessions, OWNER, read(path), now=now)
    assert not checked.errors, checked.errors[:3]
    checking = time.perf_counter() - started
    tenth, marks = max(cases // 10, 1), [time.perf_counter()]
    done = [0]

    def progress(step: int) -> None:
        before = done[0] // tenth
        done[0] += step
        if done[0] // tenth > before:
            marks.append(time.perf_counter())

    report = batches.write(sessions, OWNER, read(path), now=now, progress=progress)
    writing = time.perf_counter() - marks[0]
    assert report.imported == cases, report.imported
    engine.dispose()
    return checking, writing, [b - a for a, b in itertools.pairwise(marks)]


def _sqlite_file(url: str) -> str:
    return make_url(url).database or ""


def raw_write(source: str, target: str) -> tuple[float, int]:
    """Seconds to bulk-write the rows the import wrote into ``target``; and how many rows."""
    if source.startswith("sqlite"):
        with sqlite3.connect(_sqlite_file(source)) as reading:
            data = {
                t: reading.execute(f"SELECT * FROM {t} WHERE {WHERE[t]}").fetchall()  # noqa: S608
                for t in TABLES
            }
            columns = {
                t: [c[1] for c in reading.execute(f"PRAGMA table_info({t})")] for t in TABLES
            }
        rows = sum(len(v) for v in data.values())
        writing = sqlite3.connect(_sqlite_file(target), isolation_level=None)
        writing.execute("PRAGMA synchronous=FULL")
        writing.execute("PRAGMA journal_mode=WAL")
        started = time.perf_counter()
        writing.execute("BEGIN IMMEDIATE")
        for table in TABLES:
            marks = ",".join("?" * len(columns[table]))
            writing.executemany(f"INSERT INTO {table} VALUES ({marks})", data[table])  # noqa: S608
        writing.execute("COMMIT")
        seconds = time.perf_counter() - started
        writing.close()
        return seconds, rows
    plain = make_url(source).set(drivername="postgresql").render_as_string(hide_password=False)
    into = make_url(target).set(drivername="postgresql").render_as_string(hide_password=False)
    copied: dict[str, bytes] = {}
    with psycopg.connect(plain) as reading:
        for table in TABLES:
            buffer = bytearray()
            query = f"COPY (SELECT * FROM {table} WHERE {WHERE[table]}) TO STDOUT"  # noqa: S608
            with reading.cursor().copy(query) as copy:
                for chunk in copy:
                    buffer += chunk
            copied[table] = bytes(buffer)
        rows = sum(c.count(b"\n") for c in copied.values())
    with psycopg.connect(into) as writing:
        started = time.perf_counter()
        with writing.transaction():
            for table in TABLES:
                with writing.cursor().copy(f"COPY {table} FROM STDIN") as copy:
                    copy.write(copied[table])
        seconds = time.perf_counter() - started
    return seconds, rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument(
        "--postgres", default=os.environ.get("KETENREGISTER_BENCH_POSTGRES", DEFAULT_POSTGRES)
    )
    parser.add_argument("--sqlite", action="store_true", help="SQLite files instead of PostgreSQL.")
    options = parser.parse_args()
    if keys.from_environment() is None:
        keys.install(keys.KeyEncryptionKey.generate())  # the bench's own, as a deployment has one
    postgres = None if options.sqlite else options.postgres
    kind = "SQLite" if options.sqlite else "PostgreSQL"
    now = dt.datetime.now(dt.UTC)
    print(f"S2 import of {options.cases:,} cases on {kind}; load average {_load()}", flush=True)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "caseload.jsonl"
        write_file(path, options.cases, now.date())
        with (
            scratch_database(postgres, Path(folder), "import") as imported,
            scratch_database(postgres, Path(folder), "raw") as raw,
        ):
            _prepare(imported)
            _prepare(raw)
            checking, writing, tenths = run_import(imported, path, now, options.cases)
            floor, rows = raw_write(imported, raw)
    total = checking + writing
    rate = options.cases / total
    first, last = tenths[0], tenths[-1]
    how = "executemany" if options.sqlite else "COPY"
    print(f"import: {total:.1f} s ({checking:.1f} s checking, {writing:.1f} s writing)")
    print(f"import rate: {rate:,.0f} cases/s")
    print(f"raw bulk write of the same {rows:,} rows ({how}): {floor:.2f} s")
    print(f"S2 import ÷ raw: {total / floor:.1f}x  (aim ≤ 5x)")
    print(f"writing alone ÷ raw: {writing / floor:.1f}x")
    print(f"writing per tenth: first {first:.2f} s, last {last:.2f} s")
    print(f"last tenth ÷ first: {last / first:.2f}x (flat: linear in the size)")
    print(f"extrapolated to 1M cases: {1_000_000 / rate / 60:.1f} min (aim under 20 min)")
    print(f"load average after: {_load()}")


if __name__ == "__main__":
    main()
