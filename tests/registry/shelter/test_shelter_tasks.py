"""The municipality's shelter task, through the real app on the injected clock: opened when an
eviction is scheduled, urgent with children, listed and announced when overdue, fulfilled once
by a reservation that must be in place by the eviction day."""

from __future__ import annotations

import datetime as dt
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from registry.models import AuditLogEntry, Case, OutboxAddressee, OutboxEvent, Phase, ShelterTask
from registry.shelter import tasks as shelter_tasks
from tests.arrange import case_in
from tests.conftest import DEMO_TODAY, Clock, GraphQL
from tests.helpers import error_codes

MONDAY = dt.datetime.combine(DEMO_TODAY, dt.time(9), dt.UTC)
MUNICIPALITY = "gemeente-sittard-geleen"
TASK_FIELDS = """id caseId municipality assignee dueOn urgent overdue shelterKind reservedFrom
  arrangedBy reservedBy"""
SCHEDULE = """mutation($id: ID!, $date: Date!) {
  scheduleEviction(id: $id, date: $date, bailiff: "flanderijn") { id phase } }"""
TASKS = (
    f"""query($overdue: Boolean!) {{ shelterTasks(overdueOnly: $overdue) {{ {TASK_FIELDS} }} }}"""
)
TASK = f"query($case: ID!) {{ shelterTask(caseId: $case) {{ {TASK_FIELDS} }} }}"
RESERVE = f"""mutation($input: ReserveShelterInput!) {{ reserveShelter(input: $input) {{
  {TASK_FIELDS} }} }}"""


def _ok(body: dict[str, Any], field: str) -> Any:
    assert "errors" not in body, body
    return body["data"][field]


def _day(days: int) -> str:
    return (MONDAY.date() + dt.timedelta(days=days)).isoformat()


def _scheduled(
    gql: GraphQL, sessions: sessionmaker[Session], *, children: bool, exclude: tuple[str, ...] = ()
) -> str:
    """A ZOwonen case in Sittard-Geleen whose eviction is scheduled for two weeks on."""
    case_id = case_in(sessions, "zowonen", Phase.JUDGMENT_SERVED, MONDAY.date(), exclude=exclude)
    with sessions.begin() as session:
        case = session.get(Case, uuid.UUID(case_id))
        assert case is not None
        case.children_involved = children
    _ok(gql("zowonen", SCHEDULE, {"id": case_id, "date": _day(14)}), "scheduleEviction")
    return case_id


def _reservation(case_id: str, **changes: Any) -> dict[str, Any]:
    new = {
        "caseId": case_id,
        "kind": "FAMILY_SHELTER",
        "reservedFrom": _day(14),
        "arrangedBy": MUNICIPALITY,
    }
    return {"input": {**new, **changes}}


def _counts(sessions: sessionmaker[Session]) -> tuple[int, int, int]:
    with sessions() as session:
        return (
            session.scalar(select(func.count()).select_from(OutboxEvent)) or 0,
            session.scalar(select(func.count()).select_from(AuditLogEntry)) or 0,
            session.scalar(select(func.count()).where(ShelterTask.reserved_at.is_not(None))) or 0,
        )


