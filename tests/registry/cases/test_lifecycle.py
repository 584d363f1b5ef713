"""The lifecycle's transition table, tested whole: every operation from every state, legal and
illegal, against the expected table written out here from the issue (not derived from the
code). Runs on the registry services with one database per module and a rollback per test."""

from __future__ import annotations

import datetime as dt
import shutil
import uuid
from collections.abc import Callable, Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from policies import PolicyEngine
from registry.access.disclosure import Disclosure
from registry.access.policystore import active_rows
from registry.access.principal import Principal
from registry.access.vocabulary import VOCABULARY
from registry.cases import lifecycle
from registry.db import make_engine, make_session_factory
from registry.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from registry.models import (
    Case,
    ClosureOutcome,
    EventType,
    EvictionOutcome,
    HouseholdComposition,
    HouseholdDestination,
    OutboxEvent,
    Phase,
)
from registry.request import RequestScope
from registry.tracing import TraceContext
from tests.conftest import DEMO_TODAY, PG_URL, _pg_admin

NOW = dt.datetime.combine(DEMO_TODAY, dt.time(10, 0), dt.UTC)
TODAY = NOW.date()
CLOSED = "closed"

P = Phase
C = ClosureOutcome
PREVENTED = (
    C.PREVENTED_PAYMENT_ARRANGEMENT,
    C.PREVENTED_DEBT_HELP,
    C.PREVENTED_MOVED_VOLUNTARILY,
    C.PREVENTED_SECOND_CHANCE,
)
BEFORE_EVICTION = (
    P.ARREARS,
    P.EARLY_SIGNAL,
    P.COLLECTION,
    P.INTERVENTION,
    P.COURT,
    P.JUDGMENT_SERVED,
)

# The expected table: (state, operation) -> the phase the case is in afterwards. Anything not
# listed must be refused with CONFLICT, and change nothing.
LEGAL: dict[tuple[str, str], Phase] = {
    (P.ARREARS, "moveCase:early_signal"): P.EARLY_SIGNAL,
    (P.EARLY_SIGNAL, "moveCase:collection"): P.COLLECTION,
    (P.COLLECTION, "requestJudgment"): P.COURT,
    (P.COURT, "moveCase:collection"): P.COLLECTION,  # the court refused dissolution
    (P.COURT, "recordJudgment"): P.JUDGMENT_SERVED,
    (P.JUDGMENT_SERVED, "scheduleEviction"): P.EVICTION,
    (P.EVICTION, "scheduleEviction"): P.EVICTION,  # a new date
    (P.EVICTION, "callOffEviction"): P.JUDGMENT_SERVED,
    (P.EVICTION, "carryOutEviction"): P.AFTER_EVICTION,
    (P.AFTER_EVICTION, "recordAftercare"): P.AFTER_EVICTION,
    **{(phase, f"closeCase:{o}"): phase for phase in BEFORE_EVICTION for o in PREVENTED},
    (P.AFTER_EVICTION, "closeCase:evicted"): P.AFTER_EVICTION,
    (P.AFTER_EVICTION, "closeCase:household_gone"): P.AFTER_EVICTION,
}
# The same for a case of nuisance (or fraud): from the intervention to court and back, never
# through the early signal or collection; closures as for every case.
NUISANCE_LEGAL: dict[tuple[str, str], Phase] = {
    (P.INTERVENTION, "requestJudgment"): P.COURT,
    (P.COURT, "moveCase:intervention"): P.INTERVENTION,  # the court refused dissolution
    **{
        key: phase
        for key, phase in LEGAL.items()
        if key[0] not in (P.ARREARS, P.EARLY_SIGNAL, P.COLLECTION)
        and key != (P.COURT, "moveCase:collection")
    },
    **{key: phase for key, phase in LEGAL.items() if key[1].startswith("closeCase")},
}
TABLES = {"rent_arrears": LEGAL, "nuisance": NUISANCE_LEGAL}

#: The events each legal operation writes besides ``case.phase_changed``.
EVENTS = {
    # The municipality gets its shelter task with every scheduling that finds none open.
    "scheduleEviction": {EventType.EVICTION_SCHEDULED, EventType.SHELTER_TASK_OPENED},
    "callOffEviction": {EventType.EVICTION_CALLED_OFF},
    "carryOutEviction": {EventType.EVICTION_CARRIED_OUT},
    "closeCase": {EventType.CASE_CLOSED},
}

STATES: list[str] = [*Phase, CLOSED]

Operation = Callable[[RequestScope, str], object]

