"""The registry under load: partner systems against real server processes, side by side.

Issue 8, part 6. For each database (a SQLite file; a scratch PostgreSQL database), number of
``ketenregister serve`` processes (1, 2) and number of partner clients (8, 50), a fresh copy of
the demo database is served by real processes and the clients run a closed loop against them
for ``--duration`` seconds, spread over the processes' ports as a load balancer would. Each
client is a demo partner that signs a fresh token for every request with its own key, and sends
the mix: 80 % reads (a case by id, ``cases(first: 20)`` filtered by phase or municipality, a
case's annotations), 20 % writes (``addAnnotation``; an owner also ``updateCase`` and the
eviction step ``scheduleEviction``/``callOffEviction``, which meets CONFLICT when another
client of the same owner got there first). Refusals of writes (CONFLICT, NOT_ALLOWED,
INVALID_INPUT) are outcomes of the mix, counted apart; errors are timeouts (30 s), connection
errors, HTTP 5xx and INTERNAL_ERROR or UNAVAILABLE, and any other error code. A request still
running 5 s after the end is cut off and counted as an error, "unfinished": in a run shorter
than the timeout, that is how a hung server shows.

Printed per configuration: requests/s, p50/p95/p99 of the answered requests, refusals and
errors by kind; then the measures of the issue:

- L1 errors at the most clients (50), per database and processes;
- L2 throughput at the most clients ÷ at the fewest (50 ÷ 8);
- L3 throughput with 2 processes ÷ with 1 (the issue asks it of PostgreSQL);
- L4 ``{ __typename }`` with a fresh token ÷ ``GET /checkpoint``, requests/s measured in
  alternating windows on one process: what authenticating a request costs.

The machine is shared and noisy: read the ratios, with the load average printed next to them.
Run from the repository root. PostgreSQL is used when the server answers, the local one by
default (``--postgres`` names another); each run makes and drops scratch databases of its own::

    .venv/bin/python bench/bench_load.py                  # 20 s per configuration
    .venv/bin/python bench/bench_load.py --duration 60    # the headline figures
    .venv/bin/python bench/bench_load.py --quick --database sqlite
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import json
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

# A plain script run puts bench/ on sys.path, not the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from bench_auditlog import scratch_database  # the sibling script's: bench/ is on sys.path
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from clients.tokens import load_private_key, sign_token
from registry.auditlog.signer import LogSigner
from registry.db import make_engine, make_session_factory
from registry.demo import partners as demo_partners
from registry.demo import seed as demo
from registry.migrate import upgrade
from tests import servers

AUDIENCE = "ketenregister-bench"
LOG_ORIGIN = "ketenregister.bench/log"
DATABASES = {"sqlite": "SQLite", "postgresql": "PostgreSQL"}
DEFAULT_POSTGRES = "postgresql://postgres:postgres@127.0.0.1:5432/postgres"
REQUEST_TIMEOUT = 30.0
#: After the end of a run, requests in flight get this long before they are cut off, so a run
#: stops within its duration plus this even when the server hangs.
GRACE = 5.0
EXPECTED_REFUSALS = frozenset({"CONFLICT", "NOT_ALLOWED", "INVALID_INPUT"})
BAILIFF = "flanderijn"  # works in every demo municipality
PHASES = ("ARREARS", "EARLY_SIGNAL", "COLLECTION", "COURT", "JUDGMENT_SERVED", "EVICTION")
KINDS = ("CONTACT_ATTEMPT", "HOME_VISIT", "HELP_ACCEPTED", "PAYMENT_ARRANGEMENT")

DISCOVER = """query BenchDiscover { cases(first: 500) {
  nodes { id relation phase closedOn judgmentGrantedOn } } }"""
CASE = """query BenchCase($id: ID!) { case(id: $id) {
  id relation phase municipality evictionDate arrearsAmount withheld } }"""
CASES = """query BenchCases($filter: CaseFilterInput) { cases(first: 20, filter: $filter) {
  nodes { id phase municipality evictionDate withheld } pageInfo { hasNextPage } } }"""
ANNOTATIONS = """query BenchAnnotations($id: ID!) { annotations(caseId: $id) {
  id kind author occurredOn note } }"""
ADD_ANNOTATION = """mutation BenchAnnotate($input: AnnotationInput!) {
  addAnnotation(input: $input) { id } }"""
UPDATE_CASE = """mutation BenchUpdate($id: ID!, $months: Int!) {
  updateCase(id: $id, input: {arrearsMonths: $months}) { id arrearsMonths } }"""
SCHEDULE = f"""mutation BenchSchedule($id: ID!, $date: Date!) {{
  scheduleEviction(id: $id, date: $date, bailiff: "{BAILIFF}") {{ id phase }} }}"""
CALL_OFF = "mutation BenchCallOff($id: ID!) { callOffEviction(id: $id) { id phase } }"
TYPENAME = "{ __typename }"


class HarnessError(Exception):
    """The benchmark itself could not run (not a measured error of the registry)."""


@dataclass(frozen=True)
class Partner:
    """A demo partner as its system knows itself: key, municipalities, the cases it sees."""

    id: str
    kid: str
    key: Ed25519PrivateKey
    municipalities: tuple[str, ...]
    cases: tuple[str, ...]
    owned: tuple[str, ...]
    #: Its open cases between judgment and eviction, and whether an eviction is scheduled.
    evictions: Mapping[str, bool]


@dataclass(frozen=True)
class Call:
    """One request: a GraphQL operation, or ``GET /checkpoint`` when ``query`` is None."""

    label: str
    query: str | None
    variables: dict[str, Any] = field(default_factory=dict)
    write: bool = False
    #: Told the outcome's error code (None when it succeeded).
    settle: Callable[[str | None], None] | None = None


@dataclass(frozen=True)
class Record:
    """One request's outcome, as the harness measured it."""

    label: str
    kind: str  # "ok", "refused" (an expected refusal of a write) or "error"
    result: str  # the refusal's code or the error's kind
    seconds: float
    ended: float


