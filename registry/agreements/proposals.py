"""Proposing a second-chance agreement: the draft a partner submits, and every check on it
before anything is written (conditions, term, parties, no other open agreement)."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from policies import Permission
from registry.agreements import notices
from registry.agreements.service import OPEN_STATUSES, parse_enum, view
from registry.agreements.text import text_sha256
from registry.agreements.views import AgreementView
from registry.cases import service as cases
from registry.errors import ConflictError, InvalidInputError, NotFoundError
from registry.events import Event
from registry.lengths import max_length
from registry.models import (
    AgreementCondition,
    AgreementKind,
    AgreementParty,
    AgreementStatus,
    Case,
    ConditionType,
    Partner,
    PartnerKind,
    PartyKind,
    SecondChanceAgreement,
)
from registry.recording import record

if TYPE_CHECKING:
    from registry.request import RequestScope

MAX_TERM_DAYS = 5 * 366
REVIEW_INTERVAL_DAYS = (7, 366)
MAX_CONDITIONS = 20
MAX_CONDITION_TEXT = max_length(AgreementCondition.text)


@dataclass(frozen=True)
class ConditionDraft:
    """A condition as proposed: its type, whose support is accepted, an explanation."""

    type: ConditionType | str
    support_kind: PartnerKind | str | None = None
    text: str | None = None


@dataclass(frozen=True)
class AgreementDraft:
    """A proposal: for which case, what kind, the party organisations (the household is
    always a party), the conditions, the term and the review rhythm."""

    case_id: str
    kind: AgreementKind | str
    parties: Sequence[str]
    conditions: Sequence[ConditionDraft]
    term_start: dt.date
    term_end: dt.date
    review_interval_days: int


def _conditions(drafts: Sequence[ConditionDraft]) -> list[AgreementCondition]:
    if not drafts:
        raise InvalidInputError("an agreement sets at least one condition")
    if len(drafts) > MAX_CONDITIONS:
        raise InvalidInputError(f"an agreement sets at most {MAX_CONDITIONS} conditions")
    made = []
    for number, draft in enumerate(drafts, start=1):
        kind = parse_enum(ConditionType, draft.type, "condition type")
        text = (draft.text or "").strip() or None
        support = None
        if kind is ConditionType.ACCEPT_SUPPORT:
            if draft.support_kind is None:
                raise InvalidInputError(
                    f"condition {number} (accept_support) names the kind of partner whose "
                    "support is accepted"
                )
            support = parse_enum(PartnerKind, draft.support_kind, "partner kind")
        elif draft.support_kind is not None:
            raise InvalidInputError(f"condition {number}: only accept_support names a partner kind")
        if kind is ConditionType.OTHER and text is None:
            raise InvalidInputError(f"condition {number} (other) needs a text saying what it is")
        if text is not None and len(text) > MAX_CONDITION_TEXT:
            raise InvalidInputError(
                f"condition {number}: the text is longer than {MAX_CONDITION_TEXT} characters"
            )
        made.append(AgreementCondition(number=number, type=kind, support_kind=support, text=text))
    return made


def _check_term(start: dt.date, end: dt.date, interval: int) -> None:
    if end <= start:
        raise InvalidInputError(
            f"the term ends ({end.isoformat()}) before it starts ({start.isoformat()})"
        )
    if (end - start).days > MAX_TERM_DAYS:
        raise InvalidInputError("the term is longer than five years")
    low, high = REVIEW_INTERVAL_DAYS
    if not low <= interval <= high:
        raise InvalidInputError(f"the review interval must be {low} to {high} days")


def _parties(session: Session, case: Case, partner_ids: Sequence[str]) -> list[AgreementParty]:
    if len(set(partner_ids)) != len(partner_ids):
        raise InvalidInputError("a party organisation is named twice")
    parties = []
    for position, partner_id in enumerate(partner_ids):
        if session.get(Partner, partner_id) is None:
            raise InvalidInputError(f"unknown partner {partner_id!r}")
        try:
            cases.find(session, partner_id, case.id, frozenset())
        except NotFoundError:
            raise InvalidInputError(
                f"{partner_id} does not work on this case: the owner or the municipality "
                "involves it first"
            ) from None
        parties.append(
            AgreementParty(position=position, kind=PartyKind.ORGANISATION, partner_id=partner_id)
        )
    if case.owner_id not in partner_ids:
        raise InvalidInputError("the corporation that owns the case must be a party")
    parties.append(AgreementParty(position=len(parties), kind=PartyKind.HOUSEHOLD))
    return parties


def propose(scope: RequestScope, draft: AgreementDraft) -> AgreementView:
    """Propose an agreement for a case; it waits for the parties' signatures and consent."""
    session, principal, now = scope.session, scope.principal, scope.now
    # The case is locked: two proposals at once must not both find no open agreement.
    case, relation = scope.find_case(draft.case_id, fields=frozenset(), for_change=True)
    scope.require(
        Permission.AGREEMENT_PROPOSE,
        relation,
        "propose a second-chance agreement for this case",
    )
    kind = parse_enum(AgreementKind, draft.kind, "agreement kind")
    conditions = _conditions(draft.conditions)
    _check_term(draft.term_start, draft.term_end, draft.review_interval_days)
    parties = _parties(session, case, draft.parties)
    open_one = session.scalar(
        select(SecondChanceAgreement.id).where(
            SecondChanceAgreement.case_id == case.id,
            SecondChanceAgreement.status.in_(OPEN_STATUSES),
        )
    )
    if open_one is not None:
        raise ConflictError(f"the case has an open agreement already: {open_one}")
    agreement = SecondChanceAgreement(
        id=uuid.uuid4(),
        case_id=case.id,
        kind=kind,
        status=AgreementStatus.PROPOSED,
        nonce=secrets.token_hex(16),
        term_start=draft.term_start,
        term_end=draft.term_end,
        review_interval_days=draft.review_interval_days,
        municipality_code=case.municipality_code,
        proposed_by=principal.partner_id,
        proposed_at=now,
    )
    agreement.parties = parties
    agreement.conditions = conditions
    agreement.reviews = []
    session.add(agreement)
    session.flush()
    record(
        session,
        Event.AGREEMENT_PROPOSED,
        case.id,
        now,
        submitter=principal.partner_id,
        payload={
            "agreement": str(agreement.id),
            "kind": str(kind),
            "parties": [p.partner_id for p in parties if p.partner_id],
            "conditions": [str(c.type) for c in conditions],
            "termStart": draft.term_start.isoformat(),
            "termEnd": draft.term_end.isoformat(),
            "reviewIntervalDays": draft.review_interval_days,
            "textSha256": text_sha256(agreement),
        },
        addressees=notices.party_ids(agreement),
        detail=notices.detail(agreement.id),
    )
    return view(scope, agreement, case, relation)
