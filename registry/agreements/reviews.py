"""Reviewing second-chance agreements: Bureau Woonkans records a check per condition per
review, and sees which reviews are due or overdue; the parties are told when a review falls due
(``announce_due``) and when a recorded review finds a condition not met.

Reviews are scheduled when an agreement becomes active (``agreements.review_dates``). Time is
the request's clock, so "due" and "overdue" are tested by moving that clock, never by waiting.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from policies import Permission, Relation
from registry.agreements import notices
from registry.agreements.service import CLOSING_STATUSES, find, view
from registry.agreements.text import checks_sha256
from registry.agreements.views import AgreementView, DueReviewView
from registry.cases.relations import with_relation
from registry.errors import ConflictError, InvalidInputError, NotFoundError
from registry.events import Event
from registry.lengths import max_length
from registry.models import (
    AgreementParty,
    AgreementReview,
    AgreementStatus,
    Case,
    ConditionCheck,
    SecondChanceAgreement,
)
from registry.recording import record

if TYPE_CHECKING:
    from registry.request import RequestScope

MAX_NOTE = max_length(ConditionCheck.note)
#: How far ahead "due" may look at most.
MAX_DUE_WITHIN_DAYS = 366
#: How many fallen-due reviews one round announces at most (the rest in the next rounds).
ANNOUNCE_BATCH = 100


@dataclass(frozen=True)
class CheckDraft:
    """One condition's check at a review: met or not, with a short note."""

    condition: int
    met: bool
    note: str | None = None


def _checks(
    agreement: SecondChanceAgreement, review: int, drafts: Sequence[CheckDraft]
) -> list[ConditionCheck]:
    numbers = [c.number for c in agreement.conditions]
    seen: set[int] = set()
    made = []
    for draft in drafts:
        if draft.condition not in numbers:
            raise InvalidInputError(
                f"condition {draft.condition} does not exist: the agreement has conditions "
                f"{numbers[0]} to {numbers[-1]}"
            )
        if draft.condition in seen:
            raise InvalidInputError(f"condition {draft.condition} is checked twice")
        seen.add(draft.condition)
        note = (draft.note or "").strip() or None
        if note is not None and len(note) > MAX_NOTE:
            raise InvalidInputError(
                f"the note on condition {draft.condition} is longer than {MAX_NOTE} characters"
            )
        made.append(
            ConditionCheck(
                agreement_id=agreement.id,
                review_number=review,
                condition_number=draft.condition,
                met=draft.met,
                note=note,
            )
        )
    missing = sorted(set(numbers) - seen)
    if missing:
        raise InvalidInputError(
            "every condition is checked at a review; missing: " + ", ".join(str(n) for n in missing)
        )
    return sorted(made, key=lambda c: c.condition_number)


def record_review(
    scope: RequestScope, agreement_id: str, number: int, checks: Sequence[CheckDraft]
) -> AgreementView:
    """Record a review of an active agreement: one check per condition."""
    session, partner_id, now = scope.session, scope.principal.partner_id, scope.now
    agreement, case, relation = find(session, partner_id, agreement_id, for_change=True)
    scope.require(
        Permission.AGREEMENT_REVIEW_RECORD,
        relation,
        "record reviews of this case's agreements",
    )
    if agreement.status in CLOSING_STATUSES:
        raise ConflictError(
            f"the agreement is closed ({agreement.status}): no more checks are recorded"
        )
    if agreement.status is not AgreementStatus.ACTIVE:
        raise ConflictError(
            "the agreement is not active yet: reviews start when every party has agreed"
        )
    review = next((r for r in agreement.reviews if r.number == number), None)
    if review is None:
        raise NotFoundError(
            f"the agreement has no review {number}: its reviews are 1 to {len(agreement.reviews)}"
        )
    if review.recorded_at is not None:
        raise ConflictError(f"review {number} was recorded already")
    made = _checks(agreement, number, checks)
    review.checks = made
    review.recorded_at, review.recorded_by = now, partner_id
    agreement.version += 1
    session.flush()
    record(
        session,
        Event.AGREEMENT_REVIEW_RECORDED,
        agreement.case_id,
        now,
        submitter=partner_id,
        payload={
            "agreement": str(agreement.id),
            "review": number,
            "dueOn": review.due_on.isoformat(),
            "met": [c.condition_number for c in made if c.met],
            "notMet": [c.condition_number for c in made if not c.met],
            "checksSha256": checks_sha256(agreement, number, made),
        },
    )
    if not all(c.met for c in made):
        # A condition not met: every party hears of it now, not at the next meeting.
        record(
            session,
            Event.AGREEMENT_CONDITION_BROKEN,
            agreement.case_id,
            now,
            addressees=notices.party_ids(agreement),
            detail=notices.detail(agreement.id, number),
        )
    return view(scope, agreement, case, relation)