@dataclass
class Client:
    """One partner system: its partner, the server port it was given, its own random mix."""

    partner: Partner
    base_url: str
    rng: random.Random
    scheduled: dict[str, bool] = field(init=False)

    def __post_init__(self) -> None:
        self.scheduled = dict(self.partner.evictions)

    def token(self) -> str:
        """A fresh token: the registry accepts each one once."""
        p = self.partner
        return sign_token(partner_id=p.id, key_id=p.kid, private_key=p.key, audience=AUDIENCE)

    def mixed(self) -> Call:
        """The next request of the mix (see the module docstring), drawn from this client's
        own generator."""
        rng, p = self.rng, self.partner
        case = rng.choice(p.cases)
        if rng.random() < 0.8:
            read = rng.randrange(3)
            if read == 0:
                return Call("case", CASE, {"id": case})
            if read == 1:
                by = rng.choice(("phase", "municipality"))
                value = rng.choice(PHASES if by == "phase" else p.municipalities)
                return Call("cases", CASES, {"filter": {by: value}})
            return Call("annotations", ANNOTATIONS, {"id": case})
        writes = ["annotate"] + ["update"] * bool(p.owned) + ["eviction"] * bool(self.scheduled)
        write = rng.choice(writes)
        today = dt.datetime.now(dt.UTC).date()
        if write == "update":
            variables = {"id": rng.choice(p.owned), "months": rng.randint(2, 14)}
            return Call("updateCase", UPDATE_CASE, variables, write=True)
        if write == "eviction":
            return self._eviction_step(rng.choice(sorted(self.scheduled)), today)
        kind = rng.choice(KINDS)
        note = {"caseId": case, "kind": kind, "occurredOn": today.isoformat(), "note": "bench"}
        return Call("addAnnotation", ADD_ANNOTATION, {"input": note}, write=True)

    def _eviction_step(self, case: str, today: dt.date) -> Call:
        scheduled = self.scheduled[case]

        def settle(code: str | None) -> None:
            # CONFLICT: another client of this owner took the step first, so the case is
            # where this step would have taken it.
            if code in (None, "CONFLICT"):
                self.scheduled[case] = not scheduled

        if scheduled:
            return Call("callOffEviction", CALL_OFF, {"id": case}, write=True, settle=settle)
        date = (today + dt.timedelta(days=30)).isoformat()
        variables = {"id": case, "date": date}
        return Call("scheduleEviction", SCHEDULE, variables, write=True, settle=settle)


