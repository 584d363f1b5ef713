"""The eviction monitor, through the real app and the command line: figures checked against
counts made independently from the rows, small cells suppressed, a municipality one does not
work in refused, and the demo's history in the order of magnitude of the report's Appendix 3."""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from registry.cli import main as cli
from registry.demo import history
from registry.models import (
    AgreementStatus,
    Case,
    EvictionOutcome,
    OutboxEvent,
    Phase,
    SecondChanceAgreement,
)
from registry.monitor.figures import MEASURES, MIN_CELL
from tests.arrange import case_in
from tests.conftest import Clock, GraphQL
from tests.helpers import error_codes

MONITOR = """query($by: MonitorBy!, $from: Int!, $to: Int!, $in: [String!]) {
  evictionMonitor(by: $by, fromYear: $from, toYear: $to, municipalities: $in) { year key
  signals judgmentsRequested judgmentsGranted evictionsScheduled evictionsCalledOff
  evictionsExecuted householdsGone prevented agreementsMade agreementsCompleted
  agreementsBreached agreementsEndedOtherwise suppressed } }"""
CAMEL = {
    m: "".join(w.capitalize() if i else w for i, w in enumerate(m.split("_"))) for m in MEASURES
}


def _independent(sessions: sessionmaker[Session], key_of: str) -> Counter[tuple[int, str, str]]:
    """(year, key, measure) -> count, made in Python from every row: the test's own count."""
    tally: Counter[tuple[int, str, str]] = Counter()
    with sessions() as session:
        cases = {c.id: c for c in session.scalars(select(Case))}
        events = session.execute(
            select(OutboxEvent.type, OutboxEvent.case_id, OutboxEvent.occurred_at)
        ).all()
        agreements = session.scalars(select(SecondChanceAgreement)).all()

    def key(case: Case) -> str:
        return case.owner_id if key_of == "corporation" else case.municipality_code

    seen: set[tuple[int, str, str, object]] = set()

    def count(day: dt.date | dt.datetime | None, case: Case, measure: str, item: object) -> None:
        if day is not None and (day.year, key(case), measure, item) not in seen:
            seen.add((day.year, key(case), measure, item))
            tally[(day.year, key(case), measure)] += 1

    for case in cases.values():
        count(case.early_signalled_on, case, "signals", case.id)
        count(case.judgment_requested_on, case, "judgments_requested", case.id)
        count(case.judgment_granted_on, case, "judgments_granted", case.id)
        if case.eviction_outcome in (EvictionOutcome.EXECUTED, EvictionOutcome.HOUSEHOLD_GONE):
            count(case.eviction_date, case, "evictions_scheduled", case.id)
        if case.eviction_outcome is EvictionOutcome.EXECUTED:
            count(case.eviction_date, case, "evictions_executed", case.id)
        if case.eviction_outcome is EvictionOutcome.HOUSEHOLD_GONE:
            count(case.eviction_date, case, "households_gone", case.id)
        if case.closure_outcome is not None and case.closure_outcome.startswith("prevented"):
            count(case.closed_on, case, "prevented", case.id)
    for type_, case_id, at in events:
        if type_ == "eviction.scheduled":
            count(at, cases[case_id], "evictions_scheduled", case_id)
        if type_ == "eviction.called_off":
            count(at, cases[case_id], "evictions_called_off", case_id)
    ends = {
        AgreementStatus.COMPLETED: "agreements_completed",
        AgreementStatus.BREACHED: "agreements_breached",
        AgreementStatus.ENDED_OTHERWISE: "agreements_ended_otherwise",
    }
    for agreement in agreements:
        case = cases[agreement.case_id]
        count(agreement.activated_at, case, "agreements_made", agreement.id)
        if agreement.status in ends:
            count(agreement.closed_at, case, ends[agreement.status], agreement.id)
    return tally


def _monitor(gql: GraphQL, partner: str, by: str, years: tuple[int, int], **more: Any) -> Any:
    variables = {"by": by, "from": years[0], "to": years[1], **more}
    body = gql(partner, MONITOR, variables)
    assert "errors" not in body, body
    return body["data"]["evictionMonitor"]


