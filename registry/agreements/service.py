"""The second-chance agreement service (*woonkansovereenkomst*): find and read agreements,
sign, record the household's consent, close (proposing: ``agreement_proposals``; reviews:
``agreement_reviews``).

Every step is checked for the caller's kind and relation to the case
(``RequestScope.require``), moves the status only along ``TRANSITIONS``, and appends its event
to the signed audit log in the same transaction. Every read goes through ``Disclosure``. An
agreement of a case the caller may not see is answered exactly like one that does not exist.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING, TypeVar

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session, selectinload

from policies import Permission, Relation
from registry import auditlog
from registry.agreements import notices
from registry.agreements.text import agreement_text, text_sha256
from registry.agreements.views import AgreementView, last_checks
from registry.auditlog import proofs
from registry.cases import service as cases
from registry.cases.relations import with_relation
from registry.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from registry.events import Event
from registry.models import (
    AgreementKind,
    AgreementReview,
    AgreementStatus,
    Case,
    ConditionType,
    ConsentManner,
    PartnerKind,
    PartyKind,
    SecondChanceAgreement,
)
from registry.partners import signatures as partner_signatures
from registry.recording import record

if TYPE_CHECKING:
    from registry.request import RequestScope

#: The legal moves of an agreement's status; anything else is a conflict.
TRANSITIONS: dict[AgreementStatus, frozenset[AgreementStatus]] = {
    AgreementStatus.PROPOSED: frozenset({AgreementStatus.ACTIVE, AgreementStatus.ENDED_OTHERWISE}),
    AgreementStatus.ACTIVE: frozenset(
        {AgreementStatus.COMPLETED, AgreementStatus.BREACHED, AgreementStatus.ENDED_OTHERWISE}
    ),
    AgreementStatus.COMPLETED: frozenset(),
    AgreementStatus.BREACHED: frozenset(),
    AgreementStatus.ENDED_OTHERWISE: frozenset(),
}
OPEN_STATUSES = frozenset({AgreementStatus.PROPOSED, AgreementStatus.ACTIVE})
CLOSING_STATUSES = frozenset(
    {AgreementStatus.COMPLETED, AgreementStatus.BREACHED, AgreementStatus.ENDED_OTHERWISE}
)

MAX_LIST = 500


E = TypeVar("E", AgreementKind, ConditionType, PartnerKind, AgreementStatus)


def parse_enum(enum: type[E], value: str, what: str) -> E:
    """``value`` as a member of ``enum``; an unknown value is invalid input naming the rest."""
    try:
        return enum(value)
    except ValueError:
        known = ", ".join(m.value for m in enum)
        raise InvalidInputError(f"unknown {what} {value!r}; known: {known}") from None


def log_subject(agreement: SecondChanceAgreement) -> str:
    """How the audit log names an agreement (``AuditLogEntry.subject``)."""
    return f"agreement:{agreement.id}"


def parse_agreement_id(text: str) -> uuid.UUID:
    """An agreement id from its text form; malformed text is invalid input."""
    try:
        return uuid.UUID(text)
    except (ValueError, AttributeError, TypeError):
        raise InvalidInputError(f"{text!r} is not an agreement id (a UUID)") from None


def _loaded() -> list[object]:
    return [
        selectinload(SecondChanceAgreement.parties),
        selectinload(SecondChanceAgreement.conditions),
        selectinload(SecondChanceAgreement.reviews).selectinload(AgreementReview.checks),
    ]


def find(
    session: Session, partner_id: str, agreement_id: str, *, for_change: bool = False
) -> tuple[SecondChanceAgreement, Case, Relation]:
    """The agreement, its case and the partner's relation to the case; ``NotFoundError`` both
    when there is no such agreement and when the partner may not see its case.

    ``for_change`` locks the agreement's row and reads it afresh before any rule is checked,
    so of two concurrent steps (two closings, a signature and a closing) each sees what the
    other committed (as ``cases.find``)."""
    parsed = parse_agreement_id(agreement_id)
    stmt = (
        select(SecondChanceAgreement).where(SecondChanceAgreement.id == parsed).options(*_loaded())  # type: ignore[arg-type]
    )
    if for_change:
        stmt = stmt.with_for_update(of=SecondChanceAgreement).execution_options(
            populate_existing=True
        )
    agreement = session.scalars(stmt).first()
    missing = NotFoundError(f"agreement {agreement_id} not found")
    if agreement is None:
        raise missing
    try:
        # No case fields are read here: the relation is all an agreement needs of its case.
        case, relation = cases.find(session, partner_id, agreement.case_id, frozenset())
    except NotFoundError:
        raise missing from None  # the same answer: no existence oracle
    return agreement, case, relation


def _transition(agreement: SecondChanceAgreement, target: AgreementStatus) -> None:
    allowed = TRANSITIONS[agreement.status]
    if target not in allowed:
        if not allowed:
            raise ConflictError(
                f"the agreement is {agreement.status}: it is closed and cannot change"
            )
        raise ConflictError(
            f"a {agreement.status} agreement cannot become {target}; it can become: "
            + ", ".join(sorted(allowed))
        )
    agreement.status = target
    agreement.version += 1


def view(
    scope: RequestScope,
    agreement: SecondChanceAgreement,
    case: Case,
    relation: Relation,
    requested: frozenset[str] | None = None,
) -> AgreementView:
    """The agreement as the caller may see it (``requested``: policy field names)."""
    wants_log = requested is None or "agreementLog" in requested
    indexes = proofs.indexes_of(scope.session, log_subject(agreement)) if wants_log else ()
    return scope.disclosure.agreement_view(
        agreement, case, relation, requested, log_indexes=indexes
    )


def get(scope: RequestScope, agreement_id: str, requested: frozenset[str] | None) -> AgreementView:
    """One agreement, if the caller may see its case (``requested``: policy field names)."""
    agreement, case, relation = find(scope.session, scope.principal.partner_id, agreement_id)
    return view(scope, agreement, case, relation, requested)


def list_agreements(
    scope: RequestScope,
    *,
    case_id: str | None,
    status: AgreementStatus | None,
    broken_only: bool,
    first: int,
    requested: frozenset[str] | None,
) -> list[AgreementView]:
    """The newest agreements of the cases the caller relates to. A filter only matches
    agreements whose filtered field the caller may read, so it cannot reveal a withheld value.

    Read in keyset batches of ``first`` (newest first, then by id), each with its parties,
    conditions and reviews, until the page is full: the cost follows ``first``, not how many
    agreements the caller relates to (the console's list of a corporation with thousands)."""
    if not 1 <= first <= MAX_LIST:
        raise InvalidInputError(f"first must be between 1 and {MAX_LIST}")
    stmt = (
        with_relation(select(Case), scope.principal.partner_id)
        .join(SecondChanceAgreement, SecondChanceAgreement.case_id == Case.id)
        .add_columns(SecondChanceAgreement)
    )
    if case_id is not None:
        stmt = stmt.where(Case.id == cases.parse_case_id(case_id))
    if status is not None:
        stmt = stmt.where(SecondChanceAgreement.status == status)
    needed = {"agreementStatus"} if status else set()
    if broken_only:
        needed.add("agreementReviews")
    views: list[AgreementView] = []
    position: tuple[dt.datetime, uuid.UUID] | None = None
    while True:
        batch = stmt
        if position is not None:
            at, last = position
            batch = batch.where(
                or_(
                    SecondChanceAgreement.proposed_at < at,
                    and_(SecondChanceAgreement.proposed_at == at, SecondChanceAgreement.id > last),
                )
            )
        batch = (
            batch.order_by(SecondChanceAgreement.proposed_at.desc(), SecondChanceAgreement.id)
            .limit(first)
            .options(*_loaded())  # type: ignore[arg-type]
        )
        rows = scope.session.execute(batch).all()
        for case, rel, agreement in rows:
            position = (agreement.proposed_at, agreement.id)
            relation = Relation(rel)
            if not needed <= scope.disclosure.readable_of(case, relation):
                continue
            if broken_only and all(last_checks(agreement).values()):
                continue
            views.append(view(scope, agreement, case, relation, requested))
            if len(views) == first:
                return views
        if len(rows) < first:
            return views  # no more agreements


def review_dates(start: dt.date, end: dt.date, interval_days: int) -> list[dt.date]:
    """The due dates of an agreement's reviews: every interval from the start, and a last one
    at the end of the term."""
    dates = []
    step, due = dt.timedelta(days=interval_days), start
    # Step only while the next date lies before the end: a date after it is never computed, so
    # a term ending on 9999-12-31 does not overflow the calendar.
    while end - due > step:
        due += step
        dates.append(due)
    dates.append(end)
    return dates


def _activate_when_complete(
    session: Session, agreement: SecondChanceAgreement, submitter: str, now: dt.datetime
) -> None:
    # Active once every party has agreed: each organisation by its signature, the household
    # by its recorded consent.
    if any(
        (p.kind is PartyKind.ORGANISATION and p.signed_at is None)
        or (p.kind is PartyKind.HOUSEHOLD and p.consent_recorded_at is None)
        for p in agreement.parties
    ):
        return
    _transition(agreement, AgreementStatus.ACTIVE)
    agreement.activated_at = now
    dates = review_dates(agreement.term_start, agreement.term_end, agreement.review_interval_days)
    agreement.reviews = [
        # Each announced on its day (``notices.announce_due``).
        AgreementReview(
            agreement_id=agreement.id, number=number, due_on=due, checks=[], due_notice=True
        )
        for number, due in enumerate(dates, start=1)
    ]
    session.flush()
    record(
        session,
        Event.AGREEMENT_ACTIVATED,
        agreement.case_id,
        now,
        submitter=submitter,
        payload={
            "agreement": str(agreement.id),
            "reviews": len(dates),
            "firstReviewOn": dates[0].isoformat(),
        },
        addressees=notices.party_ids(agreement),
        detail=notices.detail(agreement.id),
    )


def sign(scope: RequestScope, agreement_id: str, key_id: str, signature: bytes) -> AgreementView:
    """Record a party organisation's signature over the agreement's text, made with one of its
    registered keys; the agreement becomes active when every party has agreed."""
    session, partner_id, now = scope.session, scope.principal.partner_id, scope.now
    agreement, case, relation = find(session, partner_id, agreement_id, for_change=True)
    scope.require(Permission.AGREEMENT_SIGN, relation, "sign agreements of this case")
    party = next(
        (
            p
            for p in agreement.parties
            if p.kind is PartyKind.ORGANISATION and p.partner_id == partner_id
        ),
        None,
    )
    if party is None:
        raise NotAllowedError(f"{partner_id} is not a party to this agreement")
    if agreement.status is not AgreementStatus.PROPOSED:
        raise ConflictError(f"the agreement is {agreement.status}: only a proposed one is signed")
    if party.signed_at is not None:
        raise ConflictError(f"{partner_id} signed this agreement already")
    text = agreement_text(agreement).encode("utf-8")
    partner_signatures.verify(session, partner_id, key_id, signature, text, "this agreement's text")
    party.signed_at, party.key_id, party.signature = now, key_id, signature
    agreement.version += 1
    session.flush()
    record(
        session,
        Event.AGREEMENT_SIGNED,
        agreement.case_id,
        now,
        submitter=partner_id,
        payload={
            "agreement": str(agreement.id),
            "party": partner_id,
            "textSha256": text_sha256(agreement),
        },
        partner_signature=auditlog.PartnerSignature(key_id, signature, message=text),
    )
    _activate_when_complete(session, agreement, partner_id, now)
    return view(scope, agreement, case, relation)


def record_consent(
    scope: RequestScope,
    agreement_id: str,
    consented_on: dt.date,
    manner: ConsentManner | None = None,
) -> AgreementView:
    """Record that the household consented to the agreement, on which day and how (in person,
    on paper, digitally; who recorded it and when is kept too); the agreement becomes active
    when every party has agreed."""
    session, partner_id, now = scope.session, scope.principal.partner_id, scope.now
    agreement, case, relation = find(session, partner_id, agreement_id, for_change=True)
    scope.require(
        Permission.AGREEMENT_CONSENT_RECORD,
        relation,
        "record a household's consent for this case",
    )
    if agreement.status is not AgreementStatus.PROPOSED:
        raise ConflictError(
            f"the agreement is {agreement.status}: consent is recorded while it is proposed"
        )
    household = next(p for p in agreement.parties if p.kind is PartyKind.HOUSEHOLD)
    if household.consent_recorded_at is not None:
        raise ConflictError("the household's consent was recorded already")
    if consented_on > scope.today:
        raise InvalidInputError("consentedOn lies in the future")
    household.consented_on = consented_on
    household.consent_recorded_by = partner_id
    household.consent_recorded_at = now
    household.consent_manner = manner
    agreement.version += 1
    session.flush()
    record(
        session,
        Event.AGREEMENT_CONSENT_RECORDED,
        agreement.case_id,
        now,
        submitter=partner_id,
        payload={
            "agreement": str(agreement.id),
            "consentedOn": consented_on.isoformat(),
            **({} if manner is None else {"consentManner": str(manner)}),
        },
    )
    _activate_when_complete(session, agreement, partner_id, now)
    return view(scope, agreement, case, relation)


def close(scope: RequestScope, agreement_id: str, outcome: AgreementStatus | str) -> AgreementView:
    """Close an agreement as completed, breached or ended otherwise (a proposed one can only
    end otherwise: it never came into force)."""
    session, partner_id, now = scope.session, scope.principal.partner_id, scope.now
    agreement, case, relation = find(session, partner_id, agreement_id, for_change=True)
    scope.require(Permission.AGREEMENT_CLOSE, relation, "close this case's agreements")
    target = parse_enum(AgreementStatus, outcome, "outcome")
    if target not in CLOSING_STATUSES:
        raise InvalidInputError(
            f"an agreement closes as {', '.join(sorted(CLOSING_STATUSES))}, not {target}"
        )
    _transition(agreement, target)
    agreement.closed_at, agreement.closed_by = now, partner_id
    session.flush()
    record(
        session,
        Event.AGREEMENT_CLOSED,
        agreement.case_id,
        now,
        submitter=partner_id,
        payload={"agreement": str(agreement.id), "outcome": str(target)},
        addressees=notices.party_ids(agreement),
        detail=notices.detail(agreement.id),
    )
    return view(scope, agreement, case, relation)