def _classify(response: httpx.Response, call: Call) -> tuple[str, str]:
    """("ok" | "refused" | "error", the refusal's code or the error's kind)."""
    if response.status_code != 200:
        return "error", f"HTTP {response.status_code}"
    if call.query is None:
        return "ok", ""
    try:
        errors = response.json().get("errors")
    except ValueError:
        return "error", "not JSON"
    if not errors:
        return "ok", ""
    code = str(errors[0].get("extensions", {}).get("code"))
    return ("refused" if call.write and code in EXPECTED_REFUSALS else "error"), code


async def _send(http: httpx.AsyncClient, client: Client, call: Call) -> Record:
    headers = {} if call.query is None else {"Authorization": f"Bearer {client.token()}"}
    started = time.perf_counter()
    try:
        async with asyncio.timeout(REQUEST_TIMEOUT):
            if call.query is None:
                response = await http.get("/checkpoint")
            else:
                body = {"query": call.query, "variables": call.variables}
                response = await http.post("/graphql", json=body, headers=headers)
        kind, result = _classify(response, call)
    except (TimeoutError, httpx.TimeoutException):
        kind, result = "error", "timeout"
    except httpx.TransportError as exc:
        kind, result = "error", f"connection ({type(exc).__name__})"
    ended = time.perf_counter()
    if call.settle is not None and kind != "error":
        call.settle(result or None)
    return Record(call.label, kind, result, ended - started, ended)


@dataclass
class Run:
    """What one closed-loop run recorded."""

    records: list[Record]
    seconds: float
    deadline: float
    unfinished: int
    client_cpu: float  # the load generator's own CPU use, in cores

    def answered(self) -> list[Record]:
        """The requests that got an answer, refusals included."""
        return [r for r in self.records if r.kind != "error"]

    def throughput(self) -> float:
        """Requests answered (refusals included) by the end, per second."""
        return sum(r.ended <= self.deadline for r in self.answered()) / self.seconds

    def errors(self) -> Counter[str]:
        """The errors by kind, requests still running at the end counted as "unfinished"."""
        found = Counter(r.result for r in self.records if r.kind == "error")
        if self.unfinished:
            found["unfinished"] = self.unfinished
        return found

    def refused(self) -> Counter[str]:
        """The refused writes, by code."""
        return Counter(r.result for r in self.records if r.kind == "refused")

    def percentiles(self) -> tuple[float, float, float]:
        """p50, p95 and p99 of the answered requests, in milliseconds."""
        latencies = [r.seconds * 1e3 for r in self.answered()]
        if len(latencies) < 2:
            return (float("nan"),) * 3
        cuts = statistics.quantiles(latencies, n=100, method="inclusive")
        return cuts[49], cuts[94], cuts[98]