OPERATIONS: dict[str, Operation] = {
    **{
        f"moveCase:{phase}": (lambda scope, cid, to=phase: lifecycle.move(scope, cid, to))
        for phase in Phase
    },
    "requestJudgment": lambda scope, cid: lifecycle.request_judgment(
        scope, cid, TODAY - dt.timedelta(days=1)
    ),
    "recordJudgment": lambda scope, cid: lifecycle.record_judgment(
        scope, cid, TODAY - dt.timedelta(days=1)
    ),
    "scheduleEviction": lambda scope, cid: lifecycle.schedule_eviction(
        scope, cid, TODAY + dt.timedelta(days=14), "flanderijn"
    ),
    "callOffEviction": lifecycle.call_off_eviction,
    "carryOutEviction": lambda scope, cid: lifecycle.carry_out_eviction(
        scope, cid, EvictionOutcome.EXECUTED
    ),
    "recordAftercare": lambda scope, cid: lifecycle.record_aftercare(
        scope,
        cid,
        lifecycle.Aftercare(
            destination=HouseholdDestination.CRISIS_SHELTER, arranged_by="gemeente-sittard-geleen"
        ),
    ),
    **{
        f"closeCase:{outcome}": (lambda scope, cid, o=outcome: lifecycle.close(scope, cid, o))
        for outcome in ClosureOutcome
    },
}


@pytest.fixture(scope="module")
def module_sessions(
    template: tuple[str, object], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[sessionmaker[Session]]:
    """One copy of the demo database for the whole module; each test rolls back."""
    template_url = template[0]
    name = None
    if PG_URL:
        name = f"kr_lifecycle_{uuid.uuid4().hex[:8]}"
        admin = _pg_admin(PG_URL)
        with admin.connect() as conn:
            conn.execute(
                text(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(template_url).database}"')
            )
        url = make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    else:
        target = tmp_path_factory.mktemp("lifecycle") / "registry.sqlite3"
        shutil.copyfile(Path(make_url(template_url).database or ""), target)
        url = f"sqlite:///{target}"
    engine = make_engine(url)
    yield make_session_factory(engine)
    engine.dispose()
    if name:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="module")
def policy_engine(module_sessions: sessionmaker[Session]) -> PolicyEngine:
    """The demo's policies, decided once for the module (an engine never changes)."""
    with module_sessions() as session:
        return PolicyEngine(VOCABULARY, active_rows(session))


@pytest.fixture
def session(
    module_sessions: sessionmaker[Session], policy_engine: PolicyEngine
) -> Iterator[Session]:
    """A session whose changes are rolled back after the test."""
    with module_sessions() as session:
        session.info["policy_engine"] = policy_engine
        try:
            yield session
        finally:
            session.rollback()


def _scope(session: Session, partner: str = "zowonen", kind: str = "corporation") -> RequestScope:
    principal = Principal(
        partner,
        kind,
        frozenset({"sittard-geleen"}),
        None,
        "test",
        TraceContext("0" * 31 + "1", "0" * 15 + "1"),
    )
    return RequestScope(
        session,
        principal,
        Disclosure(session.info["policy_engine"], principal, today=NOW.date()),
        NOW,
    )


def _case_in(session: Session, state: str, operation: str, reason: str = "rent_arrears") -> Case:
    """A ZOwonen case of ``reason`` in ``state`` whose record holds what that state implies."""
    phase = Phase.COLLECTION if state == CLOSED else Phase(state)
    order = list(Phase)
    case = Case(
        id=uuid.uuid4(),
        municipality_code="sittard-geleen",
        owner_id="zowonen",
        phase=phase,
        reasons=[reason],
        household_composition=HouseholdComposition.SINGLE,
        children_involved=False,
        arrears_amount=Decimal("2400.00"),
        arrears_months=4,
        contact_attempted=True,
        debt_help_referred=True,
        reminder_sent=True,
        tenant_did_not_object=True,
        early_signalled_on=TODAY - dt.timedelta(days=200),
        registered_at=NOW - dt.timedelta(days=200),
        updated_at=NOW - dt.timedelta(days=200),
    )
    if order.index(phase) >= order.index(Phase.COURT):
        case.judgment_requested_on = TODAY - dt.timedelta(days=60)
    if order.index(phase) >= order.index(Phase.JUDGMENT_SERVED):
        case.judgment_granted_on = TODAY - dt.timedelta(days=30)
    if phase is Phase.EVICTION:
        case.eviction_date, case.bailiff_id = TODAY, "flanderijn"
    if phase is Phase.AFTER_EVICTION:
        case.eviction_date = TODAY - dt.timedelta(days=10)
        case.eviction_outcome = (
            EvictionOutcome.HOUSEHOLD_GONE
            if operation == "closeCase:household_gone"
            else EvictionOutcome.EXECUTED
        )
    if state == CLOSED:
        case.closed_on, case.closure_outcome = TODAY - dt.timedelta(days=1), C.PREVENTED_DEBT_HELP
    case.involvements = []
    session.add(case)
    session.flush()
    return case


