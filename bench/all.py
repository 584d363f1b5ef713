"""Every performance figure of the project in one run: each benchmark script in turn, then
their figures side by side with the machine's load while each ran.

Each script prints its own figures, ratios measured side by side within its run (the
machine is shared and noisy: absolute times mislead, ratios much less). This runs them one
after the other, keeps each one's whole output in ``var/bench/<script>.txt``, and prints at
the end the lines that carry a figure (a ratio such as ``1.04x`` or ``÷``, or an aim) under
the script's name and the load average before and after it.

Run from the repository root::

    .venv/bin/python bench/all.py            # the scripts' own sizes: tens of minutes
    .venv/bin/python bench/all.py --quick    # smaller sizes: a few minutes, coarser figures
    .venv/bin/python bench/all.py --only bench_disclosure --only bench_proofs
"""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent


@dataclass(frozen=True)
class Bench:
    """A benchmark script, what it measures, and the arguments of a quick run."""

    script: str
    measures: str
    quick: tuple[str, ...] = ()
    #: Show the last this many lines instead of the lines ``FIGURE`` picks: for a script
    #: whose figures are a table at the end.
    tail: int = 0


BENCHES = (
    Bench("bench_disclosure", "P1/P2: policy enforcement on ÷ off; decisions per request", tail=3),
    Bench(
        "bench_auditlog",
        "mutation with ÷ without log append; proofs at 1e6 ÷ 1e3",
        ("--skip-million",),
    ),
    Bench("bench_proofs", "Merkle proofs in memory at 1e6 ÷ 1e3"),
    Bench(
        "bench_lists",
        "P3: a 10k list, all fields ÷ a Core select + json of the same",
        ("--cases", "2000", "--repeats", "3"),
    ),
    Bench("bench_privacy", "a 10k list with sealed ÷ plain contact details"),
    Bench(
        "bench_scale",
        "S1: list pages on a large ÷ a small PostgreSQL",
        ("--cases", "20000", "--repeats", "3"),
    ),
    Bench(
        "bench_monitor",
        "the eviction monitor's views over many cases (PostgreSQL)",
        ("--cases", "20000", "--runs", "3"),
    ),
    Bench(
        "bench_edges",
        "a small query under attack ÷ alone; time to refuse",
        ("--window", "2", "--repeats", "3"),
    ),
    Bench(
        "bench_webhooks", "L5: others' webhook delay while one endpoint hangs", ("--seconds", "12")
    ),
    Bench(
        "bench_cosigning",
        "cosigning latency per checkpoint",
        ("--rounds", "30", "--entries", "10000"),
    ),
    Bench(
        "bench_load", "L1-L4: real server processes under 8 and 50 clients", ("--duration", "10")
    ),
    Bench(
        "bench_agreements",
        "agreements(first: 20) with 5,000 ÷ 50 agreements",
        ("--large", "2000", "--repeats", "3"),
    ),
    Bench("bench_import", "S2: import of N cases ÷ a raw COPY of its rows", ("--cases", "5000")),
)

#: A line that carries a figure: a ratio, a division sign, or an aim to compare with.
FIGURE = re.compile(r"\d(?:\.\d+)?\s?[x×]\b|÷|\baim\b", re.IGNORECASE)


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def _run(bench: Bench, quick: bool, out_dir: Path) -> tuple[str, str, int, float, str]:
    """Run one script; its output file, load before, exit status, seconds, load after."""
    before = _load()
    arguments = [sys.executable, str(HERE / f"{bench.script}.py"), *(bench.quick if quick else ())]
    started = time.monotonic()
    out = out_dir / f"{bench.script}.txt"
    with out.open("w", encoding="utf-8") as sink:
        done = subprocess.run(
            arguments, cwd=ROOT, stdout=sink, stderr=subprocess.STDOUT, text=True, check=False
        )
    return str(out), before, done.returncode, time.monotonic() - started, _load()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="Smaller sizes, fewer rounds.")
    parser.add_argument(
        "--only", action="append", metavar="SCRIPT", help="Run only this script (repeatable)."
    )
    options = parser.parse_args()
    chosen = [b for b in BENCHES if not options.only or b.script in options.only]
    unknown = set(options.only or ()) - {b.script for b in BENCHES}
    if unknown:
        parser.error(f"no such benchmark: {', '.join(sorted(unknown))}")
    out_dir = ROOT / "var" / "bench"
    out_dir.mkdir(parents=True, exist_ok=True)
    print(
        f"{len(chosen)} benchmarks, {'quick' if options.quick else 'full'} sizes; "
        f"{os.cpu_count()} cores; load average {_load()}",
        flush=True,
    )
    failed = 0
    summary: list[str] = []
    for bench in chosen:
        print(f"running {bench.script} ...", flush=True)
        out, before, status, seconds, after = _run(bench, options.quick, out_dir)
        failed += status != 0
        lines = Path(out).read_text(encoding="utf-8").splitlines()
        figures = (
            lines[-bench.tail :]
            if bench.tail
            else [line.rstrip() for line in lines if FIGURE.search(line)]
        )
        summary.append(
            f"\n== {bench.script}: {bench.measures}\n"
            f"   load {before} -> {after}; {seconds:.0f} s; "
            + ("ok" if status == 0 else f"FAILED (exit {status}), see {out}")
        )
        summary.extend(f"   {line}" for line in figures or ["(no figure lines: see " + out + ")"])
    print("\n".join(summary))
    print(f"\nwhole outputs in {out_dir.relative_to(ROOT)}/; load average at the end {_load()}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
