"""P3: what a large case list costs over the floor of reading the same data, side by side.

Lists 10,000 cases with every field of the case record (and, in a second shape, the
household's sealed contact details too) through the real schema: strawberry execution, the
disclosure choke point with the policies enforced, the access-log records of the page. The
floor is what any server must do for the same answer: a SQLAlchemy Core select of the same
columns (and involvements; for contact details, unwrapping each case's key and opening its
values), built into the same JSON and ``json.dumps``-ed. The figure is the registry's time
÷ the floor's, medians of alternating runs in one process, so machine noise hits both alike.

    .venv/bin/python bench/bench_lists.py [--cases 10000] [--repeats 5]

The in-process run gives the disclosure the partner's involvement roles as the server does
(``registry.access.roles``), so the policies that name a role cost what they cost served.

Each is measured with the garbage collector as Python leaves it and as ``ketenregister serve``
tunes it (``registry.cli.server.tune_collector``), floor and registry alike.

Aim (issue 17): P3 at most 3x.
"""

from __future__ import annotations

import argparse
import datetime as dt
import gc
import json
import os
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import bench_disclosure as listing
import httpx
from sqlalchemy import select

from clients.tokens import load_private_key, sign_token
from policies.decisions import PolicyEffect
from registry.access import accesslog
from registry.access.disclosure import Disclosure
from registry.access.policystore import active_rows, policy_engine
from registry.access.principal import Principal
from registry.access.roles import InvolvementRoles
from registry.auditlog.signer import LogSigner
from registry.cases import lists as case_lists
from registry.cli import server
from registry.db import make_engine, make_session_factory
from registry.demo import seed as demo
from registry.migrate import upgrade
from registry.models import AccessPolicy, Case, CaseContact, Involvement, PolicyKind
from registry.privacy import keys
from registry.request import RequestScope
from registry.tracing import trace_from_header
from schema.build import build_schema
from tests import servers

RECORD = """{ cases(first: %d) { nodes { id relation withheld municipality owner phase reasons
  householdComposition childrenInvolved arrearsAmount arrearsMonths
  earlySignalChecks { contactAttempted debtHelpReferred reminderSent tenantDidNotObject }
  earlySignalledOn judgmentRequestedOn judgmentGrantedOn evictionDate evictionOutcome
  shelterArranged housingBlockUntil involvements { partner role since } registeredAt }
  pageInfo { endCursor hasNextPage } } }"""
WITH_CONTACT = listing.ALL_FIELDS

_COLUMNS = (
    Case.id,
    Case.municipality_code,
    Case.owner_id,
    Case.phase,
    Case.reasons,
    Case.household_composition,
    Case.children_involved,
    Case.arrears_amount,
    Case.arrears_months,
    Case.contact_attempted,
    Case.debt_help_referred,
    Case.reminder_sent,
    Case.tenant_did_not_object,
    Case.early_signalled_on,
    Case.judgment_requested_on,
    Case.judgment_granted_on,
    Case.eviction_date,
    Case.eviction_outcome,
    Case.shelter_arranged,
    Case.housing_block_until,
    Case.registered_at,
    Case.data_key,
)
_CONTACT = ("name", "address", "postal_code", "phone", "email")
_CONTACT_KEYS = ("contactName", "contactAddress", "contactPostalCode", "contactPhone")


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _floor(sessions, size: int, contact: bool) -> float:  # type: ignore[no-untyped-def]
    """Read and serialise the same answer with Core and ``json``: the floor."""
    gc.collect()
    began = time.perf_counter()
    with sessions() as session:
        rows = session.execute(
            select(*_COLUMNS).order_by(Case.registered_at, Case.id).limit(size)
        ).all()
        ids = [r.id for r in rows]
        involved: dict[Any, list[dict[str, str]]] = defaultdict(list)
        for case_id, partner, role, since in session.execute(
            select(
                Involvement.case_id, Involvement.partner_id, Involvement.role, Involvement.since
            ).where(Involvement.case_id.in_(ids), Involvement.released_at.is_(None))
        ):
            involved[case_id].append(
                {"partner": partner, "role": str(role).upper(), "since": since.isoformat()}
            )
        contacts: dict[Any, Any] = {}
        if contact:
            stored = [getattr(CaseContact, f"sealed_{c}") for c in _CONTACT]
            for row in session.execute(
                select(CaseContact.case_id, *stored).where(CaseContact.case_id.in_(ids))
            ):
                contacts[row[0]] = row[1:]
        kek = keys.current()
        nodes = []
        for r in rows:
            node = {
                "id": str(r.id),
                "relation": "INVOLVED",
                "withheld": [],
                "municipality": r.municipality_code,
                "owner": r.owner_id,
                "phase": str(r.phase).upper(),
                "reasons": [str(x) for x in r.reasons],
                "householdComposition": str(r.household_composition).upper(),
                "childrenInvolved": r.children_involved,
                "arrearsAmount": str(r.arrears_amount),
                "arrearsMonths": r.arrears_months,
                "earlySignalChecks": {
                    "contactAttempted": r.contact_attempted,
                    "debtHelpReferred": r.debt_help_referred,
                    "reminderSent": r.reminder_sent,
                    "tenantDidNotObject": r.tenant_did_not_object,
                },
                "earlySignalledOn": _date(r.early_signalled_on),
                "judgmentRequestedOn": _date(r.judgment_requested_on),
                "judgmentGrantedOn": _date(r.judgment_granted_on),
                "evictionDate": _date(r.eviction_date),
                "evictionOutcome": r.eviction_outcome,
                "shelterArranged": r.shelter_arranged,
                "housingBlockUntil": _date(r.housing_block_until),
                "involvements": involved[r.id],
                "registeredAt": r.registered_at.isoformat(),
            }
            if contact:
                sealed = contacts[r.id]
                cipher = keys.CaseCipher(r.id, kek.unwrap(r.id, r.data_key))
                for key, column, value in zip(_CONTACT_KEYS, _CONTACT, sealed, strict=False):
                    node[key] = value and cipher.open(f"case_contact.{column}", value)
                node["contactEmail"] = None
            nodes.append(node)
        body = json.dumps({"data": {"cases": {"nodes": nodes}}})
    elapsed = time.perf_counter() - began
    assert len(nodes) == size and body
    return elapsed


