"""Recording an event writes what its member of the vocabulary says, on the real database: the
outbox row under the webhook type, the log entry under the log type, in one transaction; a
call that lacks what the event needs is refused before anything is written."""

from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from registry.events import Event
from registry.models import AuditLogOpening, OutboxAddressee, OutboxEvent, Phase
from registry.notifications import outbox
from registry.recording import record
from tests.arrange import case_in
from tests.conftest import Clock


def _counts(session: Session) -> tuple[int, int]:
    return (
        session.scalar(select(func.count()).select_from(OutboxEvent)) or 0,
        session.scalar(select(func.count()).select_from(AuditLogOpening)) or 0,
    )


def test_an_event_told_and_logged_under_two_names(
    sessions: sessionmaker[Session], clock: Clock
) -> None:
    case_id = uuid.UUID(case_in(sessions, "zowonen", Phase.AFTER_EVICTION, clock.now.date()))
    with sessions.begin() as session:
        before = _counts(session)
        told_before = list(session.scalars(select(OutboxEvent.id)))
        record(
            session,
            Event.MUNICIPAL_CONTACT_OPENED,
            case_id,
            clock.now,
            submitter="zowonen",
            payload={"inventory": str(uuid.uuid4()), "dueOn": "2026-12-01"},
            addressee="gemeente-sittard-geleen",
        )
    with sessions.begin() as session:
        assert _counts(session) == (before[0] + 1, before[1] + 1)
        row = session.scalars(select(OutboxEvent).where(OutboxEvent.id.not_in(told_before))).one()
        addressed = session.scalars(
            select(OutboxAddressee.partner_id).where(OutboxAddressee.event_id == row.id)
        ).all()
        assert (row.type, row.case_id, row.reveals, addressed) == (
            "municipal_contact.requested",
            case_id,
            "municipalContact",
            ["gemeente-sittard-geleen"],
        )
        opening = session.scalars(
            select(AuditLogOpening.opening).order_by(AuditLogOpening.log_index.desc()).limit(1)
        ).one()
        event = json.loads(opening)["event"]
        assert (event["type"], event["case"]) == ("municipal_contact.opened", str(case_id))


def test_a_policy_change_is_logged_and_told_to_no_one(
    sessions: sessionmaker[Session], clock: Clock
) -> None:
    with sessions.begin() as session:
        before = _counts(session)
        record(
            session,
            Event.POLICY_REVOKED,
            None,
            clock.now,
            submitter="gemeente-sittard-geleen",
            payload={"policy": 1, "kind": "grant", "issuer": "gemeente-sittard-geleen"},
        )
        assert _counts(session) == (before[0], before[1] + 1)


@pytest.mark.parametrize(
    ("event", "case", "options", "message"),
    [
        (Event.AGREEMENT_CLOSED, True, {}, "AGREEMENT_CLOSED goes into the signed log: name its"),
        (Event.CASE_CLOSED, False, {}, "CASE_CLOSED is told to the partners of a case"),
        (Event.ANNOTATION_ADDED, True, {}, "reveals the field of what was recorded: name it"),
        (Event.CASE_CLOSED, True, {"reveals": "phase"}, "reveals closureOutcome, not another"),
    ],
)
def test_a_call_that_lacks_what_the_event_needs_is_refused(
    sessions: sessionmaker[Session],
    clock: Clock,
    event: Event,
    case: bool,
    options: dict[str, str],
    message: str,
) -> None:
    case_id = uuid.uuid4() if case else None
    with sessions.begin() as session:
        before = _counts(session)
        with pytest.raises(ValueError, match=message):
            record(session, event, case_id, clock.now, **options)
        assert _counts(session) == before


def test_only_a_notified_event_reaches_the_outbox(
    sessions: sessionmaker[Session], clock: Clock
) -> None:
    with sessions.begin() as session, pytest.raises(ValueError, match="is not told to partners"):
        outbox.emit(session, Event.AGREEMENT_SIGNED, uuid.uuid4(), clock.now)