def due_reviews(scope: RequestScope, within_days: int) -> list[DueReviewView]:
    """Unrecorded reviews of active agreements due within ``within_days`` of today, or overdue,
    earliest first; only of cases whose agreement reviews the caller may read."""
    me = scope.principal.partner_id
    scope.require(
        Permission.AGREEMENT_REVIEWS_DUE,
        Relation.NONE,
        "monitor agreement reviews",
        refusal=f"{me} does not monitor agreement reviews",
    )
    if not 0 <= within_days <= MAX_DUE_WITHIN_DAYS:
        raise InvalidInputError(f"withinDays must be between 0 and {MAX_DUE_WITHIN_DAYS}")
    today = scope.today
    stmt = (
        with_relation(select(Case), me)
        .join(SecondChanceAgreement, SecondChanceAgreement.case_id == Case.id)
        .join(AgreementReview, AgreementReview.agreement_id == SecondChanceAgreement.id)
        .add_columns(AgreementReview)
        .where(
            SecondChanceAgreement.status == AgreementStatus.ACTIVE,
            AgreementReview.recorded_at.is_(None),
            AgreementReview.due_on <= today + dt.timedelta(days=within_days),
        )
        .order_by(AgreementReview.due_on, AgreementReview.agreement_id, AgreementReview.number)
    )
    due = []
    for case, relation, review in scope.session.execute(stmt):
        released = scope.disclosure.due_review_view(review, case, Relation(relation), today)
        if released is not None:
            due.append(released)
    return due


def announce_due(session: Session, now: dt.datetime) -> int:
    """Write an ``agreement.review_due`` event for every review of an active agreement that
    fell due by ``now``'s day, is not recorded and was not announced yet; returns how many.

    A compare-and-set on the review's ``due_announced_at`` (the "sent" marker) keeps two
    workers from both announcing it: the one whose update takes the row announces it."""
    found = session.execute(
        select(AgreementReview.agreement_id, AgreementReview.number, SecondChanceAgreement.case_id)
        .join(SecondChanceAgreement, SecondChanceAgreement.id == AgreementReview.agreement_id)
        .where(
            SecondChanceAgreement.status == AgreementStatus.ACTIVE,
            AgreementReview.due_notice.is_(True),
            AgreementReview.due_announced_at.is_(None),
            AgreementReview.recorded_at.is_(None),
            AgreementReview.due_on <= now.date(),
        )
        .order_by(AgreementReview.due_on, AgreementReview.agreement_id, AgreementReview.number)
        .limit(ANNOUNCE_BATCH)
    ).all()
    if not found:
        return 0
    parties: dict[uuid.UUID, list[str | None]] = defaultdict(list)
    for agreement_id, partner_id in session.execute(
        select(AgreementParty.agreement_id, AgreementParty.partner_id)
        .where(
            AgreementParty.agreement_id.in_({a for a, _, _ in found}),
            AgreementParty.partner_id.is_not(None),
        )
        .order_by(AgreementParty.agreement_id, AgreementParty.position)
    ):
        parties[agreement_id].append(partner_id)
    announced = 0
    for agreement_id, number, case_id in found:
        taken = session.execute(
            update(AgreementReview)
            .where(
                AgreementReview.agreement_id == agreement_id,
                AgreementReview.number == number,
                AgreementReview.due_announced_at.is_(None),
            )
            .values(due_announced_at=now)
            .execution_options(synchronize_session=False)
        )
        if taken.rowcount != 1:  # type: ignore[attr-defined]
            continue  # another worker announced it
        record(
            session,
            Event.AGREEMENT_REVIEW_DUE,
            case_id,
            now,
            addressees=parties[agreement_id],
            detail=notices.detail(agreement_id, number),
        )
        announced += 1
    session.flush()
    return announced
