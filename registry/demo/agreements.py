"""Demo second-chance agreements: Bureau Woonkans's caseload for Nijestee in Groningen.

Groningen's figures (domain.md): about 220 applications a year, 95% become an agreement, 80%
of those succeed. The demo draws last year and the current year to date with those
rates: each application gets its own case, the parties sign the agreement's real text with
real registered keys, reviews are recorded on their due dates, and every step goes into the
signed audit log in the order it happened. Recent reviews are left open, so the due list has
work on it. Every household is invented.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import random
import uuid
from dataclasses import dataclass, field

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.orm import Session

from registry import auditlog
from registry.agreements.service import review_dates
from registry.agreements.text import agreement_text, checks_sha256
from registry.demo.cases import household_case
from registry.models import (
    AgreementCondition,
    AgreementKind,
    AgreementParty,
    AgreementReview,
    AgreementStatus,
    Case,
    CaseContact,
    ConditionCheck,
    ConditionType,
    HouseholdComposition,
    Involvement,
    InvolvementRole,
    PartnerKey,
    PartnerKind,
    PartyKind,
    Phase,
    Reason,
    SecondChanceAgreement,
)
from registry.partners import registration as partners

MUNICIPALITY = "groningen"
OWNER = "nijestee"
WOONKANS = "bureau-woonkans"
DISTRICT_TEAM = "wij-groningen"
CREDIT_BANK = "ehbg-groningen"

APPLICATIONS_PER_YEAR = 220
AGREEMENT_RATE = 0.95
SUCCESS_RATE = 0.80
BREACH_RATE = 0.15  # of agreements made; the rest of the failures end otherwise
FULL_YEARS = 1
TERM_DAYS = 364
REVIEW_INTERVAL_DAYS = 91


@dataclass(order=True)
class _Step:
    """One event of the demo's history, appended to the log in time order."""

    at: dt.datetime
    order: int
    event: auditlog.EventType = field(compare=False)
    payload: dict[str, object] = field(compare=False)
    submitter: str = field(compare=False)
    signature: auditlog.PartnerSignature | None = field(compare=False, default=None)


def _moment(day: dt.date, rng: random.Random) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(rng.randint(8, 16), rng.randint(0, 59)), dt.UTC)


def _signing_keys(session: Session) -> dict[str, tuple[PartnerKey, Ed25519PrivateKey]]:
    """A registered key per party organisation, to sign the demo's agreements with (the rows
    are kept, so the session finds them again without asking the database)."""
    keys = {}
    for partner_id in (OWNER, WOONKANS, DISTRICT_TEAM, CREDIT_BANK):
        private = Ed25519PrivateKey.generate()
        pem = (
            private.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )
        keys[partner_id] = (partners.register_key(session, partner_id, pem), private)
    return keys


def _case(rng: random.Random, number: int, registered: dt.date, kind: AgreementKind) -> Case:
    months = rng.randint(2, 9)
    composition = rng.choices(list(HouseholdComposition), weights=(55, 10, 15, 12, 8))[0]
    reasons = [Reason.RENT_ARREARS] + ([Reason.NUISANCE] if rng.random() < 0.3 else [])
    stamp = dt.datetime.combine(registered, dt.time(9, number % 60), dt.UTC)
    case = household_case(
        rng,
        municipality=MUNICIPALITY,
        owner=OWNER,
        phase=Phase.AFTER_EVICTION if kind is AgreementKind.REHOUSE else Phase.JUDGMENT_SERVED,
        reasons=reasons,
        composition=composition,
        months=months,
        rent=(550, 850),
        signalled=registered,
        registered_at=stamp,
    )
    case.judgment_requested_on = registered + dt.timedelta(days=60)
    case.judgment_granted_on = registered + dt.timedelta(days=100)
    case.contact = CaseContact(
        name=f"Woonkans Huishouden {number:04d}",
        address=f"Proefstraat {rng.randint(1, 240)}, Groningen",
        postal_code=f"97{rng.randint(10, 99)} WK",
        phone=None,
        email=f"woonkans{number:04d}@example.org",
    )
    return case


def _conditions(rng: random.Random, case: Case) -> list[AgreementCondition]:
    made = [AgreementCondition(number=1, type=ConditionType.PAY_RENT_ON_TIME)]
    wanted: list[tuple[ConditionType, PartnerKind | None, str | None]] = []
    if rng.random() < 0.6:
        wanted.append(
            (
                ConditionType.ACCEPT_SUPPORT,
                PartnerKind.CREDIT_BANK,
                "Budgetbeheer via de kredietbank",
            )
        )
    if str(Reason.NUISANCE) in case.reasons:
        wanted.append((ConditionType.NO_NUISANCE, None, None))
    if rng.random() < 0.2:
        wanted.append((ConditionType.DAYTIME_ACTIVITIES, None, "Minstens twee dagdelen per week"))
    if rng.random() < 0.05:
        wanted.append((ConditionType.OTHER, None, "Deelname aan een budgetcursus"))
    for number, (kind, support, text) in enumerate(wanted, start=2):
        made.append(AgreementCondition(number=number, type=kind, support_kind=support, text=text))
    return made


