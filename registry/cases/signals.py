"""Early signals (*vroegsignalen*): every signal of a case, the reply clocks each one starts,
the covenant's reply terms per municipality, and collection pauses.

A case's first signal is recorded when it is registered; the owner records each repeat
(Zaanstad signals at 1.5 months of arrears and again a month later). Each signal starts two
clocks, in working days by the covenant of the case's municipality (``SignalReplyTerms``, or
the defaults below): the district team's reply to the signaller, and the municipality's offer
of help. A clock past due and not answered is announced once (``signal.reply_overdue``) and
listed in the work list (``reply_clocks``). Reads of signals go through the disclosure choke
point as the case field ``signals``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import Session, selectinload

from policies import Permission, Relation
from registry.cases.fields import SIGNAL_FIELD
from registry.cases.relations import with_relation
from registry.cases.views import CaseView
from registry.errors import ConflictError, InvalidInputError, NotAllowedError
from registry.events import Event
from registry.models import (
    Case,
    CaseSignal,
    CollectionPause,
    Municipality,
    PauseReason,
    ReplyClock,
    SignalReplyTerms,
    SignalSource,
)
from registry.recording import record

if TYPE_CHECKING:
    from registry.request import RequestScope

#: The district team answers a signal within two working days (wijkteam Zaandam-Noord &
#: Kogerveld with the corporation, in the report's section on district teams).
DEFAULT_DISTRICT_TEAM_DAYS = 2
#: The municipality offers help within five working days: the report names no term, so this is
#: the registry's default until a covenant sets its own.
DEFAULT_HELP_OFFER_DAYS = 5
MAX_TERM_DAYS = 30
MAX_LIST = 500


def add_working_days(start: dt.date, days: int) -> dt.date:
    """``days`` working days (Monday to Friday) after ``start``; ``start`` itself does not count.

    No holiday calendar, as for the storage periods of stored goods: a due date a day early
    errs on the household's side.
    """
    day = start
    while days:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day


#: Per session (``Session.info``): the municipalities found to have no terms of their own. A
#: row found stays in the session; one not found would be asked for again by every case of a
#: bulk import (``registry.imports``), a round trip each.
_WITHOUT_TERMS = "signal_reply_terms_absent"


def terms_of(session: Session, municipality: str) -> tuple[int, int]:
    """The covenant's reply terms in working days: (district team, offer of help)."""
    without: set[str] = session.info.setdefault(_WITHOUT_TERMS, set())
    terms = None if municipality in without else session.get(SignalReplyTerms, municipality)
    if terms is None:
        without.add(municipality)
        return DEFAULT_DISTRICT_TEAM_DAYS, DEFAULT_HELP_OFFER_DAYS
    return terms.district_team_days, terms.help_offer_days


@dataclass(frozen=True)
class NewSignal:
    """A signal as its signaller records it."""

    signalled_on: dt.date
    arrears_months: Decimal
    arrears_amount: Decimal
    source: SignalSource = SignalSource.LANDLORD


def _check(new: NewSignal, today: dt.date) -> None:
    if new.signalled_on > today:
        raise InvalidInputError(f"a signal's date {new.signalled_on} lies in the future")
    if not Decimal(0) <= new.arrears_months <= Decimal(240):
        raise InvalidInputError("a signal's arrearsMonths must be between 0 and 240")
    if (new.arrears_months * 2) % 1 != 0:
        raise InvalidInputError("a signal's arrearsMonths is counted in half months (1.5, 2)")
    if not Decimal(0) <= new.arrears_amount <= Decimal(1_000_000):
        raise InvalidInputError("a signal's arrearsAmount must be between 0 and 1,000,000 euros")
    if new.arrears_amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise InvalidInputError("a signal's arrearsAmount has at most two decimals (cents)")


def add_signal(
    session: Session, case: Case, new: NewSignal, by: str, now: dt.datetime, *, repeat: bool
) -> CaseSignal:
    """Record a signal of ``case`` (loaded with its signals) and start its reply clocks."""
    signal = CaseSignal(
        **signal_row(session, case.id, case.municipality_code, new, by, now, repeat=repeat)
    )
    case.signals.append(signal)
    return signal


