"""Idempotent mutations: a partner sends an ``Idempotency-Key`` with a mutation, and a retry
under the same key is answered with the first answer instead of doing the work again (the IETF
httpapi draft "The Idempotency-Key HTTP Header Field").

The key is held in the mutation's own transaction: ``hold`` inserts the row before the work,
``complete`` fills in the answer, and both commit with the work, or neither does. So a
mutation under a key happens exactly once: a retry that arrives while the first is running
waits on the row (its primary key) and is then answered from it; a retry after a rollback finds
no row and does the work itself. The same key with a different request is a conflict.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry.errors import ConflictError, InvalidInputError
from registry.models import IdempotentRequest
from registry.models.idempotency import KEY_LENGTH


def parse_key(header: str) -> str:
    """The key from the header's value: a Structured Fields string (``"…"``), or the bare
    text that many clients send; printable ASCII, at most ``KEY_LENGTH`` characters."""
    value = header.strip()
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    if not value or len(value) > KEY_LENGTH:
        raise InvalidInputError(f"an Idempotency-Key has 1 to {KEY_LENGTH} characters")
    if not all(" " <= c <= "~" and c not in '"\\' for c in value):
        raise InvalidInputError("an Idempotency-Key is printable ASCII without quotes")
    return value


def fingerprint(query: str, variables: dict[str, Any] | None, operation: str | None) -> str:
    """What identifies a request under its key: its document, variables and operation."""
    document = {"query": query, "variables": variables or {}, "operationName": operation}
    canonical = json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class StoredAnswer:
    """The first answer given under a key, to be given again."""

    status_code: int
    response: dict[str, Any]
    disclosures: list[dict[str, Any]]


def _answer(record: IdempotentRequest, print_: str) -> StoredAnswer | None:
    if record.fingerprint != print_:
        raise ConflictError(
            "this Idempotency-Key was used for a different request: use a new key for a new "
            "request, and the same request for a retry"
        )
    if record.status_code is None or record.response is None:
        return None  # only seen inside the transaction that holds it
    return StoredAnswer(record.status_code, record.response, record.disclosures or [])


def hold(
    session: Session, partner_id: str, key: str, print_: str, now: dt.datetime
) -> StoredAnswer | None:
    """Claim ``key`` for this request in the session's transaction, or return the answer a
    request under it was already given (``ConflictError`` when that request was different).

    None means: do the work, then ``complete``. When a request under the same key is running
    right now, this waits for it to end. After an ``IntegrityError`` here the session's
    transaction is rolled back, so call this before any work.
    """
    existing = session.get(IdempotentRequest, (partner_id, key))
    if existing is not None:
        return _answer(existing, print_)
    session.add(
        IdempotentRequest(partner_id=partner_id, key=key, fingerprint=print_, created_at=now)
    )
    try:
        session.flush()
    except IntegrityError:
        # Another request under this key committed while we looked: answer from it.
        session.rollback()
        existing = session.get(IdempotentRequest, (partner_id, key), populate_existing=True)
        if existing is None:  # it was rolled back after all: nobody holds the key now
            return hold(session, partner_id, key, print_, now)
        return _answer(existing, print_)
    return None


def complete(
    session: Session,
    partner_id: str,
    key: str,
    status_code: int,
    response: dict[str, Any],
    disclosures: list[dict[str, Any]],
) -> None:
    """Store the answer of the request that holds ``key`` (in its transaction)."""
    record = session.get(IdempotentRequest, (partner_id, key))
    if record is None:  # pragma: no cover - hold() put it there in this transaction
        raise ConflictError("the Idempotency-Key is not held by this request")
    record.status_code, record.response, record.disclosures = status_code, response, disclosures


def forget_expired(session: Session, now: dt.datetime, retention: dt.timedelta) -> int:
    """Drop answers older than ``retention`` (housekeeping); returns how many."""
    result = session.execute(
        delete(IdempotentRequest).where(IdempotentRequest.created_at < now - retention)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