def test_shelter_task_from_scheduling_to_reservation(
    gql: GraphQL, sessions: sessionmaker[Session], clock: Clock
) -> None:
    clock.now = MONDAY  # tokens are signed and checked on this clock too
    with_children = _scheduled(gql, sessions, children=True)
    without = _scheduled(gql, sessions, children=False, exclude=(with_children,))

    # The municipality has two tasks, due the day before the eviction; the one with children
    # is urgent and comes first.
    tasks = _ok(gql(MUNICIPALITY, TASKS, {"overdue": False}), "shelterTasks")
    mine = [t for t in tasks if t["caseId"] in (with_children, without)]
    assert [(t["caseId"], t["urgent"]) for t in mine] == [(with_children, True), (without, False)]
    assert mine[0]["dueOn"] == _day(13)
    assert mine[0]["assignee"] == MUNICIPALITY and mine[0]["municipality"] == "sittard-geleen"
    assert mine[0]["overdue"] is False and mine[0]["reservedFrom"] is None
    with sessions() as session:
        opened = session.execute(
            select(OutboxAddressee.partner_id, OutboxEvent.reveals)
            .join(OutboxAddressee, OutboxAddressee.event_id == OutboxEvent.id)
            .where(
                OutboxEvent.case_id == uuid.UUID(with_children),
                OutboxEvent.type == "shelter_task.opened",
            )
        ).all()
    assert [tuple(e) for e in opened] == [(MUNICIPALITY, "shelterTask")]

    # A place from after the eviction day is no shelter for that day: refused, nothing changed.
    before = _counts(sessions)
    late = gql(MUNICIPALITY, RESERVE, _reservation(with_children, reservedFrom=_day(15)))
    assert error_codes(late) == ["INVALID_INPUT"]
    assert late["errors"][0]["message"] == (
        f"reservedFrom {_day(15)} is after the eviction on {_day(14)}: the household needs a "
        "place from that day"
    )
    assert _counts(sessions) == before

    # On its due date it is not overdue; the day after, it is listed and announced once.
    clock.now = MONDAY + dt.timedelta(days=13)
    assert _ok(gql(MUNICIPALITY, TASKS, {"overdue": True}), "shelterTasks") == []
    clock.now = MONDAY + dt.timedelta(days=14, hours=-2)
    overdue = _ok(gql(MUNICIPALITY, TASKS, {"overdue": True}), "shelterTasks")
    assert [t["caseId"] for t in overdue if t["caseId"] in (with_children, without)] == [
        with_children,
        without,
    ]
    assert all(t["overdue"] for t in overdue)
    with sessions.begin() as session:
        assert shelter_tasks.announce_overdue(session, clock.now) >= 2
    with sessions.begin() as session:
        assert shelter_tasks.announce_overdue(session, clock.now) == 0
        told = session.scalars(
            select(OutboxAddressee.partner_id)
            .join(OutboxEvent, OutboxEvent.id == OutboxAddressee.event_id)
            .where(
                OutboxEvent.case_id == uuid.UUID(with_children),
                OutboxEvent.type == "shelter_task.overdue",
            )
        ).all()
    assert told == [MUNICIPALITY]

    # The municipality reserves a family place from the day itself: the task is fulfilled,
    # and the signed log records it (submitted by the municipality).
    log_before = _counts(sessions)[1]
    done = _ok(gql(MUNICIPALITY, RESERVE, _reservation(with_children)), "reserveShelter")
    assert done["shelterKind"] == "FAMILY_SHELTER" and done["reservedFrom"] == _day(14)
    assert done["arrangedBy"] == done["reservedBy"] == MUNICIPALITY
    assert done["overdue"] is False
    still = _ok(gql(MUNICIPALITY, TASKS, {"overdue": True}), "shelterTasks")
    assert with_children not in [t["caseId"] for t in still]
    # The owner reads it too; a second reservation is refused.
    assert _ok(gql("zowonen", TASK, {"case": with_children}), "shelterTask")["urgent"] is True
    again = gql(MUNICIPALITY, RESERVE, _reservation(with_children))
    assert error_codes(again) == ["CONFLICT"]
    assert again["errors"][0]["message"].startswith("shelter was reserved already on")
    assert _counts(sessions)[1] == log_before + 1


def test_who_may_reserve_and_read_a_shelter_task(
    gql: GraphQL, sessions: sessionmaker[Session], clock: Clock
) -> None:
    clock.now = MONDAY
    case_id = _scheduled(gql, sessions, children=False)
    # Another municipality's partner does not relate to the case: as if it did not exist.
    stranger = gql("gemeente-zaanstad", RESERVE, _reservation(case_id))
    assert error_codes(stranger) == ["NOT_FOUND"]
    # The owner reads the task but does not arrange shelter: the municipality does.
    owner = gql("zowonen", RESERVE, _reservation(case_id))
    assert error_codes(owner) == ["NOT_ALLOWED"]
    assert owner["errors"][0]["message"] == "zowonen may not reserve shelter for this case"
    unknown = gql(MUNICIPALITY, RESERVE, _reservation(case_id, arrangedBy="nobody"))
    assert error_codes(unknown) == ["INVALID_INPUT"]
    assert unknown["errors"][0]["message"] == "unknown partner 'nobody'"
    assert _counts(sessions)[2] == 0


def test_two_reservations_at_once_one_is_recorded(
    gql: GraphQL, sessions: sessionmaker[Session], clock: Clock
) -> None:
    clock.now = MONDAY
    case_id = _scheduled(gql, sessions, children=True)
    kinds = ["FAMILY_SHELTER", "CRISIS_SHELTER"]

    def reserve(n: int) -> dict[str, Any]:
        return gql(MUNICIPALITY, RESERVE, _reservation(case_id, kind=kinds[n]))

    with ThreadPoolExecutor(2) as pool:
        answers = list(pool.map(reserve, range(2)))
    ok = [a for a in answers if "errors" not in a]
    refused = [a for a in answers if "errors" in a]
    assert len(ok) == 1 and [error_codes(a) for a in refused] == [["CONFLICT"]]
    with sessions() as session:
        task = session.scalars(
            select(ShelterTask).where(ShelterTask.case_id == uuid.UUID(case_id))
        ).one()
        # Two entries about the case: the eviction scheduled and the one reservation.
        logged = session.scalar(
            select(func.count()).where(AuditLogEntry.subject == f"case:{case_id}")
        )
    assert task.shelter_kind == ok[0]["data"]["reserveShelter"]["shelterKind"].lower()
    assert task.version == 2 and logged == 2
