"""Annotations and action items: partners record what they did on a case they may see, a case
conference hands out action items, and every partner reads what the policies release to it.

Append-only: an annotation is never changed; its author corrects it with a new annotation that
points at it. Reads go through the disclosure choke point (each annotation kind is a policy
field). An annotation on a case the caller may not see is answered as not found.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, aliased, selectinload

from policies import Permission, Relation
from registry.cases import service as cases
from registry.cases.fields import ANNOTATION_KIND_FIELDS
from registry.cases.lists import MAX_PAGE
from registry.cases.relations import with_relation
from registry.cases.routes import check_annotation
from registry.cases.views import ActionItemView, AnnotationView
from registry.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from registry.events import Event
from registry.lengths import max_length
from registry.models import ActionItem, Annotation, AnnotationKind, Case, Partner
from registry.notifications import outbox
from registry.recording import record

if TYPE_CHECKING:
    from registry.request import RequestScope

MAX_NOTE = max_length(Annotation.note)
MAX_DESCRIPTION = max_length(ActionItem.description)
MAX_ACTION_ITEMS = 20


@dataclass(frozen=True)
class NewActionItem:
    """A task a case-conference decision gives a partner."""

    description: str
    assignee: str
    due_on: dt.date


@dataclass(frozen=True)
class NewAnnotation:
    """What a partner records on a case. ``corrects`` names an annotation of its own that this
    one corrects; action items belong to case-conference decisions only."""

    case_id: str
    kind: AnnotationKind
    occurred_on: dt.date
    note: str | None = None
    corrects: str | None = None
    action_items: Sequence[NewActionItem] = field(default_factory=tuple)


def _parse(text: str, what: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except (ValueError, AttributeError, TypeError):
        raise InvalidInputError(f"{text!r} is not an {what} id (a UUID)") from None


def _corrected_by(
    session: Session, annotation_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, uuid.UUID]:
    if not annotation_ids:
        return {}
    rows = session.execute(
        select(Annotation.corrects_id, Annotation.id).where(
            Annotation.corrects_id.in_(annotation_ids)
        )
    ).all()
    return {corrected: correction for corrected, correction in rows if corrected is not None}


def _check_correction(
    scope: RequestScope, case: Case, relation: Relation, corrects: str
) -> uuid.UUID:
    session, me = scope.session, scope.principal.partner_id
    original = session.get(Annotation, _parse(corrects, "annotation"))
    if original is None or original.case_id != case.id:
        raise NotFoundError(f"annotation {corrects} not found on this case")
    if original.author_id != me:
        # One the caller may not read does not exist for it; one it may read is not its own.
        if ANNOTATION_KIND_FIELDS[original.kind] not in scope.disclosure.readable_of(
            case, relation
        ):
            raise NotFoundError(f"annotation {corrects} not found on this case")
        raise NotAllowedError("only the author of an annotation corrects it")
    successor = _corrected_by(session, [original.id]).get(original.id)
    if successor is not None:
        raise ConflictError(
            f"annotation {corrects} was corrected already by {successor}: correct that one"
        )
    return original.id


def _check_action_item(session: Session, case: Case, item: NewActionItem, today: dt.date) -> None:
    if not item.description.strip() or len(item.description) > MAX_DESCRIPTION:
        raise InvalidInputError(
            f"an action item's description has 1 to {MAX_DESCRIPTION} characters"
        )
    if item.due_on < today:
        raise InvalidInputError(f"an action item's due date {item.due_on} lies in the past")
    if session.get(Partner, item.assignee) is None:
        raise InvalidInputError(f"unknown partner {item.assignee!r}")
    try:
        # The assignee must relate to the case: the item is released to it (whatever the
        # field policies say), and a partner with no relation may learn nothing of the case.
        cases.find(session, item.assignee, case.id, frozenset())
    except NotFoundError:
        raise InvalidInputError(
            f"{item.assignee} cannot be given an action item on this case: it is neither its "
            "owner, its municipality nor involved in it"
        ) from None


def add(scope: RequestScope, new: NewAnnotation) -> AnnotationView:
    """Record an annotation (and its action items) on a case the caller may see."""
    session, principal, now = scope.session, scope.principal, scope.now
    case, relation = scope.find_case(new.case_id)
    scope.require(Permission.ANNOTATION_ADD, relation, "annotate this case")
    if new.occurred_on > scope.today:
        raise InvalidInputError(f"occurredOn {new.occurred_on} lies in the future")
    note = new.note.strip() if new.note else None
    if note is not None and len(note) > MAX_NOTE:
        raise InvalidInputError(f"a note has at most {MAX_NOTE} characters")
    check_annotation(case.reasons, new.kind)
    if new.action_items and new.kind is not AnnotationKind.CASE_CONFERENCE:
        raise InvalidInputError("only a case-conference decision has action items")
    if len(new.action_items) > MAX_ACTION_ITEMS:
        raise InvalidInputError(f"a decision has at most {MAX_ACTION_ITEMS} action items")
    corrects = _check_correction(scope, case, relation, new.corrects) if new.corrects else None
    for item in new.action_items:
        _check_action_item(session, case, item, scope.today)
    annotation = Annotation(
        id=uuid.uuid4(),
        case_id=case.id,
        kind=new.kind,
        author_id=principal.partner_id,
        actor=principal.actor,
        occurred_on=new.occurred_on,
        note=note or None,
        corrects_id=corrects,
        recorded_at=now,
    )
    annotation.action_items = [
        ActionItem(
            id=uuid.uuid4(),
            case_id=case.id,
            description=item.description.strip(),
            assignee_id=item.assignee,
            due_on=item.due_on,
        )
        for item in new.action_items
    ]
    session.add(annotation)
    record(session, Event.ANNOTATION_ADDED, case.id, now, reveals=ANNOTATION_KIND_FIELDS[new.kind])
    session.flush()
    return scope.disclosure.annotations(case, relation, [annotation], {}, scope.today)[0]


def for_case(scope: RequestScope, case_id: str) -> list[AnnotationView]:
    """A case's annotations in the order they were recorded, as far as the caller may read
    them: corrected ones stay, marked with their correction."""
    case, relation = scope.find_case(case_id, fields=frozenset())
    found = scope.session.scalars(
        select(Annotation)
        .where(Annotation.case_id == case.id)
        .options(selectinload(Annotation.action_items))
        .order_by(Annotation.recorded_at, Annotation.id)
    ).all()
    corrected_by = {a.corrects_id: a.id for a in found if a.corrects_id is not None}
    return scope.disclosure.annotations(case, relation, found, corrected_by, scope.today)


def action_items(
    scope: RequestScope, *, overdue_only: bool = False, assigned_to_me: bool = False
) -> list[ActionItemView]:
    """Open and done action items of current decisions (not of corrected ones) on cases the
    caller relates to, as far as it may read them; soonest due first."""
    me = scope.principal.partner_id
    correction = aliased(Annotation)
    stmt = (
        with_relation(select(Case), me)
        .add_columns(ActionItem, Annotation)
        .join(ActionItem, ActionItem.case_id == Case.id)
        .join(Annotation, Annotation.id == ActionItem.annotation_id)
        .where(~select(correction.id).where(correction.corrects_id == Annotation.id).exists())
    )
    if overdue_only:
        stmt = stmt.where(ActionItem.done_at.is_(None), ActionItem.due_on < scope.today)
    if assigned_to_me:
        stmt = stmt.where(ActionItem.assignee_id == me)
    stmt = stmt.order_by(ActionItem.due_on, ActionItem.id).limit(MAX_PAGE)
    rows = [
        (case, Relation(rel), item, annotation)
        for case, rel, item, annotation in scope.session.execute(stmt).all()
    ]
    return scope.disclosure.action_items(rows, scope.today)


def complete_action_item(scope: RequestScope, item_id: str) -> ActionItemView:
    """Mark an action item done: its assignee, or the author of the decision."""
    session, disclosure, me = scope.session, scope.disclosure, scope.principal.partner_id
    missing = NotFoundError(f"action item {item_id} not found")
    # Locked and read afresh (PostgreSQL), so that two completions at once cannot both find
    # the item open.
    item = session.get(
        ActionItem, _parse(item_id, "action item"), with_for_update=True, populate_existing=True
    )
    if item is None:
        raise missing
    try:
        case, relation = scope.find_case(item.case_id, fields=frozenset())
    except NotFoundError:
        raise missing from None  # the same answer as for an item that does not exist
    annotation = session.get(Annotation, item.annotation_id)
    if annotation is None or not disclosure.action_items(
        [(case, relation, item, annotation)], scope.today
    ):
        raise missing
    if me not in {item.assignee_id, annotation.author_id}:
        raise NotAllowedError(
            "only the assignee or the decision's author marks an action item done"
        )
    if item.done_at is not None:
        raise ConflictError(
            f"action item {item_id} was marked done already on {item.done_at:%Y-%m-%d}"
        )
    if _corrected_by(session, [annotation.id]):
        raise ConflictError("the decision was corrected: its action items are superseded")
    item.done_at = scope.now
    item.done_by = scope.principal.actor or me
    session.flush()
    return disclosure.action_items([(case, relation, item, annotation)], scope.today)[0]


def announce_overdue(session: Session, now: dt.datetime) -> int:
    """Write an ``action_item.overdue`` event for every open item of a current decision that is
    past due and was not announced yet; returns how many. Each item is announced once: a
    compare-and-set on ``overdue_announced_at`` keeps two workers from both announcing it."""
    correction = aliased(Annotation)
    due = session.scalars(
        select(ActionItem)
        .join(Annotation, Annotation.id == ActionItem.annotation_id)
        .where(
            ActionItem.done_at.is_(None),
            ActionItem.due_on < now.date(),
            ActionItem.overdue_announced_at.is_(None),
            ~select(correction.id).where(correction.corrects_id == Annotation.id).exists(),
        )
        .order_by(ActionItem.due_on, ActionItem.id)
        .limit(100)
    ).all()
    announced = 0
    for item in due:
        if not outbox.claim_overdue_announcement(session, ActionItem, item.id, now):
            continue
        record(session, Event.ACTION_ITEM_OVERDUE, item.case_id, now, addressee=item.assignee_id)
        announced += 1
    session.flush()
    return announced