async def closed_loop(
    clients: list[Client], choose: Callable[[Client], Call], seconds: float
) -> Run:
    """Every client sends its next request as soon as it has the answer, until ``seconds``
    have passed; what is still in flight ``GRACE`` seconds later is cancelled."""
    records: list[Record] = []
    cpu = time.process_time()
    started = time.perf_counter()
    deadline = started + seconds

    async def drive(client: Client) -> None:
        limits = httpx.Limits(max_connections=1)  # one partner system, one connection
        async with httpx.AsyncClient(
            base_url=client.base_url, timeout=REQUEST_TIMEOUT, limits=limits
        ) as http:
            while time.perf_counter() < deadline:
                records.append(await _send(http, client, choose(client)))

    tasks = [asyncio.create_task(drive(client)) for client in clients]
    done, pending = await asyncio.wait(tasks, timeout=seconds + GRACE)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)
    for task in done:
        task.result()  # a bug in the harness surfaces here, not as a measured error
    cpu_cores = (time.process_time() - cpu) / (time.perf_counter() - started)
    return Run(records, seconds, deadline, len(pending), cpu_cores)


def loadavg() -> str:
    """The machine's load averages over 1, 5 and 15 minutes."""
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def serving(url: str, count: int, folder: Path) -> contextlib.AbstractContextManager[list[str]]:
    """``count`` ``ketenregister serve`` processes on ``url``, the first with the delivery
    worker (one serves the deployment); their base URLs. Stopped on exit, also after an error."""
    env = {
        "KETENREGISTER_AUDIENCE": AUDIENCE,
        "KETENREGISTER_LOG_KEY_FILE": str(folder / "log-signer.key"),
        "KETENREGISTER_LOG_ORIGIN": LOG_ORIGIN,
    }
    return servers.serving(url, folder, processes=count, env=env, worker=True, start_timeout=60)


def _graphql(
    base_url: str,
    partner: str,
    kid: str,
    key: Ed25519PrivateKey,
    query: str,
    variables: dict[str, Any] | None = None,
) -> Any:
    token = sign_token(partner_id=partner, key_id=kid, private_key=key, audience=AUDIENCE)
    try:
        response = httpx.post(
            f"{base_url}/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"Authorization": f"Bearer {token}"},
            timeout=REQUEST_TIMEOUT,
        )
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        raise HarnessError(f"{partner}: no answer to a setup request: {exc!r}") from exc
    if response.status_code != 200 or body.get("errors"):
        raise HarnessError(f"{partner}: answered {response.status_code} {body} to {query}")
    return body["data"]


def prepare(url: str, folder: Path) -> list[Partner]:
    """Migrate ``url``, seed the demo and its keys, and ask each partner which cases it sees."""
    upgrade(url)
    today = dt.datetime.now(dt.UTC).date()  # the servers' clock is UTC too
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        demo.seed(session, today=today)
        demo.write_keys(session, folder / "keys", registry_url="http://bench", audience=AUDIENCE)
    engine.dispose()  # SQLite: the last connection folds the WAL in, so a file copy is whole
    partners = []
    with serving(url, 1, folder) as (base_url,):
        for spec in demo_partners.PARTNERS:
            keyfile = json.loads((folder / "keys" / f"{spec.id}.json").read_text())
            kid, key = keyfile["kid"], load_private_key(keyfile["private_key"])
            nodes = _graphql(base_url, spec.id, kid, key, DISCOVER)["cases"]["nodes"]
            if not nodes:
                continue  # the storage provider sees no case until goods are stored with it
            mine = [n for n in nodes if n["relation"] == "owner" and n["closedOn"] is None]
            # The demo dates some judgments ahead; an eviction a month from now may not
            # precede its judgment, and a refusal for that would say nothing about load.
            evictions = {
                n["id"]: n["phase"] == "EVICTION"
                for n in mine
                if n["phase"] in ("JUDGMENT_SERVED", "EVICTION")
                and n["judgmentGrantedOn"] <= today.isoformat()
            }
            partners.append(
                Partner(
                    spec.id,
                    kid,
                    key,
                    spec.municipalities,
                    tuple(n["id"] for n in nodes),
                    tuple(n["id"] for n in mine),
                    evictions,
                )
            )
    return partners


def _clients(partners: list[Partner], base_urls: list[str], count: int) -> list[Client]:
    # Partners take turns, and so do the ports: a load balancer's round robin.
    return [
        Client(partners[n % len(partners)], base_urls[n % len(base_urls)], random.Random(n))
        for n in range(count)
    ]