def signal_row(
    session: Session,
    case_id: uuid.UUID,
    municipality: str,
    new: NewSignal,
    by: str,
    now: dt.datetime,
    *,
    repeat: bool,
) -> dict[str, Any]:
    """The checked values of a signal's row, its reply clocks set by the municipality's
    terms: what ``add_signal`` adds, and what a bulk import writes as it is."""
    _check(new, now.date())
    team_days, help_days = terms_of(session, municipality)
    return {
        "id": uuid.uuid4(),
        "case_id": case_id,
        "signalled_on": new.signalled_on,
        "arrears_months": new.arrears_months,
        "arrears_amount": new.arrears_amount,
        "source": new.source,
        "repeat": repeat,
        "recorded_by": by,
        "recorded_at": now,
        "district_team_due_on": add_working_days(new.signalled_on, team_days),
        "help_offer_due_on": add_working_days(new.signalled_on, help_days),
    }


def signal_again(scope: RequestScope, case_id: str, new: NewSignal) -> CaseView:
    """Record a repeat signal (the owner): not earlier than the last one."""
    case, relation = scope.find_case(case_id, for_change=True)
    scope.require(Permission.SIGNAL_REPEAT, relation, "signal this case again: its owner does")
    if case.closed_on is not None:
        raise ConflictError(f"case {case.id} was closed on {case.closed_on}: no more signals")
    last = max((s.signalled_on for s in case.signals), default=None)
    if last is not None and new.signalled_on < last:
        raise InvalidInputError(
            f"a repeat signal on {new.signalled_on} lies before the last signal ({last})"
        )
    add_signal(scope.session, case, new, scope.principal.partner_id, scope.now, repeat=True)
    if case.arrears_months is not None and case.arrears_amount is not None:
        # The record's arrears follow the latest signal (whole months, as the record keeps).
        case.arrears_months = int(new.arrears_months)
        case.arrears_amount = new.arrears_amount
    case.updated_at = scope.now
    case.version += 1
    scope.session.flush()
    record(scope.session, Event.CASE_SIGNAL_REPEATED, case.id, scope.now)
    return scope.disclosure.case_view(case, relation, scope.selection)


_CLOCK_PERMISSION = {
    ReplyClock.DISTRICT_TEAM: Permission.SIGNAL_REPLY,
    ReplyClock.HELP_OFFER: Permission.SIGNAL_OFFER_HELP,
}


def answer(scope: RequestScope, case_id: str, clock: ReplyClock) -> CaseView:
    """Stop a reply clock of every signal of the case that still runs: the district team
    replied (an involved district team, or the municipality for it), or the municipality
    offered help."""
    case, relation = scope.find_case(case_id, for_change=True)
    scope.require(_CLOCK_PERMISSION[clock], relation, f"answer the {clock} clock of this case")
    attr = "district_team_replied_at" if clock is ReplyClock.DISTRICT_TEAM else "help_offered_at"
    running = [s for s in case.signals if getattr(s, attr) is None]
    if not running:
        raise ConflictError(f"no {clock} clock of this case is running: it was answered already")
    for signal in running:
        setattr(signal, attr, scope.now)
    scope.session.flush()
    return scope.disclosure.case_view(case, relation, scope.selection)


@dataclass(frozen=True)
class NewPause:
    """Collection paused from a day (until a day, if known), and why."""

    paused_from: dt.date
    reason: PauseReason
    paused_until: dt.date | None = None


def pause_collection(scope: RequestScope, case_id: str, new: NewPause) -> CaseView:
    """Record that collection is paused (the owner, whose collection it is)."""
    case, relation = scope.find_case(case_id, for_change=True)
    scope.require(Permission.COLLECTION_PAUSE, relation, "pause collection: its owner does")
    if new.paused_until is not None and new.paused_until < new.paused_from:
        raise InvalidInputError(
            f"a pause until {new.paused_until} ends before it starts ({new.paused_from})"
        )
    for pause in case.collection_pauses:
        starts_before_end = new.paused_until is None or new.paused_until >= pause.paused_from
        ends_after_start = pause.paused_until is None or pause.paused_until >= new.paused_from
        if starts_before_end and ends_after_start:  # the two periods overlap
            raise ConflictError(
                f"collection is paused already from {pause.paused_from}"
                + (f" until {pause.paused_until}" if pause.paused_until else "")
            )
    case.collection_pauses.append(
        CollectionPause(
            id=uuid.uuid4(),
            case_id=case.id,
            paused_from=new.paused_from,
            paused_until=new.paused_until,
            reason=new.reason,
            recorded_by=scope.principal.partner_id,
            recorded_at=scope.now,
        )
    )
    case.updated_at = scope.now
    case.version += 1
    scope.session.flush()
    return scope.disclosure.case_view(case, relation, scope.selection)