def _events(session: Session, case: Case) -> set[EventType]:
    return set(session.scalars(select(OutboxEvent.type).where(OutboxEvent.case_id == case.id)))


def _allowed_from(state: str, table: dict[tuple[str, str], Phase]) -> list[str]:
    return [op for (source, op) in table if source == state]


@pytest.mark.parametrize("operation", list(OPERATIONS))
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("reason", list(TABLES))
def test_transition_table(session: Session, reason: str, state: str, operation: str) -> None:
    case = _case_in(session, state, operation, reason)
    before = (case.phase, case.version)
    table = TABLES[reason]
    expected = table.get((state, operation))
    if expected is not None:
        OPERATIONS[operation](_scope(session), str(case.id))
        assert case.phase is expected
        assert case.version == before[1] + 1
        wanted = set(EVENTS.get(operation.split(":")[0], set()))
        if expected is not before[0]:
            wanted.add(EventType.CASE_PHASE_CHANGED)
        assert _events(session, case) == wanted
        assert (case.closed_on is not None) == operation.startswith("closeCase")
        return
    with pytest.raises(ConflictError) as refused:
        OPERATIONS[operation](_scope(session), str(case.id))
    message = refused.value.message
    if state == CLOSED:
        assert "nothing follows a closed case" in message
    elif "not a plain move" in message:
        # moveCase asked for a transition that records something: the message names the step.
        assert operation.startswith("moveCase:")
        step = lifecycle.TRANSITIONS[(Phase(state), Phase(operation.split(":")[1]))]
        assert message.endswith(f"use {step}")
    elif "needs the eviction recorded" in message:
        assert operation == "closeCase:evicted"  # arranged as household_gone only for its twin
    else:
        assert message.startswith("illegal transition: ")
        allowed = message.split("; allowed: ", 1)[1]
        for op in _allowed_from(state, table):
            name, _, arg = op.partition(":")
            assert name in allowed, f"{op} missing from: {message}"
            if name == "moveCase" or (name == "closeCase"):
                assert arg in allowed, f"{op} missing from: {message}"
    assert (case.phase, case.version) == before
    assert _events(session, case) == set()


def test_the_table_in_the_code_is_the_expected_table() -> None:
    from_code = {(str(source), str(step)) for (source, _), step in lifecycle.TRANSITIONS.items()}
    from_test = {
        (str(state), op.split(":")[0])
        for (state, op) in LEGAL | NUISANCE_LEGAL
        if not op.startswith("closeCase")
    }
    assert from_code == from_test
    closures = {
        (str(p), f"closeCase:{o}") for o, phases in lifecycle.CLOSURES.items() for p in phases
    }
    assert closures == {(str(s), op) for (s, op) in LEGAL if op.startswith("closeCase")}


def _refusal(session: Session, call: Callable[..., Any], *args: Any) -> str:
    with pytest.raises((InvalidInputError, ConflictError, NotAllowedError, NotFoundError)) as err:
        call(_scope(session), *args)
    return f"{err.value.code}: {err.value.message}"


def test_eviction_dates_in_the_past_or_before_the_judgment_are_refused(session: Session) -> None:
    case = _case_in(session, Phase.JUDGMENT_SERVED, "scheduleEviction")
    cid = str(case.id)
    yesterday = TODAY - dt.timedelta(days=1)
    assert _refusal(session, lifecycle.schedule_eviction, cid, yesterday, "flanderijn") == (
        f"INVALID_INPUT: the eviction date {yesterday} lies in the past"
    )
    case.judgment_granted_on = TODAY + dt.timedelta(days=5)  # a judgment dated ahead, say
    assert _refusal(session, lifecycle.schedule_eviction, cid, TODAY, "flanderijn") == (
        f"INVALID_INPUT: the eviction date {TODAY} is before the judgment of "
        f"{TODAY + dt.timedelta(days=5)}"
    )
    assert _refusal(
        session,
        lifecycle.schedule_eviction,
        cid,
        TODAY + dt.timedelta(days=9),
        "partners-in-welzijn",
    ) == ("INVALID_INPUT: partners-in-welzijn does not carry out evictions: name a bailiff")
    assert _refusal(
        session,
        lifecycle.schedule_eviction,
        cid,
        TODAY + dt.timedelta(days=9),
        "kerckhoffs-lasonder",
    ) == ("INVALID_INPUT: kerckhoffs-lasonder does not work in municipality 'sittard-geleen'")
    assert case.phase is Phase.JUDGMENT_SERVED
    assert case.eviction_date is None