class _History:
    """Builds one agreement per application and collects its events."""

    def __init__(self, session: Session, rng: random.Random, today: dt.date) -> None:
        self.session = session
        self.rng = rng
        self.today = today
        self.keys = _signing_keys(session)
        self.steps: list[_Step] = []
        self.cases: list[Case] = []
        self.agreements: list[SecondChanceAgreement] = []

    def _step(
        self,
        at: dt.datetime,
        event: auditlog.EventType,
        agreement: SecondChanceAgreement,
        submitter: str,
        payload: dict[str, object],
        signature: auditlog.PartnerSignature | None = None,
    ) -> None:
        self.steps.append(
            _Step(
                at,
                len(self.steps),
                event,
                {"agreement": str(agreement.id), "case": str(agreement.case_id), **payload},
                submitter,
                signature,
            )
        )

    def application(self, number: int, proposed_on: dt.date) -> None:
        rng = self.rng
        kind = rng.choices(list(AgreementKind), weights=(60, 30, 10))[0]
        case = _case(rng, number, proposed_on - dt.timedelta(days=rng.randint(120, 200)), kind)
        agreement = SecondChanceAgreement(
            id=uuid.UUID(int=rng.getrandbits(128), version=4),
            case_id=case.id,
            kind=kind,
            status=AgreementStatus.PROPOSED,
            nonce=f"{rng.getrandbits(128):032x}",
            term_start=proposed_on + dt.timedelta(days=21),
            term_end=proposed_on + dt.timedelta(days=21 + TERM_DAYS),
            review_interval_days=REVIEW_INTERVAL_DAYS,
            municipality_code=MUNICIPALITY,
            proposed_by=WOONKANS,
            proposed_at=_moment(proposed_on, rng),
        )
        agreement.conditions = _conditions(rng, case)
        organisations = [OWNER, WOONKANS, DISTRICT_TEAM]
        if any(c.support_kind is PartnerKind.CREDIT_BANK for c in agreement.conditions):
            organisations.append(CREDIT_BANK)
        agreement.parties = [
            AgreementParty(position=i, kind=PartyKind.ORGANISATION, partner_id=p)
            for i, p in enumerate(organisations)
        ] + [AgreementParty(position=len(organisations), kind=PartyKind.HOUSEHOLD)]
        agreement.reviews = []
        roles = {
            WOONKANS: InvolvementRole.SECOND_CHANCE,
            DISTRICT_TEAM: InvolvementRole.HOME_VISITS,
            CREDIT_BANK: InvolvementRole.DEBT_COUNSELLING,
        }
        case.involvements = [
            Involvement(partner_id=p, role=roles[p], since=case.registered_at, involved_by=OWNER)
            for p in organisations
            if p != OWNER
        ]
        self.cases.append(case)
        self.agreements.append(agreement)
        text = agreement_text(agreement)
        digest = hashlib.sha256(text.encode()).hexdigest()
        self._step(
            agreement.proposed_at,
            auditlog.EventType.AGREEMENT_PROPOSED,
            agreement,
            WOONKANS,
            {
                "kind": str(kind),
                "parties": organisations,
                "conditions": [str(c.type) for c in agreement.conditions],
                "termStart": agreement.term_start.isoformat(),
                "termEnd": agreement.term_end.isoformat(),
                "reviewIntervalDays": REVIEW_INTERVAL_DAYS,
                "textSha256": digest,
            },
        )
        if rng.random() >= AGREEMENT_RATE:
            self._withdraw(agreement, proposed_on)
        else:
            self._agree(agreement, text, digest, proposed_on)

    def _withdraw(self, agreement: SecondChanceAgreement, proposed_on: dt.date) -> None:
        # Not every application becomes an agreement: the household declines or is gone.
        ended = proposed_on + dt.timedelta(days=self.rng.randint(10, 40))
        if ended > self.today:
            return  # still waiting for signatures
        self._close(agreement, AgreementStatus.ENDED_OTHERWISE, ended)

    def _agree(
        self, agreement: SecondChanceAgreement, text: str, digest: str, proposed_on: dt.date
    ) -> None:
        rng = self.rng
        agreed: list[dt.datetime] = []
        for party in agreement.parties:
            day = proposed_on + dt.timedelta(days=rng.randint(1, 12))
            if day > self.today:
                continue
            at = _moment(day, rng)
            agreed.append(at)
            if party.kind is PartyKind.HOUSEHOLD:
                party.consented_on, party.consent_recorded_by = day, WOONKANS
                party.consent_recorded_at = at
                self._step(
                    at,
                    auditlog.EventType.AGREEMENT_CONSENT_RECORDED,
                    agreement,
                    WOONKANS,
                    {"consentedOn": day.isoformat()},
                )
                continue
            assert party.partner_id is not None
            key_row, key = self.keys[party.partner_id]
            kid = key_row.kid
            signature = key.sign(text.encode())
            party.signed_at, party.key_id, party.signature = at, kid, signature
            self._step(
                at,
                auditlog.EventType.AGREEMENT_SIGNED,
                agreement,
                party.partner_id,
                {"party": party.partner_id, "textSha256": digest},
                auditlog.PartnerSignature(kid, signature, message=text.encode()),
            )
        if any(p.signed_at is None and p.consent_recorded_at is None for p in agreement.parties):
            return  # some party has not agreed yet
        # Active once the last party agreed: an hour after the last signature or the recorded
        # consent, whichever came last (never before it, whatever the hour of either).
        activated = max(agreed) + dt.timedelta(hours=1)
        agreement.status, agreement.activated_at = AgreementStatus.ACTIVE, activated
        dates = review_dates(agreement.term_start, agreement.term_end, REVIEW_INTERVAL_DAYS)
        agreement.reviews = [
            AgreementReview(agreement_id=agreement.id, number=n, due_on=d)
            for n, d in enumerate(dates, start=1)
        ]
        self._step(
            activated,
            auditlog.EventType.AGREEMENT_ACTIVATED,
            agreement,
            WOONKANS,
            {"reviews": len(dates), "firstReviewOn": dates[0].isoformat()},
        )
        self._run(agreement)

    def _run(self, agreement: SecondChanceAgreement) -> None:
        rng = self.rng
        draw = rng.random()
        outcome = (
            AgreementStatus.COMPLETED
            if draw < SUCCESS_RATE
            else AgreementStatus.BREACHED
            if draw < SUCCESS_RATE + BREACH_RATE
            else AgreementStatus.ENDED_OTHERWISE
        )
        last = len(agreement.reviews)
        failing = rng.randint(1, last) if outcome is not AgreementStatus.COMPLETED else last + 1
        for review in agreement.reviews:
            recorded_on = review.due_on + dt.timedelta(days=rng.randint(0, 9))
            if recorded_on > self.today or review.number > failing:
                return  # still running: this review is due or overdue
            broken = review.number == failing and outcome is AgreementStatus.BREACHED
            review.checks = [
                ConditionCheck(
                    agreement_id=agreement.id,
                    review_number=review.number,
                    condition_number=c.number,
                    met=not (broken and c.number == 1) and rng.random() > 0.03,
                    note="Huurachterstand opgelopen" if broken and c.number == 1 else None,
                )
                for c in agreement.conditions
            ]
            at = _moment(recorded_on, rng)
            review.recorded_at, review.recorded_by = at, WOONKANS
            self._step(
                at,
                auditlog.EventType.AGREEMENT_REVIEW_RECORDED,
                agreement,
                WOONKANS,
                {
                    "review": review.number,
                    "dueOn": review.due_on.isoformat(),
                    "met": [c.condition_number for c in review.checks if c.met],
                    "notMet": [c.condition_number for c in review.checks if not c.met],
                    "checksSha256": checks_sha256(agreement, review.number, review.checks),
                },
            )
            if review.number == failing:
                self._close(agreement, outcome, recorded_on + dt.timedelta(days=1))
                return
        self._close(agreement, outcome, agreement.term_end + dt.timedelta(days=rng.randint(1, 5)))

    def _close(
        self, agreement: SecondChanceAgreement, outcome: AgreementStatus, day: dt.date
    ) -> None:
        if day > self.today:
            return
        at = _moment(day, self.rng)
        agreement.status, agreement.closed_at, agreement.closed_by = outcome, at, WOONKANS
        self._step(
            at, auditlog.EventType.AGREEMENT_CLOSED, agreement, WOONKANS, {"outcome": str(outcome)}
        )


def seed_agreements(session: Session, rng: random.Random, today: dt.date) -> int:
    """Add the demo's agreements and their log entries; returns the number of applications."""
    history = _History(session, rng, today)
    number = 0
    for year in range(today.year - FULL_YEARS, today.year + 1):
        first = dt.date(year, 1, 1)
        days = 365 if year < today.year else (today - first).days
        count = round(APPLICATIONS_PER_YEAR * days / 365)
        for _ in range(count):
            number += 1
            history.application(number, first + dt.timedelta(days=rng.randrange(days)))
    # Cases first: an agreement refers to its case, and the two are not ORM-related.
    session.add_all(history.cases)
    session.flush()
    session.add_all(history.agreements)
    session.flush()
    auditlog.append_all(
        session,
        [
            auditlog.Event(step.event, step.payload, step.submitter, step.at, step.signature)
            for step in sorted(history.steps)
        ],
    )
    return number
