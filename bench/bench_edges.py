"""The registry's edges under attack: what a small query costs while others attack, and how fast
each attack is refused (issue 10's measure).

Against one real ``ketenregister serve`` process on a fresh copy of the demo (SQLite):

- A small query (one case by id) is timed in alternating windows: alone, and while 20 clients
  of another partner (in a process of their own) send large requests: 30 aliases of
  ``cases(first: 500)`` (the largest the old limits let through, refused now), and the
  costliest page the limits allow. Printed: the small query's p50/p99 in both, and p99 with ÷
  without (aim ≤ 1.5×).
- Each attack is sent a number of times and the median time to its refusal printed, with the
  answer's status and code (aim < 100 ms each): a body nested 1,000 levels deep, a 1 MB token,
  a 40,000-character ``jti``, a 5,000-character contact name, the costly query above, a
  private webhook address, a partner over its rate.

The machine is shared and noisy: read the ratio and the orders of magnitude, with the load
average printed next to them. Run from the repository root::

    .venv/bin/python bench/bench_edges.py
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

# A plain script run puts bench/ on sys.path, not the repository root.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import httpx
from bench_load import AUDIENCE, LOG_ORIGIN, loadavg, prepare, serving
from joserfc import jwt
from joserfc.jwk import OKPKey

from clients.tokens import sign_token
from registry.auditlog.signer import LogSigner

LARGE = (
    "{ " + " ".join(f"a{n}: cases(first: 500) {{ nodes {{ id phase }} }}" for n in range(30)) + " }"
)
#: The costliest request the limits let through: a page of 500 cases with their involvements.
COSTLY = "{ cases(first: 500) { nodes { id phase evictionDate involvements { partner role } } } }"
SMALL = "query($id: ID!) { case(id: $id) { id phase } }"
REGISTER = """mutation($input: RegisterCaseInput!) { registerCase(input: $input) { id } }"""
SUBSCRIBE = """mutation { subscribeWebhook(url: "https://10.0.0.1/hook",
  eventTypes: ["case.closed"]) { subscription { id } } }"""


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


class Partner:
    """A demo partner that signs its own tokens."""

    def __init__(self, keys: Path, partner_id: str) -> None:
        document = json.loads((keys / f"{partner_id}.json").read_text())
        self.id, self.kid, self.pem = partner_id, document["kid"], document["private_key"]

    def token(self, **claims: Any) -> str:
        if not claims:
            return sign_token(
                partner_id=self.id, key_id=self.kid, private_key=self.pem, audience=AUDIENCE
            )
        now = int(time.time())
        payload = {"iss": self.id, "sub": self.id, "aud": AUDIENCE, "iat": now, "exp": now + 60}
        payload |= {"jti": secrets.token_urlsafe(24)} | claims
        header = {"alg": "Ed25519", "kid": self.kid}
        return jwt.encode(header, payload, OKPKey.import_key(self.pem), algorithms=["Ed25519"])


def _post(
    http: httpx.Client, token: str, body: bytes | dict[str, Any], timeout: float = 30
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    return http.post("/graphql", content=content, headers=headers, timeout=timeout)


def _attack(base_url: str, attacker: Partner, query: str, stop: threading.Event) -> None:
    with httpx.Client(base_url=base_url) as own:
        while not stop.is_set():
            _post(own, attacker.token(), {"query": query})


def _attack_process(base_url: str, attacker: Partner, query: str, seconds: float) -> None:
    """20 attacking clients in a process of their own, so that their work does not share an
    interpreter lock with the client whose small queries are timed."""
    stop = threading.Event()
    threads = [
        threading.Thread(target=_attack, args=(base_url, attacker, query, stop)) for _ in range(20)
    ]
    for thread in threads:
        thread.start()
    time.sleep(seconds)
    stop.set()
    for thread in threads:
        thread.join()


def small_query_windows(
    base_url: str, reader: Partner, attacker: Partner, case_id: str, seconds: float, query: str
) -> tuple[list[float], list[float]]:
    """Small-query latencies alone and under attack, in alternating windows."""
    alone: list[float] = []
    attacked: list[float] = []
    with httpx.Client(base_url=base_url) as http:
        for window in range(6):
            under_attack = window % 2 == 1
            attackers = None
            if under_attack:
                attackers = multiprocessing.Process(
                    target=_attack_process, args=(base_url, attacker, query, seconds + 0.5)
                )
                attackers.start()
                time.sleep(0.5)
            end = time.monotonic() + seconds
            while time.monotonic() < end:
                started = time.monotonic()
                answer = _post(http, reader.token(), {"query": SMALL, "variables": {"id": case_id}})
                took = time.monotonic() - started
                if answer.status_code == 200:
                    (attacked if under_attack else alone).append(took)
                time.sleep(0.02)
            if attackers is not None:
                attackers.join()
    return alone, attacked


def refusal_times(base_url: str, owner: Partner, repeats: int) -> list[tuple[str, float, str]]:
    """(attack, median seconds to the refusal, status and code of the answer)."""
    long_name = {
        "municipality": "sittard-geleen",
        "householdComposition": "SINGLE",
        "childrenInvolved": False,
        "arrearsAmount": "1650.00",
        "arrearsMonths": 3,
        "reasons": ["RENT_ARREARS"],
        "contact": {"name": "x" * 5000, "address": "Proefweg 1", "postalCode": "6131 AA"},
        "contactAttempted": True,
        "debtHelpReferred": True,
        "reminderSent": True,
        "tenantDidNotObject": True,
    }
    attacks: dict[str, Callable[[httpx.Client], httpx.Response]] = {
        "body nested 1,000 deep": lambda h: _post(h, owner.token(), b"[" * 1000 + b"]" * 1000),
        "1 MB token": lambda h: _post(h, "x" * 1_000_000, {"query": "{ __typename }"}),
        "40,000-character jti": lambda h: _post(
            h, owner.token(jti="j" * 40_000), {"query": "{ __typename }"}
        ),
        "5,000-character name": lambda h: _post(
            h, owner.token(), {"query": REGISTER, "variables": {"input": long_name}}
        ),
        "30 x cases(first: 500)": lambda h: _post(h, owner.token(), {"query": LARGE}),
        "private webhook address": lambda h: _post(h, owner.token(), {"query": SUBSCRIBE}),
    }
    results = []
    with httpx.Client(base_url=base_url) as http:
        for name, send in attacks.items():
            times, outcome = [], ""
            for _ in range(repeats):
                started = time.monotonic()
                try:
                    answer = send(http)
                    body = answer.json()
                    code = body["errors"][0]["extensions"]["code"] if "errors" in body else "OK"
                    outcome = f"{answer.status_code} {code}"
                except (httpx.HTTPError, ValueError, KeyError) as exc:
                    outcome = type(exc).__name__
                times.append(time.monotonic() - started)
            results.append((name, statistics.median(times), outcome))
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--window", type=float, default=4.0, help="Seconds per window.")
    parser.add_argument("--repeats", type=int, default=9, help="Sends of each attack.")
    options = parser.parse_args()
    print(f"load average at start {loadavg()} (2 cores)")
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        url = f"sqlite:///{folder / 'registry.sqlite3'}"
        LogSigner.generate(LOG_ORIGIN).write(folder / "log-signer.key")
        partners = {p.id: p for p in prepare(url, folder)}
        keys = folder / "keys"
        reader, attacker = Partner(keys, "zowonen"), Partner(keys, "nijestee")
        case_id = partners["zowonen"].cases[0]
        with serving(url, 1, folder) as (base_url,):
            windows = {
                name: small_query_windows(
                    base_url, reader, attacker, case_id, options.window, query
                )
                for name, query in (("refused", LARGE), ("costly", COSTLY))
            }
            refusals = refusal_times(base_url, Partner(keys, "zowonen"), options.repeats)
    ms = 1000
    titles = {
        "refused": "30 x cases(first: 500), refused by the cost limit",
        "costly": "the costliest page the limits allow (500 cases)",
    }
    for attack, (alone, attacked) in windows.items():
        print(f"20 clients of another partner sending {titles[attack]}:")
        for name, values in (("alone", alone), ("under attack", attacked)):
            p50, p99 = statistics.median(values) * ms, _percentile(values, 0.99) * ms
            print(
                f"  small query {name:13s} n={len(values):4d}  p50 {p50:6.1f} ms  p99 {p99:6.1f} ms"
            )
        ratio = _percentile(attacked, 0.99) / _percentile(alone, 0.99)
        print(f"  p99 under attack / alone: {ratio:.2f}x (aim <= 1.5x)")
    print("time to refuse each attack (median):")
    for name, seconds, outcome in refusals:
        print(f"  {name:26s} {seconds * ms:7.1f} ms  {outcome}")
    print(f"load average at end {loadavg()}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
