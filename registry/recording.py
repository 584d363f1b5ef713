"""Recording an event: the one way a feature says that something happened.

``record`` writes what the event's member of ``registry.events.Event`` says follows from it,
in the caller's transaction: the outbox row partners are told from (if it is notified) and the
sealed entry of the signed audit log (if it is logged). So the change, its notification and
its log entry commit together or not at all, and no feature decides by hand which of them an
event gets.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable, Mapping, Sequence

from sqlalchemy.orm import Session

from registry import auditlog
from registry.events import Event
from registry.notifications import outbox


def record(
    session: Session,
    event: Event,
    case_id: uuid.UUID | None,
    now: dt.datetime,
    *,
    submitter: str | None = None,
    payload: Mapping[str, object] | None = None,
    reveals: str | None = None,
    addressee: str | None = None,
    addressees: Iterable[str | None] = (),
    detail: Mapping[str, str | int] | None = None,
    partner_signature: auditlog.PartnerSignature | None = None,
) -> None:
    """Record that ``event`` happened to the case ``case_id`` (None: to no case, as a policy
    change) at ``now``, in the caller's transaction.

    A logged event is appended to the signed audit log as submitted by ``submitter`` (the
    partner whose action it records, with its ``partner_signature`` if it signed), holding
    ``payload`` (ids, codes, dates and hashes that name its aggregate: ``agreement``,
    ``inventory`` or ``policy``) and its ``case``. A notified event is written to the outbox,
    revealing its field (or ``reveals``, for an event whose field depends on what was
    recorded), and addressed to every partner of ``addressees`` (``addressee``: one, the common
    case; None entries are left out): each is told whatever its field policies say, as long as
    it relates to the case. ``detail`` holds ids and codes its webhook passes on beyond the
    case (``{"agreementId": ...}``).

    Raises:
        InvalidInputError: the log refuses the payload or the partner's signature.
        ValueError: the call lacks what the event needs (a submitter, a case): a bug.
    """
    if event.logged_as is not None:
        if submitter is None:
            raise ValueError(f"{event.name} goes into the signed log: name its submitter")
        logged = dict(payload or {})
        if case_id is not None:
            logged["case"] = str(case_id)
        auditlog.append(
            session,
            event.logged_as,
            logged,
            submitter=submitter,
            now=now,
            partner_signature=partner_signature,
        )
    if event.notified_as is not None:
        if case_id is None:
            raise ValueError(f"{event.name} is told to the partners of a case: name the case")
        outbox.emit(
            session,
            event,
            case_id,
            now,
            reveals=reveals,
            addressees=(addressee, *addressees),
            detail=detail,
        )


def record_each(
    session: Session, event: Event, case_ids: Sequence[uuid.UUID], now: dt.datetime
) -> None:
    """``record`` of ``event`` for each case of ``case_ids`` at ``now``, addressed to no one
    in particular: the notifications written many per statement (a bulk import's cases).

    Raises:
        ValueError: ``event`` goes into the signed log, one entry at a time: call ``record``.
    """
    if event.logged_as is not None:
        raise ValueError(f"{event.name} goes into the signed log: record it case by case")
    if event.notified_as is not None:
        outbox.emit_each(session, event, case_ids, now)