def set_terms(
    scope: RequestScope, municipality: str, district_team_days: int, help_offer_days: int
) -> SignalReplyTerms:
    """Set a municipality's covenant terms for answering signals (its municipality only)."""
    scope.require(
        Permission.SIGNAL_TERMS_SET,
        Relation.NONE,
        "set reply terms",
        refusal="only a municipality sets the reply terms of its covenant",
    )
    found = scope.session.get(Municipality, municipality)
    if found is None:
        raise InvalidInputError(f"unknown municipality {municipality!r}")
    if found.authority_id != scope.principal.partner_id:
        raise NotAllowedError(
            f"{scope.principal.partner_id} is not the municipality {municipality}"
        )
    for name, days in (
        ("districtTeamDays", district_team_days),
        ("helpOfferDays", help_offer_days),
    ):
        if not 1 <= days <= MAX_TERM_DAYS:
            raise InvalidInputError(f"{name} must be between 1 and {MAX_TERM_DAYS} working days")
    terms = scope.session.get(SignalReplyTerms, municipality, with_for_update=True)
    if terms is None:
        terms = SignalReplyTerms(municipality_code=municipality)
        scope.session.add(terms)
        scope.session.info.get(_WITHOUT_TERMS, set()).discard(municipality)
    terms.district_team_days = district_team_days
    terms.help_offer_days = help_offer_days
    terms.set_by = scope.principal.partner_id
    terms.set_at = scope.now
    scope.session.flush()
    return terms


@dataclass(frozen=True)
class ClockView:
    """One running reply clock in the work list."""

    case_id: str
    clock: ReplyClock
    signalled_on: dt.date
    repeat: bool
    due_on: dt.date
    overdue: bool


def reply_clocks(scope: RequestScope, *, overdue_only: bool = False) -> list[ClockView]:
    """The work list: reply clocks still running on cases the caller relates to and whose
    signals it may read, soonest due first (one query, then one release per case)."""
    me, today = scope.principal.partner_id, scope.today
    team_running: ColumnElement[bool] = CaseSignal.district_team_replied_at.is_(None)
    help_running: ColumnElement[bool] = CaseSignal.help_offered_at.is_(None)
    if overdue_only:
        team_running = and_(team_running, CaseSignal.district_team_due_on < today)
        help_running = and_(help_running, CaseSignal.help_offer_due_on < today)
    stmt = (
        with_relation(select(Case), me)
        .add_columns(CaseSignal)
        .join(CaseSignal, CaseSignal.case_id == Case.id)
        .where(Case.closed_on.is_(None), or_(team_running, help_running))
        .order_by(CaseSignal.signalled_on, CaseSignal.id)
        .limit(MAX_LIST)
        .options(selectinload(Case.signals))
    )
    views: list[ClockView] = []
    for case, rel, signal in scope.session.execute(stmt).all():
        released = scope.disclosure.case_view(case, Relation(rel), frozenset({SIGNAL_FIELD}))
        if SIGNAL_FIELD in released.withheld:
            continue
        for clock, due, answered in (
            (
                ReplyClock.DISTRICT_TEAM,
                signal.district_team_due_on,
                signal.district_team_replied_at,
            ),
            (ReplyClock.HELP_OFFER, signal.help_offer_due_on, signal.help_offered_at),
        ):
            if answered is None and (not overdue_only or due < today):
                views.append(
                    ClockView(
                        str(case.id), clock, signal.signalled_on, signal.repeat, due, due < today
                    )
                )
    views.sort(key=lambda v: (v.due_on, v.case_id, v.clock))
    return views


def announce_overdue(session: Session, now: dt.datetime) -> int:
    """Write a ``signal.reply_overdue`` event for every reply clock past due and not answered
    nor announced yet; returns how many. A compare-and-set on the clock's announcement time
    keeps two workers from both announcing it."""
    today = now.date()
    announced = 0
    for due, answered, flag in (
        (
            CaseSignal.district_team_due_on,
            CaseSignal.district_team_replied_at,
            CaseSignal.district_team_overdue_announced_at,
        ),
        (
            CaseSignal.help_offer_due_on,
            CaseSignal.help_offered_at,
            CaseSignal.help_offer_overdue_announced_at,
        ),
    ):
        found = session.execute(
            select(CaseSignal.id, CaseSignal.case_id)
            .where(due < today, answered.is_(None), flag.is_(None))
            .order_by(due, CaseSignal.id)
            .limit(100)
        ).all()
        for signal_id, case_id in found:
            taken = session.execute(
                update(CaseSignal)
                .where(CaseSignal.id == signal_id, flag.is_(None))
                .values({flag: now})
                .execution_options(synchronize_session=False)
            )
            if taken.rowcount != 1:  # type: ignore[attr-defined]
                continue
            record(session, Event.SIGNAL_REPLY_OVERDUE, case_id, now)
            announced += 1
    session.flush()
    return announced
