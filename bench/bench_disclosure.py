"""What enforcing the access policies costs on large case lists, measured side by side.

Lists 1,000 and 10,000 cases with every field through the real schema (strawberry execution,
the disclosure choke point, the access log), once with enforcement on and once off, on the same
SQLite data, and counts the Casbin decisions each request takes.

    .venv/bin/python bench/bench_disclosure.py

The API caps a page at 500 cases; this script lifts the cap so that one request covers N cases.
"""

from __future__ import annotations

import datetime as dt
import gc
import statistics
import tempfile
import time
import uuid
from decimal import Decimal
from pathlib import Path

from sqlalchemy import insert

from policies import PolicyEngine, PolicyRow
from policies.decisions import PolicyEffect
from registry.access import accesslog
from registry.access.disclosure import Disclosure
from registry.access.policystore import active_rows, policy_engine
from registry.access.principal import Principal
from registry.cases import lists as case_lists
from registry.db import make_engine, make_session_factory
from registry.demo import seed as demo
from registry.migrate import upgrade
from registry.models import Case, CaseContact, Involvement, Phase
from registry.privacy import keys
from registry.request import RequestScope
from registry.tracing import trace_from_header
from schema.build import build_schema

ALL_FIELDS = """{ cases(first: %d) { nodes { id relation withheld municipality owner phase reasons
  householdComposition childrenInvolved arrearsAmount arrearsMonths
  earlySignalChecks { contactAttempted debtHelpReferred reminderSent tenantDidNotObject }
  earlySignalledOn judgmentRequestedOn judgmentGrantedOn evictionDate evictionOutcome
  shelterArranged housingBlockUntil involvements { partner role since } registeredAt
  contactName contactAddress contactPostalCode contactPhone contactEmail } } }"""

OWNERS = ("zowonen", "nijestee", "ieder1", "parteon")  # four owners x seven phases: 28 keys
PHASES = tuple(str(p) for p in Phase)
PURPOSE = "eviction_prevention"  # what the bench partner's request names
PARTNER = "flanderijn"  # a bailiff working everywhere, involved in every bench case


def _fill(url: str, count: int) -> None:
    sessions = make_session_factory(make_engine(url))
    with sessions.begin() as session:
        demo.seed(session, cases_per_municipality=0)
        start = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
        case_rows, contacts, involvements = [], [], []
        for n in range(count):
            case_id = uuid.uuid4()
            municipality = ("zaanstad", "sittard-geleen", "deventer", "groningen")[n % 4]
            case_rows.append(
                {
                    "id": case_id,
                    "municipality_code": municipality,
                    "owner_id": OWNERS[n % 4],
                    # Every phase: decisions are keyed by phase too (policy conditions).
                    "phase": PHASES[n % len(PHASES)],
                    "reasons": ["rent_arrears"],
                    "household_composition": "single",
                    "children_involved": False,
                    "arrears_amount": Decimal("2400.00"),
                    "arrears_months": 4,
                    "contact_attempted": True,
                    "debt_help_referred": True,
                    "reminder_sent": True,
                    "tenant_did_not_object": True,
                    "early_signalled_on": dt.date(2025, 1, 1),
                    "eviction_date": dt.date(2026, 12, 1),
                    "registered_at": start + dt.timedelta(minutes=n),
                    "updated_at": start,
                    "version": 1,
                }
            )
            contacts.append(
                CaseContact(
                    case_id=case_id, name=f"Bench {n}", address="Proefweg 1", postal_code="1000 AA"
                )
            )
            involvements.append(
                {
                    "id": uuid.uuid4(),
                    "case_id": case_id,
                    "partner_id": PARTNER,
                    "role": "bailiff",
                    "since": start,
                    "involved_by": OWNERS[n % 4],
                }
            )
        session.execute(insert(Case), case_rows)
        session.execute(insert(Involvement), involvements)
        # Through the ORM: contact details are sealed under each case's data key on flush.
        session.add_all(contacts)


def _run(sessions, schema, engine: PolicyEngine, size: int, enforce: bool) -> tuple[float, int]:  # type: ignore[no-untyped-def]
    before = engine.decisions_taken
    gc.collect()  # start every run with the same heap, so the collector's pauses fall alike
    with sessions() as session:
        principal = Principal(
            PARTNER, "bailiff", frozenset(), None, PURPOSE, trace_from_header(None)
        )
        disclosure = Disclosure(engine, principal, today=dt.date.today(), enforce=enforce)
        scope = RequestScope(session, principal, disclosure, dt.datetime.now(dt.UTC))
        began = time.perf_counter()
        result = schema.execute_sync(ALL_FIELDS % size, context_value=scope)
        accesslog.write(session, disclosure, "bench", scope.now)
        session.flush()
        elapsed = time.perf_counter() - began
        session.rollback()
    assert not result.errors, result.errors
    assert len(result.data["cases"]["nodes"]) == size  # type: ignore[index]
    return elapsed, engine.decisions_taken - before


def main() -> None:
    if keys.from_environment() is None:
        keys.install(keys.KeyEncryptionKey.generate())  # the bench's own, thrown away after
    case_lists.MAX_PAGE = 10_000
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        upgrade(url)
        _fill(url, 10_000)
        sessions = make_session_factory(make_engine(url))
        with sessions() as session:
            # The demo's grants, plus one that releases every field to the bench partner and
            # no restrictions: enforcement on then yields the same output as off, so the
            # difference is the cost of deciding, not of sending fewer fields.
            rows = [r for r in active_rows(session) if r.effect is PolicyEffect.GRANT]
        rows.append(
            PolicyRow(
                "bench",
                PolicyEffect.GRANT,
                f"partner:{PARTNER}",
                "involved",
                "*",
                "*",
                ("all",),
                purposes=(PURPOSE,),
                valid_until="2099-12-31",
            )
        )
        # One request for 10,000 cases, on purpose: far over the production cost limit.
        schema = build_schema(introspection=False, max_tokens=10_000, max_cost=10**9)
        # cold: a new policy engine per request (right after a policy change), so every
        # decision the request needs is taken and counted; warm: the engine the server keeps
        # between requests while the policy version stands.
        warm = policy_engine(rows)
        print("median of repeated runs, alternating; seconds per request")
        print(
            f"{'cases':>7} {'off':>8} {'on, cold':>9} {'on, warm':>9} {'cold/off':>9} "
            f"{'warm/off':>9} {'decisions (cold)':>17}"
        )
        for size, repeats in ((1_000, 9), (10_000, 5)):
            _run(sessions, schema, warm, size, True)  # fill the database's and engine's caches
            off, cold, hot, decisions = [], [], [], set()
            for _ in range(repeats):  # alternate, so drift hits every variant alike
                off.append(_run(sessions, schema, warm, size, False)[0])
                seconds, taken = _run(sessions, schema, policy_engine(rows), size, True)
                cold.append(seconds)
                decisions.add(taken)
                hot.append(_run(sessions, schema, warm, size, True)[0])
            m_off, m_cold, m_hot = (statistics.median(x) for x in (off, cold, hot))
            print(
                f"{size:>7} {m_off:>7.3f}s {m_cold:>8.3f}s {m_hot:>8.3f}s {m_cold / m_off:>9.2f} "
                f"{m_hot / m_off:>9.2f} {sorted(decisions)!s:>17}"
            )


if __name__ == "__main__":
    main()
