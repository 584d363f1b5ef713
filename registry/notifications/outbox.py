"""The transactional outbox: an event row written in the same transaction as the change it
reports, and the fan-out that turns each event into deliveries for the partners who may be told.

An event is thin (type, case id, time) and names the policy field it makes known. Fan-out asks
the disclosure choke point, per subscribed partner, whether that partner may be told: it must
relate to the case and be able to read the field, under the policies in force at fan-out.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from policies import PolicyEngine, Relation
from registry import tracing
from registry.access.disclosure import may_be_told
from registry.access.principal import DEFAULT_PURPOSE
from registry.bulkwrite import insert_rows
from registry.cases import service as cases
from registry.errors import NotFoundError
from registry.events import Event
from registry.models import (
    AccessLogRecord,
    ActionItem,
    Case,
    DeliveryStatus,
    MunicipalContact,
    OutboxAddressee,
    OutboxEvent,
    Partner,
    ShelterTask,
    WebhookDelivery,
    WebhookSubscription,
)

#: The keys of a webhook's ``data`` the registry fills itself: an event's detail may not.
_OWN_KEYS = frozenset({"eventId", "caseId"})


def addressee_list(*partners: str | None) -> tuple[str, ...]:
    """The partners named, each once, in the order named; None (no such partner, as a case
    without a coordinator) is left out."""
    return tuple(dict.fromkeys(p for p in partners if p is not None))


def emit(
    session: Session,
    event: Event,
    case_id: uuid.UUID,
    now: dt.datetime,
    *,
    reveals: str | None = None,
    addressees: Iterable[str | None] = (),
    detail: Mapping[str, str | int] | None = None,
) -> OutboxEvent:
    """Add a notified event to the caller's transaction: it exists exactly if the change
    commits. It reveals the event's field, or ``reveals`` for an event whose field depends on
    what was recorded (an annotation's kind). It is addressed to ``addressees`` (None entries
    left out) whatever the field policies say, as long as they relate to the case; ``detail``
    holds ids and codes the webhook passes on (``{"agreementId": ...}``). Features call
    ``registry.recording.record``, which also writes the event's log entry.

    Raises:
        ValueError: the event is not notified, its field is not named exactly once, or its
            detail would overwrite the webhook's own keys: a bug.
    """
    row = OutboxEvent(**event_row(event, case_id, now, reveals=reveals, detail=detail))
    row.addressees = [OutboxAddressee(partner_id=p) for p in addressee_list(*addressees)]
    session.add(row)
    return row


def emit_each(
    session: Session,
    event: Event,
    case_ids: Sequence[uuid.UUID],
    now: dt.datetime,
    *,
    addressees: Iterable[str | None] = (),
) -> None:
    """``emit`` for each case of ``case_ids`` (a bulk import's new cases), written many rows
    per statement (``registry.bulkwrite``)."""
    rows = [event_row(event, case_id, now) for case_id in case_ids]
    insert_rows(session, OutboxEvent, rows)
    told = addressee_list(*addressees)
    insert_rows(
        session,
        OutboxAddressee,
        [{"event_id": row["id"], "partner_id": p} for row in rows for p in told],
    )


def event_row(
    event: Event,
    case_id: uuid.UUID,
    now: dt.datetime,
    *,
    reveals: str | None = None,
    detail: Mapping[str, str | int] | None = None,
) -> dict[str, Any]:
    """The outbox row of ``event`` about ``case_id`` (see ``emit``)."""
    if event.notified_as is None:
        raise ValueError(f"{event.name} is not told to partners")
    if reveals is not None and event.reveals is not None:
        raise ValueError(f"{event.name} reveals {event.reveals}, not another field")
    field = reveals or event.reveals
    if field is None:
        raise ValueError(f"{event.name} reveals the field of what was recorded: name it")
    if detail is not None and (clash := sorted(_OWN_KEYS & detail.keys())):
        raise ValueError(f"{event.name}: the webhook fills {', '.join(clash)} itself")
    return {
        "id": uuid.uuid4(),
        "type": event.notified_as,
        "case_id": case_id,
        "reveals": field,
        "detail": dict(detail) if detail else None,
        "occurred_at": now,
        "traceparent": None if (trace := tracing.current()) is None else trace.traceparent,
    }


def claim_overdue_announcement(
    session: Session,
    model: type[ActionItem] | type[MunicipalContact] | type[ShelterTask],
    row_id: uuid.UUID,
    now: dt.datetime,
) -> bool:
    """Mark a row's overdue announcement as made, if no other worker made it first.

    A compare-and-set on ``overdue_announced_at``: of two workers that found the same overdue
    row, exactly one gets True and emits the event, so it is announced once.
    """
    taken = session.execute(
        update(model)
        .where(model.id == row_id, model.overdue_announced_at.is_(None))
        .values(overdue_announced_at=now)
        .execution_options(synchronize_session=False)
    )
    return bool(taken.rowcount == 1)  # type: ignore[attr-defined]


def _relation(
    session: Session, partner_id: str, case_id: uuid.UUID
) -> tuple[Case, Relation] | None:
    try:
        return cases.find(session, partner_id, case_id, frozenset())
    except NotFoundError:
        return None  # no relation (or the case was erased): not told


def fan_out(session: Session, engine: PolicyEngine, now: dt.datetime, *, batch: int = 100) -> int:
    """Turn events not yet fanned out into deliveries; returns how many events it took.

    Each event is taken by a compare-and-set on ``fanned_out_at``, so two workers never both
    fan out one event; the unique (subscription, event) pair would stop a duplicate anyway.
    """
    events = session.scalars(
        select(OutboxEvent)
        .where(OutboxEvent.fanned_out_at.is_(None))
        .order_by(OutboxEvent.occurred_at, OutboxEvent.id)
        .limit(batch)
    ).all()
    if not events:
        return 0
    active = session.scalars(
        select(WebhookSubscription)
        .where(WebhookSubscription.disabled_at.is_(None))
        .order_by(WebhookSubscription.created_at, WebhookSubscription.id)
    ).all()
    kinds = {p.id: str(p.kind) for p in session.scalars(select(Partner))}
    addressed: dict[uuid.UUID, set[str]] = defaultdict(set)
    for event_id, partner_id in session.execute(
        select(OutboxAddressee.event_id, OutboxAddressee.partner_id).where(
            OutboxAddressee.event_id.in_([e.id for e in events])
        )
    ):
        addressed[event_id].add(partner_id)
    taken = 0
    for event in events:
        claimed = session.execute(
            update(OutboxEvent)
            .where(OutboxEvent.id == event.id, OutboxEvent.fanned_out_at.is_(None))
            .values(fanned_out_at=now)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            continue  # another worker took it
        taken += 1
        by_partner: dict[str, list[WebhookSubscription]] = defaultdict(list)
        for subscription in active:
            if str(event.type) in subscription.event_types:
                by_partner[subscription.partner_id].append(subscription)
        for partner_id, subscriptions in by_partner.items():
            found = _relation(session, partner_id, event.case_id)
            if found is None or partner_id not in kinds:
                continue
            case, relation = found
            # Told whatever its field policies say if the event is addressed to it (it must
            # still relate to the case: checked above).
            addressee = partner_id if partner_id in addressed[event.id] else None
            if not may_be_told(
                engine,
                partner_id,
                kinds[partner_id],
                relation,
                case,
                event.reveals,
                addressee,
                today=now.date(),
            ):
                continue
            session.execute(
                insert(WebhookDelivery),
                [
                    {
                        "id": uuid.uuid4(),
                        "subscription_id": s.id,
                        "event_id": event.id,
                        "status": DeliveryStatus.PENDING,
                        "attempts": 0,
                        "next_attempt_at": now,
                        "created_at": now,
                    }
                    for s in subscriptions
                ],
            )
            _log_notification(session, partner_id, event, now)
    session.flush()
    return taken


def _log_notification(
    session: Session, partner_id: str, event: OutboxEvent, now: dt.datetime
) -> None:
    # A thin webhook still tells a partner that something changed on a case: the access log
    # records it like any other disclosure, naming the field whose change it made known.
    session.add(
        AccessLogRecord(
            id=uuid.uuid4(),
            trace_id=uuid.uuid4().hex,
            span_id=uuid.uuid4().hex[:16],
            partner_id=partner_id,
            actor=None,
            case_id=event.case_id,
            purpose=DEFAULT_PURPOSE,
            operation=f"webhook {event.type}"[:100],
            fields_disclosed=[event.reveals],
            fields_withheld=[],
            occurred_at=now,
            outcome="notified",
        )
    )