@pytest.mark.parametrize(
    ("partner", "by"), [("bureau-woonkans", "CORPORATION"), ("gemeente-groningen", "MUNICIPALITY")]
)
def test_the_figures_are_the_rows_counted_with_small_cells_suppressed(
    gql: GraphQL, sessions: sessionmaker[Session], clock: Clock, partner: str, by: str
) -> None:
    # An eviction scheduled and called off through the API, so the outbox counts too.
    today = clock.now.date()
    case_id = case_in(sessions, "nijestee", Phase.JUDGMENT_SERVED, today)
    date = (today + dt.timedelta(days=14)).isoformat()
    for mutation in (
        f'scheduleEviction(id: $id, date: "{date}", bailiff: "flanderijn") {{ id }}',
        "callOffEviction(id: $id) { id }",
    ):
        assert "errors" not in gql(
            "nijestee", f"mutation($id: ID!) {{ {mutation} }}", {"id": case_id}
        )

    years = (today.year - 6, today.year)
    rows = _monitor(gql, partner, by, years)
    expected = _independent(sessions, by.lower())
    # Both work in Groningen only: the monitor covers its cases, and only those.
    with sessions() as session:
        groningen = {
            c.owner_id if by == "CORPORATION" else c.municipality_code
            for c in session.scalars(select(Case).where(Case.municipality_code == "groningen"))
        }
    assert {r["key"] for r in rows} <= groningen
    shown = suppressed = 0
    for row in rows:
        for measure in MEASURES:
            want = expected[(row["year"], row["key"], measure)]
            got = row[CAMEL[measure]]
            if 0 < want < MIN_CELL:
                assert got is None and measure in row["suppressed"], (row, measure, want)
                suppressed += 1
            else:
                assert got == want, (row, measure)
                assert measure not in row["suppressed"]
                shown += want
    assert shown > 500 and suppressed > 0
    this_year = next(
        r for r in rows if r["year"] == today.year and r["key"] in ("nijestee", "groningen")
    )
    assert this_year["evictionsCalledOff"] is None  # one call-off: suppressed, not shown as 1
    assert "evictions_called_off" in this_year["suppressed"]


def test_a_municipality_one_does_not_work_in_is_refused(gql: GraphQL) -> None:
    refused = gql(
        "gemeente-groningen",
        MONITOR,
        {"by": "MUNICIPALITY", "from": 2021, "to": 2026, "in": ["zaanstad"]},
    )
    assert error_codes(refused) == ["NOT_ALLOWED"]
    assert refused["errors"][0]["message"] == "gemeente-groningen does not work in 'zaanstad'"
    assert refused["data"] is None
    # A bailiff does not read the monitor at all; nor do years out of range make sense.
    bailiff = gql("flanderijn", MONITOR, {"by": "MUNICIPALITY", "from": 2021, "to": 2026})
    assert bailiff["errors"][0]["message"] == "flanderijn does not read the eviction monitor"
    backwards = gql("gemeente-groningen", MONITOR, {"by": "MUNICIPALITY", "from": 2026, "to": 2021})
    assert error_codes(backwards) == ["INVALID_INPUT"]


def test_the_demo_history_looks_like_appendix_3_and_exports_as_csv(
    sessions: sessionmaker[Session], database_url: str
) -> None:
    with sessions.begin() as session:
        history.add(session, random.Random(history.SEED))
    result = CliRunner().invoke(
        cli, ["monitor", "--database-url", database_url, "--from-year", "2021", "--csv"]
    )
    assert result.exit_code == 0, result.output
    header, *lines = result.output.splitlines()
    assert header.split(",")[:5] == [
        "year",
        "corporation",
        "signals",
        "judgments_requested",
        "judgments_granted",
    ]
    table = {
        line.split(",")[1]: dict(zip(header.split(","), line.split(","), strict=True))
        for line in lines
    }
    for corporation, (requested, granted, executed, _) in history.APPENDIX_3.items():
        row = table[corporation]
        assert row["year"] == "2021"
        for measure, figure in (
            ("judgments_requested", requested),
            ("judgments_granted", granted),
            ("evictions_executed", executed),
        ):
            got = row[measure]
            # Small cells are empty; the rest within a factor of two of the appendix.
            assert (got == "" and figure < MIN_CELL) or figure / 2 <= int(got) <= figure * 2, (
                corporation,
                measure,
                got,
            )
    assert table["zowonen"]["evictions_executed"] == "20"
    assert table["parteon"]["evictions_executed"] == ""  # 4: suppressed
    assert int(table["ieder1"]["prevented"]) > 40