def _registry(sessions, schema, engine, size: int, contact: bool) -> float:  # type: ignore[no-untyped-def]
    """The same answer through the registry: schema, disclosure, access log, JSON."""
    gc.collect()
    began = time.perf_counter()
    with sessions() as session:
        principal = Principal(
            listing.PARTNER, "bailiff", frozenset(), None, listing.PURPOSE, trace_from_header(None)
        )
        # The partner's roles as the server reads them, for the policies that name a role.
        roles = InvolvementRoles(session, principal.partner_id)
        disclosure = Disclosure(engine, principal, today=dt.date.today(), roles_of=roles)
        scope = RequestScope(session, principal, disclosure, dt.datetime.now(dt.UTC))
        document = (WITH_CONTACT if contact else RECORD) % size
        result = schema.execute_sync(document, context_value=scope)
        accesslog.write(session, disclosure, "bench", scope.now)
        session.flush()
        body = json.dumps({"data": result.data}, default=str)
        session.rollback()
    elapsed = time.perf_counter() - began
    assert not result.errors, result.errors
    assert len(result.data["cases"]["nodes"]) == size and body  # type: ignore[index]
    return elapsed


AUDIENCE = "ketenregister-bench"
#: The most cases one HTTP request may ask for (``registry.cases.lists.MAX_PAGE``).
HTTP_PAGE = 500


def _grant_everything(url: str) -> None:
    """The grant that releases every field to the bench partner, issued in the database, so
    that a server process applies it too."""
    sessions = make_session_factory(make_engine(url))
    with sessions.begin() as session:
        session.add(
            AccessPolicy(
                kind=PolicyKind.GRANT,
                issuer_id="gemeente-zaanstad",
                subject=f"partner:{listing.PARTNER}",
                relation="involved",
                municipality="*",
                owner="*",
                fields=["all"],
                purposes=[listing.PURPOSE],
                valid_until=dt.date(2099, 12, 31),
            )
        )


def _over_http(base_url: str, kid: str, key: Any, size: int) -> float:
    """The same list read page by page over HTTP, as a partner system reads it."""
    gc.collect()
    began = time.perf_counter()
    after, read = None, 0
    with httpx.Client(base_url=base_url, timeout=600) as client:
        while read < size:
            token = sign_token(
                partner_id=listing.PARTNER,
                key_id=kid,
                private_key=key,
                audience=AUDIENCE,
                purpose=listing.PURPOSE,
            )
            document = RECORD.replace("cases(first: %d)", "cases(first: %d, after: $after)")
            response = client.post(
                "/graphql",
                json={
                    "query": "query($after: String) " + document % min(HTTP_PAGE, size - read),
                    "variables": {"after": after},
                },
                headers={"Authorization": f"Bearer {token}"},
            )
            body = response.json()
            assert response.status_code == 200 and not body.get("errors"), body
            page = body["data"]["cases"]
            read += len(page["nodes"])
            after = page["pageInfo"]["endCursor"]
    return time.perf_counter() - began


