"""Retention: periods per case state with legal minimums, the job that erases what is due
(run with an injected time), its dry run on the command line, and the access log's own."""

from __future__ import annotations

import datetime as dt
import uuid

import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from registry.cli import main as cli
from registry.models import AccessLogRecord, Case, CaseContact, ClosureOutcome, Phase
from registry.privacy import retention
from registry.privacy.retention import RetentionPolicy, RetentionSettingError
from tests.arrange import case_in
from tests.conftest import DEMO_TODAY

NOW = dt.datetime.combine(DEMO_TODAY, dt.time(12), dt.UTC)


def test_periods_shorter_than_their_legal_minimum_are_refused() -> None:
    with pytest.raises(RetentionSettingError, match="prevented_years is 0; the legal minimum is 1"):
        RetentionPolicy(prevented_years=0)
    with pytest.raises(RetentionSettingError, match="evicted_years is 1; the legal minimum is 2"):
        RetentionPolicy(evicted_years=1)
    with pytest.raises(RetentionSettingError, match="access_log_years must be at least"):
        RetentionPolicy(prevented_years=4, access_log_years=3)
    assert RetentionPolicy(prevented_years=3, access_log_years=7).evicted_years == 5


def _aged(
    sessions: sessionmaker[Session], owner: str, exclude: tuple[str, ...], **state: object
) -> str:
    case_id = case_in(sessions, owner, Phase.COLLECTION, DEMO_TODAY, exclude=exclude)
    with sessions.begin() as session:
        case = session.get(Case, uuid.UUID(case_id))
        assert case is not None
        for name, value in state.items():
            setattr(case, name, value)
    return case_id


def _years_ago(years: float) -> dt.date:
    return DEMO_TODAY - dt.timedelta(days=round(365.25 * years))


@pytest.fixture
def aged(sessions: sessionmaker[Session]) -> dict[str, str]:
    """Cases in each state, old and recent: which of them a run erases."""
    made: dict[str, str] = {}
    recent = dt.datetime.combine(_years_ago(0.1), dt.time(), dt.UTC)
    for name, state in {
        "prevented_3y": {
            "closed_on": _years_ago(3),
            "closure_outcome": ClosureOutcome.PREVENTED_DEBT_HELP,
        },
        "prevented_1y": {
            "closed_on": _years_ago(1),
            "closure_outcome": ClosureOutcome.PREVENTED_DEBT_HELP,
            "updated_at": recent,
        },
        "evicted_3y": {
            "closed_on": _years_ago(3),
            "closure_outcome": ClosureOutcome.EVICTED,
            "updated_at": recent,
        },
        "evicted_6y": {"closed_on": _years_ago(6), "closure_outcome": ClosureOutcome.EVICTED},
        "open_6y": {"updated_at": dt.datetime.combine(_years_ago(6), dt.time(), dt.UTC)},
    }.items():
        made[name] = _aged(sessions, "zowonen", tuple(made.values()), **state)
    with sessions.begin() as session:
        session.add(
            AccessLogRecord(
                id=uuid.uuid4(),
                trace_id="0" * 32,
                span_id="0" * 16,
                partner_id="zowonen",
                actor=None,
                case_id=uuid.UUID(made["prevented_1y"]),
                purpose="test",
                operation="old",
                fields_disclosed=[],
                fields_withheld=[],
                occurred_at=dt.datetime.combine(_years_ago(6), dt.time(), dt.UTC),
                outcome="identified",
            )
        )
    return made


def _due(aged: dict[str, str]) -> set[str]:
    return {aged["prevented_3y"], aged["evicted_6y"], aged["open_6y"]}


def test_a_run_erases_exactly_the_cases_whose_period_ended(
    sessions: sessionmaker[Session], aged: dict[str, str]
) -> None:
    policy = RetentionPolicy()
    dry = retention.run(sessions, policy, NOW, dry_run=True)
    assert {str(c) for c in dry.cases} >= _due(aged)
    assert not {str(c) for c in dry.cases} & {aged["prevented_1y"], aged["evicted_3y"]}
    assert dry.access_log_records >= 1
    with sessions() as session:
        assert session.scalar(select(func.count()).where(Case.erased_at.is_not(None))) == 0

    done = retention.run(sessions, policy, NOW)
    assert {str(c) for c in done.cases} == {str(c) for c in dry.cases}
    with sessions() as session:
        for name, case_id in aged.items():
            case = session.get(Case, uuid.UUID(case_id))
            assert case is not None
            assert (case.erased_at is not None) is (case_id in _due(aged)), name
            assert (session.get(CaseContact, case.id) is None) is (case_id in _due(aged))
        old = session.scalar(select(func.count()).where(AccessLogRecord.operation == "old"))
        assert old == 0
    # A second run finds nothing more: it is safe to run in every process.
    assert retention.run(sessions, policy, NOW).cases == []


def test_the_dry_run_command_lists_and_a_short_setting_is_refused(
    sessions: sessionmaker[Session], aged: dict[str, str], database_url: str
) -> None:
    runner = CliRunner()
    dry = runner.invoke(cli, ["retention", "run", "--dry-run", "--database-url", database_url])
    assert dry.exit_code == 0, dry.output
    assert dry.output.startswith("would erase ")
    with sessions() as session:
        assert session.scalar(select(func.count()).where(Case.erased_at.is_not(None))) == 0
    refused = runner.invoke(
        cli,
        ["retention", "run", "--dry-run", "--database-url", database_url],
        env={"KETENREGISTER_RETENTION_PREVENTED_YEARS": "0"},
    )
    assert refused.exit_code == 1
    assert "prevented_years is 0; the legal minimum is 1" in refused.output