def _warm_up(partners: list[Partner], base_urls: list[str]) -> None:
    """One read per partner on every process: pools, caches and the policy engine filled."""
    for base_url in base_urls:
        for p in partners:
            _graphql(base_url, p.id, p.kid, p.key, CASES, {"filter": None})


@dataclass(frozen=True)
class Configuration:
    """One measured configuration: database, server processes and partner clients."""

    database: str
    processes: int
    clients: int


def _counts(counter: Counter[str]) -> str:
    return ", ".join(f"{name} {n}" for name, n in counter.most_common()) or "none"


def report(config: Configuration, run: Run, load: str) -> None:
    """Print one configuration's row of the table."""
    p50, p95, p99 = run.percentiles()
    print(
        f"{config.database:<10} {config.processes:>4} {config.clients:>7} "
        f"{len(run.answered()):>8} {run.throughput():>8.1f} {p50:>8.0f} {p95:>8.0f} {p99:>8.0f} "
        f"{sum(run.errors().values()):>7} {run.client_cpu:>7.2f} {load:>15}"
    )
    print(f"{'':>22}refused: {_counts(run.refused())}; errors: {_counts(run.errors())}")


HEADER = (
    f"{'database':<10} {'proc':>4} {'clients':>7} {'answered':>8} {'req/s':>8} {'p50 ms':>8} "
    f"{'p95 ms':>8} {'p99 ms':>8} {'errors':>7} {'gen cpu':>7} {'load at start':>15}"
)


@dataclass(frozen=True)
class Authentication:
    """L4: requests/s of a trivial authenticated read and of ``GET /checkpoint``."""

    typename: float
    checkpoint: float
    errors: Counter[str]


def measure(
    database: str, template: str, partners: list[Partner], options: argparse.Namespace, folder: Path
) -> tuple[dict[Configuration, Run], Authentication]:
    """Every configuration of one database, then the L4 windows on one process."""
    runs: dict[Configuration, Run] = {}
    for processes in options.processes:
        for count in options.clients:
            config = Configuration(database, processes, count)
            name = f"p{processes}c{count}"
            with (
                servers.copy_of(template, folder, name) as url,
                serving(url, processes, folder) as bases,
            ):
                _warm_up(partners, bases)
                load = loadavg()
                runs[config] = asyncio.run(
                    closed_loop(_clients(partners, bases, count), Client.mixed, options.duration)
                )
            report(config, runs[config], load)
    with servers.copy_of(template, folder, "l4") as url, serving(url, 1, folder) as bases:
        _warm_up(partners, bases)
        clients = _clients(partners, bases, min(options.clients))
        window = min(2.0, options.duration / 2)
        rounds = max(1, round(options.duration / (2 * window)))
        served = {"typename": 0.0, "checkpoint": 0.0}
        errors: Counter[str] = Counter()
        for _ in range(rounds):  # alternate, so drift hits both alike
            for call in (Call("typename", TYPENAME), Call("checkpoint", None)):
                run = asyncio.run(closed_loop(clients, lambda _c, c=call: c, window))
                served[call.label] += run.throughput() / rounds
                errors += run.errors()
    return runs, Authentication(served["typename"], served["checkpoint"], errors)


def _versus(mine: float, other: float) -> str:
    ratio = f"{mine / other:.2f}x" if other else "n/a"
    return f"{mine:.1f} / {other:.1f} req/s = {ratio}"


