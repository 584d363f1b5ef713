"""Retention: how long a household's personal data is kept, per case state, and the job that
erases it when that time is up (``registry.privacy.erasure``).

Defaults, and why (the Verwijsindex risicojongeren keeps an active signal 2 years and keeps it
visible 5; a case here is a comparable signal of risk):

- a case closed with the eviction *prevented*: 2 years after closing. The risk is gone; a new
  arrears signal within two years is still seen against the old one, as an active signal is.
- a case closed *after an eviction* (evicted, or the household was gone): 5 years after
  closing. A housing block, aftercare and a second-chance agreement (whose term is at most
  five years) run that long.
- an open case nobody changed for 5 years: 5 years after its last change (a forgotten case
  must not keep a household on record for ever).
- access-log records: 5 years after they were written; they hold no personal values, and the
  household's right of access to who received its data outlives the data itself.

Minimums: a deployment may lengthen these, not shorten them below what the law and the
process need, and a shorter setting is refused when the settings are read:

- prevented: 1 year (a household's objection and appeal against the municipality's handling
  of the early signal run under the Awb for months; the case is their record);
- after an eviction: 2 years (art. 556 Rv claims on stored goods and the housing block);
- open and unchanged: 2 years;
- access log: 2 years, and never shorter than the prevented-case period, so that a household
  that asks after its erasure still learns who received its data.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session, sessionmaker

from registry.config import Settings
from registry.db import begin_writing
from registry.errors import InvalidInputError
from registry.models import AccessLogRecord, Case, ClosureOutcome
from registry.privacy.erasure import OPERATOR, erase_case

_EVICTED = (ClosureOutcome.EVICTED, ClosureOutcome.HOUSEHOLD_GONE)
#: Cases erased per run: each is its own short transaction, so a run never holds locks long.
BATCH = 100


class RetentionSettingError(InvalidInputError):
    """A retention period shorter than its legal minimum."""


@dataclass(frozen=True)
class RetentionPolicy:
    """Retention periods in years (see the module docstring for defaults and minimums)."""

    prevented_years: int = 2
    evicted_years: int = 5
    open_unchanged_years: int = 5
    access_log_years: int = 5

    MINIMUMS = {  # noqa: RUF012 - a class-level table, not a field
        "prevented_years": 1,
        "evicted_years": 2,
        "open_unchanged_years": 2,
        "access_log_years": 2,
    }

    def __post_init__(self) -> None:
        for name, minimum in self.MINIMUMS.items():
            if getattr(self, name) < minimum:
                raise RetentionSettingError(
                    f"retention {name} is {getattr(self, name)}; the legal minimum is {minimum}"
                )
        if self.access_log_years < self.prevented_years:
            raise RetentionSettingError(
                "retention access_log_years must be at least prevented_years: a household "
                "asking after its erasure must still learn who received its data"
            )


def policy_of(settings: Settings) -> RetentionPolicy:
    """The deployment's retention policy; refuses periods below their legal minimum."""
    return RetentionPolicy(
        prevented_years=settings.retention_prevented_years,
        evicted_years=settings.retention_evicted_years,
        open_unchanged_years=settings.retention_open_unchanged_years,
        access_log_years=settings.retention_access_log_years,
    )


def _years_before(now: dt.datetime, years: int) -> dt.datetime:
    return now - dt.timedelta(days=round(365.25 * years))


def due_cases(session: Session, policy: RetentionPolicy, now: dt.datetime) -> list[uuid.UUID]:
    """The ids of cases whose retention period has ended, oldest change first."""

    def closed_before(years: int) -> dt.date:
        return _years_before(now, years).date()

    stmt = (
        select(Case.id)
        .where(
            Case.erased_at.is_(None),
            or_(
                and_(
                    Case.closed_on.is_not(None),
                    Case.closure_outcome.not_in(_EVICTED),
                    Case.closed_on < closed_before(policy.prevented_years),
                ),
                and_(
                    Case.closed_on.is_not(None),
                    Case.closure_outcome.in_(_EVICTED),
                    Case.closed_on < closed_before(policy.evicted_years),
                ),
                and_(
                    Case.closed_on.is_(None),
                    Case.updated_at < _years_before(now, policy.open_unchanged_years),
                ),
            ),
        )
        .order_by(Case.updated_at, Case.id)
    )
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class RetentionRun:
    """What one run erased (or, dry, would erase)."""

    cases: Sequence[uuid.UUID]
    access_log_records: int
    dry_run: bool


def run(
    sessions: sessionmaker[Session],
    policy: RetentionPolicy,
    now: dt.datetime,
    *,
    dry_run: bool = False,
) -> RetentionRun:
    """Erase what is due (at most ``BATCH`` cases, each in its own transaction) and delete
    access-log records past their period; ``dry_run`` only lists what would go. The job
    opens its own short transactions, so it runs off the request path (housekeeping, CLI)."""
    with sessions() as session:
        due = due_cases(session, policy, now)[:BATCH]
        cutoff = _years_before(now, policy.access_log_years)
        old_records = (
            session.scalar(select(func.count()).where(AccessLogRecord.occurred_at < cutoff)) or 0
        )
    if dry_run:
        return RetentionRun(due, old_records, dry_run=True)
    erased = []
    for case_id in due:
        with sessions.begin() as session:
            begin_writing(session)
            case = session.scalar(select(Case).where(Case.id == case_id).with_for_update())
            if case is None or case.erased_at is not None:
                continue  # another process erased it meanwhile
            erase_case(session, case, now, OPERATOR)
            erased.append(case_id)
    with sessions.begin() as session:
        begin_writing(session)
        result = session.execute(
            delete(AccessLogRecord).where(AccessLogRecord.occurred_at < cutoff)
        )
        deleted = result.rowcount or 0  # type: ignore[attr-defined]
    return RetentionRun(erased, deleted, dry_run=False)