def test_carrying_out_before_the_date_and_mismatched_closures_are_refused(session: Session) -> None:
    case = _case_in(session, Phase.EVICTION, "carryOutEviction")
    case.eviction_date = TODAY + dt.timedelta(days=3)
    assert _refusal(
        session, lifecycle.carry_out_eviction, str(case.id), EvictionOutcome.EXECUTED
    ) == (
        f"CONFLICT: the eviction is scheduled for {case.eviction_date}: it cannot be carried "
        "out before"
    )
    assert _refusal(
        session, lifecycle.carry_out_eviction, str(case.id), EvictionOutcome.CALLED_OFF
    ) == ("INVALID_INPUT: an eviction that did not take place is called off: callOffEviction")
    gone = _case_in(session, Phase.AFTER_EVICTION, "closeCase:household_gone")
    assert _refusal(session, lifecycle.close, str(gone.id), C.EVICTED) == (
        "CONFLICT: closing as evicted needs the eviction recorded as executed, not household_gone"
    )


def test_judgment_dates_are_checked(session: Session) -> None:
    collection = _case_in(session, Phase.COLLECTION, "requestJudgment")
    tomorrow = TODAY + dt.timedelta(days=1)
    assert _refusal(session, lifecycle.request_judgment, str(collection.id), tomorrow) == (
        f"INVALID_INPUT: requestedOn {tomorrow} lies in the future"
    )
    court = _case_in(session, Phase.COURT, "recordJudgment")
    early = TODAY - dt.timedelta(days=61)
    assert _refusal(session, lifecycle.record_judgment, str(court.id), early) == (
        f"INVALID_INPUT: grantedOn {early} is before the request of {TODAY - dt.timedelta(days=60)}"
    )


def test_only_the_owner_moves_a_case(session: Session) -> None:
    case = _case_in(session, Phase.ARREARS, "moveCase:early_signal")
    municipality = _scope(session, "gemeente-sittard-geleen", "municipality")
    with pytest.raises(NotAllowedError, match="only its owner does"):
        lifecycle.move(municipality, str(case.id), Phase.EARLY_SIGNAL)
    stranger = _scope(session, "nijestee", "corporation")
    with pytest.raises(NotFoundError, match=f"case {case.id} not found"):
        lifecycle.move(stranger, str(case.id), Phase.EARLY_SIGNAL)
    assert case.phase is Phase.ARREARS


def test_aftercare_records_where_the_household_went(session: Session) -> None:
    case = _case_in(session, Phase.AFTER_EVICTION, "recordAftercare")
    view = lifecycle.record_aftercare(
        _scope(session),
        str(case.id),
        lifecycle.Aftercare(
            destination=HouseholdDestination.WAITING_ROOM_HOME,
            arranged_by="gemeente-sittard-geleen",
            children_involved=True,
            housing_block_until_debt_settled=True,
        ),
    )
    assert view.household_destination is HouseholdDestination.WAITING_ROOM_HOME
    assert view.destination_arranged_by == "gemeente-sittard-geleen"
    assert view.shelter_arranged is True
    assert view.children_involved is True
    assert view.housing_block_until_debt_settled is True
    assert view.housing_block_until is None
    # Ieder1's rule: three years, and after that until the debt is settled.
    three_years = TODAY + dt.timedelta(days=3 * 365)
    both = lifecycle.Aftercare(
        housing_block_until=three_years, housing_block_until_debt_settled=True
    )
    view = lifecycle.record_aftercare(_scope(session), str(case.id), both)
    assert view.housing_block_until == three_years
    assert view.housing_block_until_debt_settled is True
    # A date alone replaces the block: the debt no longer holds it.
    date_only = lifecycle.Aftercare(housing_block_until=three_years)
    view = lifecycle.record_aftercare(_scope(session), str(case.id), date_only)
    assert (view.housing_block_until, view.housing_block_until_debt_settled) == (
        three_years,
        False,
    )
    before = lifecycle.Aftercare(housing_block_until=TODAY - dt.timedelta(days=20))
    assert _refusal(session, lifecycle.record_aftercare, str(case.id), before).startswith(
        "INVALID_INPUT: a housing block until"
    )