def ratios(
    runs: dict[Configuration, Run], l4: dict[str, Authentication], options: argparse.Namespace
) -> None:
    """Print the measures L1 to L4 of the issue (see the module docstring)."""
    most, fewest = max(options.clients), min(options.clients)
    print()
    print(f"L1 errors at {most} clients (of requests sent):")
    for config, run in runs.items():
        if config.clients == most:
            sent = len(run.records) + run.unfinished
            total = sum(run.errors().values())
            print(
                f"  {config.database:<10} {config.processes} proc: {total} of {sent} "
                f"({_counts(run.errors())})"
            )
    if most != fewest:
        print(f"L2 throughput at {most} clients ÷ at {fewest}:")
        for config, run in runs.items():
            if config.clients == most:
                base = runs[Configuration(config.database, config.processes, fewest)]
                print(
                    f"  {config.database:<10} {config.processes} proc: "
                    + _versus(run.throughput(), base.throughput())
                )
    if {1, 2} <= set(options.processes):
        print("L3 throughput with 2 processes ÷ with 1 (the issue's L3 is PostgreSQL's):")
        for config, run in runs.items():
            if config.processes == 2:
                one = runs[Configuration(config.database, 1, config.clients)]
                print(
                    f"  {config.database:<10} {config.clients:>3} clients: "
                    + _versus(run.throughput(), one.throughput())
                )
    print(f"L4 {{ __typename }} with a fresh token ÷ GET /checkpoint, {fewest} clients, 1 proc:")
    for database, auth in l4.items():
        print(
            f"  {database:<10} {_versus(auth.typename, auth.checkpoint)} "
            f"(errors: {_counts(auth.errors)})"
        )


def _reachable(postgres: str) -> bool:
    try:
        engine = create_engine(
            make_url(postgres).set(drivername="postgresql+psycopg"),
            connect_args={"connect_timeout": 3},
        )
        try:
            with engine.connect():
                return True
        finally:
            engine.dispose()
    except SQLAlchemyError:
        return False


def _numbers(value: str) -> list[int]:
    return sorted({int(n) for n in value.split(",")})


def main() -> int:
    """Run the benchmark; the exit code is 2 when the harness itself failed."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database", choices=(*DATABASES, "both"), help="Default: both if PostgreSQL answers."
    )
    parser.add_argument("--postgres", default=DEFAULT_POSTGRES, help="PostgreSQL server URL.")
    parser.add_argument("--clients", type=_numbers, default=[8, 50], help="e.g. 8,50")
    parser.add_argument("--processes", type=_numbers, default=[1, 2], help="e.g. 1,2")
    parser.add_argument("--duration", type=float, default=None, help="Seconds per run (20).")
    parser.add_argument("--quick", action="store_true", help="3 s per run: a smoke check.")
    options = parser.parse_args()
    if options.duration is None:
        options.duration = 3.0 if options.quick else 20.0
    postgres_up = _reachable(options.postgres)
    choice = options.database or ("both" if postgres_up else "sqlite")
    databases = [name for key, name in DATABASES.items() if choice in (key, "both")]
    try:
        if "PostgreSQL" in databases and not postgres_up:
            raise HarnessError(f"PostgreSQL at {make_url(options.postgres)!r} does not answer")
        print(
            f"load average at start {loadavg()} ({os.cpu_count()} cores); "
            f"{options.duration:g} s per run, request timeout {REQUEST_TIMEOUT:g} s; "
            "mix 80 % reads, 20 % writes; latencies of answered requests; gen cpu: the cores "
            "this load generator used itself"
        )
        runs: dict[Configuration, Run] = {}
        l4: dict[str, Authentication] = {}
        for database in databases:
            with tempfile.TemporaryDirectory() as directory:
                folder = Path(directory)
                LogSigner.generate(LOG_ORIGIN).write(folder / "log-signer.key")
                server = options.postgres if database == "PostgreSQL" else None
                with scratch_database(server, folder, "load") as template:
                    partners = prepare(template, folder)
                    print(f"\n== {database}: {len(partners)} partners with cases\n{HEADER}")
                    measured, l4[database] = measure(database, template, partners, options, folder)
                    runs |= measured
        ratios(runs, l4, options)
        print(f"\nload average at end {loadavg()}")
    except (HarnessError, servers.ServerStartError) as exc:
        print(f"bench_load: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
