"""Idempotent mutations: a partner sends an ``Idempotency-Key`` with a mutation, and a retry
under the same key is answered with the first answer instead of doing the work again (the IETF
httpapi draft "The Idempotency-Key HTTP Header Field").

The key is held in the mutation's own transaction: ``hold`` inserts the row before the work,
``complete`` fills in the answer, and both commit with the work, or neither does. So a
mutation under a key happens exactly once: a retry that arrives while the first is running
waits on the row (its primary key) and is then answered from it; a retry after a rollback finds
no row and does the work itself. The same key with a different request is a conflict.

Only mutations are kept: a query is safe to repeat, and its answer is not stored
(``execute_once``).
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from graphql import FieldNode, GraphQLError, OperationDefinitionNode, OperationType, parse
from graphql.utilities import get_operation_ast
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from registry.access import accesslog, auth
from registry.access.disclosure import Disclosure
from registry.errors import ConflictError, InvalidInputError, RegistryError
from registry.models import IdempotentRequest
from registry.models.idempotency import KEY_LENGTH
from registry.web.exchange import Answer, GraphQLRequest


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


@functools.lru_cache(maxsize=512)
def shape(query: str, operation_name: str | None, max_tokens: int) -> tuple[bool, str]:
    """Whether the operation a document runs is a mutation, and its ``channel``. Parsed once
    per document text: partner systems send the same few documents over and over, and this
    is asked on every request (a document that does not parse is no mutation; execution
    reports what is wrong with it)."""
    try:
        operation = get_operation_ast(parse(query, max_tokens=max_tokens), operation_name)
    except (GraphQLError, RecursionError):
        operation = None
    mutation = operation is not None and operation.operation is OperationType.MUTATION
    return mutation, channel(operation, operation_name)


def channel(operation: OperationDefinitionNode | None, operation_name: str | None) -> str:
    """What the access log names as the channel of a request: the schema's root fields the
    operation asks (``case``, ``explainAccess,accessHistory``), by their names in the schema
    and never by the partner's aliases, then the client's operation name in brackets. A
    household's access report shows through which operations its data went; the operation
    name alone is whatever the client chose, or nothing."""
    fields: list[str] = []
    if operation is not None:
        for selection in operation.selection_set.selections:
            name = selection.name.value if isinstance(selection, FieldNode) else "(fragment)"
            if name not in fields:
                fields.append(name)
    named = f" ({operation_name})" if operation_name else ""
    return (",".join(fields) or "anonymous") + named


def execute_once(
    session: Session,
    request: GraphQLRequest,
    who: auth.Authenticated,
    now: dt.datetime,
    *,
    run: Callable[[], tuple[Answer, Disclosure]],
    commit: Callable[[Answer], Answer],
    error_body: Callable[[str, str], dict[str, Any]],
    max_tokens: int,
) -> Answer:
    """Answer ``request`` for ``who``: a mutation under an ``Idempotency-Key`` runs once, and a
    retry is given the first answer again; anything else simply runs.

    ``run`` executes the request and returns its answer and what it disclosed, which the
    access log records (a replay: as a retry of the same disclosure). ``commit`` spends the
    token and commits all of it at once. A key used for another request is answered 422 in
    the registry's error body (``error_body(code, message)``) and not committed: nothing was
    done, and the token may be sent again.
    """
    mutation, operation = shape(request.query, request.operation_name, max_tokens)
    key = request.idempotency_key if mutation else None
    if key is not None:
        print_ = fingerprint(request.query, request.variables, request.operation_name)
        try:
            stored = hold(session, who.principal.partner_id, key, print_, now)
        except RegistryError as exc:
            return Answer(422, error_body(exc.code, exc.message))
        if stored is not None:
            accesslog.write_again(
                session, who.principal, f"{operation} (retry)", now, stored.disclosures
            )
            return commit(
                Answer(stored.status_code, stored.response, replayed=True, operation="retry")
            )
    answer, disclosure = run()
    if key is not None:
        complete(
            session,
            who.principal.partner_id,
            key,
            answer.status,
            answer.payload,
            accesslog.summary(disclosure),
        )
    accesslog.write(session, disclosure, operation, now)
    return commit(answer)