def _measure_http(url: str, folder: Path, size: int, repeats: int) -> None:
    """P3h: the list over HTTP from one ``ketenregister serve`` process ÷ the floor."""
    sessions = make_session_factory(make_engine(url))
    with sessions.begin() as session:
        demo.write_keys(session, folder / "keys", registry_url="http://bench", audience=AUDIENCE)
    keyfile = json.loads((folder / "keys" / f"{listing.PARTNER}.json").read_text())
    kid, key = keyfile["kid"], load_private_key(keyfile["private_key"])
    LogSigner.generate().write(folder / "log-signer.key")
    env = {
        "KETENREGISTER_AUDIENCE": AUDIENCE,
        "KETENREGISTER_LOG_KEY_FILE": str(folder / "log-signer.key"),
        "KETENREGISTER_DATA_KEY": keys.current().encoded,
    }
    with servers.serving(url, folder, processes=1, env=env, worker=False) as (base_url,):
        _over_http(base_url, kid, key, size)  # warm the server's caches
        ours, floor = [], []
        for _ in range(repeats):
            ours.append(_over_http(base_url, kid, key, size))
            floor.append(_floor(sessions, size, False))
    m_ours, m_floor = statistics.median(ours), statistics.median(floor)
    pages = -(-size // HTTP_PAGE)
    print(
        f"{'P3h over HTTP':<18} {'served':<9} {m_ours:>8.3f}s {m_floor:>7.3f}s "
        f"{m_ours / m_floor:>6.2f}x   ({pages} pages of at most {HTTP_PAGE})"
    )


def _collector(how: str) -> None:
    """The garbage collector as Python leaves it, or as ``ketenregister serve`` tunes it."""
    if how == "served":
        server.tune_collector()
    else:
        gc.unfreeze()
        gc.set_threshold(*DEFAULT_COLLECTOR)


DEFAULT_COLLECTOR = gc.get_threshold()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args()
    if keys.from_environment() is None:
        keys.install(keys.KeyEncryptionKey.generate())  # the bench's own, thrown away after
    case_lists.MAX_PAGE = options.cases
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        upgrade(url)
        listing._fill(url, options.cases)
        _grant_everything(url)
        sessions = make_session_factory(make_engine(url))
        with sessions() as session:
            # The demo's grants and the bench's, which releases every field to the bench
            # partner: the registry and the floor send the same.
            rows = [r for r in active_rows(session) if r.effect is PolicyEffect.GRANT]
        engine = policy_engine(rows)
        schema = build_schema(introspection=False, max_tokens=10_000, max_cost=10**9)
        print(f"{options.cases} cases, SQLite; load average {os.getloadavg()[0]:.2f}")
        print("medians of alternating runs; the collector as Python leaves it, then as served")
        print(f"{'shape':<18} {'collector':<9} {'registry':>9} {'floor':>8} {'ratio':>7}")
        for label, contact in (("P3 case record", False), ("P3c with contact", True)):
            _registry(sessions, schema, engine, options.cases, contact)  # warm the caches
            _floor(sessions, options.cases, contact)
            times: dict[tuple[str, str], list[float]] = defaultdict(list)
            for _ in range(options.repeats):  # alternate, so drift hits every variant alike
                for collector in ("default", "served"):
                    _collector(collector)
                    times[collector, "ours"].append(
                        _registry(sessions, schema, engine, options.cases, contact)
                    )
                    times[collector, "floor"].append(_floor(sessions, options.cases, contact))
            _collector("default")
            for collector in ("default", "served"):
                ours = statistics.median(times[collector, "ours"])
                floor = statistics.median(times[collector, "floor"])
                print(
                    f"{label:<18} {collector:<9} {ours:>8.3f}s {floor:>7.3f}s {ours / floor:>6.2f}x"
                )
        _measure_http(url, Path(folder), options.cases, options.repeats)
        print(f"aim: P3 at most 3x, P3h at most 3.5x; load average after {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
