"""List pages at scale: the same page on a small and a large PostgreSQL database, side by side.

Issue 17, S1. Two scratch PostgreSQL databases hold the demo (its partners, covenants and ~620
cases in the report's shape); the large one also holds copies of the demo's cases (with their
contact details and involvements, new ids, earlier registration times) up to ``--cases``. The
copies are made in SQL (``INSERT ... SELECT`` over ``generate_series``), so a million cases take
a minute or two rather than hours.

For each list shape a partner really asks for, the first page (``first: 20``) and a page deep
in the list (after a cursor far down) are fetched through the real app in-process (strawberry,
the disclosure choke point, the access log, a fresh signed token each time), alternating
between the small and the large database, and the median of each is printed with the ratio
large ÷ small. A flat page cost means a ratio near 1.

- ``owner``: a corporation's own cases;
- ``municipality``: a municipality's cases;
- ``involved``: the cases a district team is involved in;
- ``withheld filter``: a municipality filtering on the phase, which the policies withhold from
  it (the filter then matches nothing: the page must still be cheap);
- ``eviction range``: a corporation's evictions in a date range.

The machine is shared and noisy: read the ratios, with the load average printed next to them::

    .venv/bin/python bench/bench_scale.py                       # 100,000 cases
    .venv/bin/python bench/bench_scale.py --cases 1000000       # a million
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# A plain script run puts bench/ on sys.path, not the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from bench_auditlog import scratch_database  # the sibling script's: bench/ is on sys.path
from sqlalchemy import text

from clients.tokens import sign_token
from registry.app import create_app
from registry.config import Settings
from registry.db import make_engine, make_session_factory
from registry.demo import seed as demo
from registry.migrate import upgrade
from registry.privacy import keys
from tests.scale import copy_cases

AUDIENCE = "ketenregister-bench"
DEFAULT_POSTGRES = "postgresql://postgres:postgres@127.0.0.1:5432/postgres"
PAGE = "query($filter: CaseFilterInput, $after: String) { cases(first: 20, filter: $filter, after: $after) { nodes { id phase evictionDate withheld } pageInfo { endCursor hasNextPage } } }"  # noqa: E501


@dataclass(frozen=True)
class Shape:
    """One list a partner asks for."""

    name: str
    partner: str
    filter: dict[str, Any] | None = None


def _shapes(involved_partner: str) -> list[Shape]:
    return [
        Shape("owner", "zowonen"),
        Shape("municipality", "gemeente-zaanstad"),
        Shape("involved", involved_partner),
        # No rule releases a case's phase to the municipality: its filter on the phase
        # matches nothing, however many cases there are.
        Shape("withheld filter", "gemeente-zaanstad", {"phase": "EVICTION"}),
        Shape(
            "eviction range",
            "zowonen",
            {"evictionFrom": "2020-01-01", "evictionTo": "2030-12-31"},
        ),
    ]


def _prepare(url: str, keys: Path) -> None:
    upgrade(url)
    sessions = make_session_factory(make_engine(url))
    with sessions.begin() as session:
        demo.seed(session)
        demo.write_keys(session, keys, registry_url="http://bench", audience=AUDIENCE)


class App:
    """The real app in-process, called with a fresh token per request."""

    def __init__(self, url: str, keys: Path) -> None:
        settings = Settings(database_url=url, audience=AUDIENCE, rate_limit="")
        self.app = create_app(settings)
        self.keys = {p.stem: json.loads(p.read_text()) for p in keys.glob("*.json")}

    def ask(self, partner: str, variables: dict[str, Any]) -> dict[str, Any]:
        key = self.keys[partner]
        token = sign_token(
            partner_id=partner,
            key_id=key["kid"],
            private_key=key["private_key"],
            audience=AUDIENCE,
        )

        async def send() -> httpx.Response:
            transport = httpx.ASGITransport(app=self.app)
            async with httpx.AsyncClient(transport=transport, base_url="http://bench") as c:
                return await c.post(
                    "/graphql",
                    json={"query": PAGE, "variables": variables},
                    headers={"Authorization": f"Bearer {token}"},
                    timeout=600,
                )

        body: dict[str, Any] = asyncio.run(send()).json()
        if body.get("errors"):
            raise RuntimeError(f"{partner}: {body['errors']}")
        return body["data"]["cases"]


def _deep_cursor(app: App, shape: Shape, pages: int) -> str | None:
    """The cursor of a page ``pages`` pages down (or the last one), to time a deep page."""
    after = None
    for _ in range(pages):
        page = app.ask(shape.partner, {"filter": shape.filter, "after": after})
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    return after


def _timed(call: Callable[[], object]) -> float:
    started = time.perf_counter()
    call()
    return time.perf_counter() - started


def _involved_partner(url: str) -> str:
    engine = make_engine(url)
    with engine.connect() as conn:
        partner = conn.execute(
            text(
                "SELECT i.partner_id FROM involvement i JOIN partner p ON p.id = i.partner_id "
                "WHERE p.kind = 'district_team' GROUP BY i.partner_id ORDER BY count(*) DESC "
                "LIMIT 1"
            )
        ).scalar_one()
    engine.dispose()
    return str(partner)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=100_000, help="cases in the large database")
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--postgres", default=os.environ.get("BENCH_POSTGRES", DEFAULT_POSTGRES))
    args = parser.parse_args()
    if keys.from_environment() is None:
        keys.install(keys.KeyEncryptionKey.generate())  # the bench's own, thrown away after
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        with (
            scratch_database(args.postgres, folder, "small") as small_url,
            scratch_database(args.postgres, folder, "large") as large_url,
        ):
            (folder / "small").mkdir()
            (folder / "large").mkdir()
            _prepare(small_url, folder / "small")
            _prepare(large_url, folder / "large")
            base = copy_cases(small_url, 0)
            started = time.perf_counter()
            total = copy_cases(large_url, max(0, args.cases // base - 1))
            print(
                f"small: {base:,} cases; large: {total:,} cases "
                f"(copied in {time.perf_counter() - started:.0f} s)"
            )
            apps = {
                "small": App(small_url, folder / "small"),
                "large": App(large_url, folder / "large"),
            }
            involved = _involved_partner(small_url)
            print(f"\n{'shape':<18}{'page':<7}{'small ms':>10}{'large ms':>10}{'ratio':>8}")
            for shape in _shapes(involved):
                deep = {size: _deep_cursor(app, shape, 5) for size, app in apps.items()}
                for page, cursors in (("first", {"small": None, "large": None}), ("deep", deep)):
                    times: dict[str, list[float]] = {"small": [], "large": []}
                    for _ in range(args.repeats):
                        for size, app in apps.items():  # alternate: same noise for both
                            variables = {"filter": shape.filter, "after": cursors[size]}
                            times[size].append(
                                _timed(lambda a=app, p=shape.partner, v=variables: a.ask(p, v))
                            )
                    small, large = (statistics.median(times[s]) * 1000 for s in apps)
                    row = f"{shape.name:<18}{page:<7}{small:>10.1f}{large:>10.1f}"
                    print(f"{row}{large / small:>8.2f}")
            load = os.getloadavg()
            now = dt.datetime.now(dt.UTC)
            print(f"\nload average: {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} ({now:%H:%M} UTC)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
