"""View objects of second-chance agreements: what a partner receives, after disclosure.

Policies name agreement data in a few coarse fields (``agreementTerm`` covers start, end and
review interval); ``AGREEMENT_FIELD_READERS`` says which view attributes each one fills, and
``AGREEMENT_FIELD_OF`` which policy field each GraphQL field of an agreement belongs to.
``withheld`` names policy fields, as it does for a case.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from registry.agreements.text import agreement_text, text_sha256
from registry.models import (
    AgreementKind,
    AgreementStatus,
    ConditionType,
    PartnerKind,
    PartyKind,
    SecondChanceAgreement,
)


@dataclass(frozen=True)
class PartyView:
    """A party: an organisation and its signature, or the household and its consent."""

    kind: PartyKind
    partner: str | None
    signed_at: dt.datetime | None
    key_id: str | None
    signature: str | None  # base64
    consented_on: dt.date | None
    consent_recorded_by: str | None
    consent_recorded_at: dt.datetime | None


@dataclass(frozen=True)
class ConditionView:
    """A condition and the outcome of its latest recorded check (None: not checked yet)."""

    number: int
    type: ConditionType
    support_kind: PartnerKind | None
    text: str | None
    last_check_met: bool | None


@dataclass(frozen=True)
class CheckView:
    """One condition's check at one review."""

    condition: int
    met: bool
    note: str | None


@dataclass(frozen=True)
class ReviewView:
    """A scheduled review, with its checks once recorded."""

    number: int
    due_on: dt.date
    recorded_at: dt.datetime | None
    recorded_by: str | None
    checks: list[CheckView]


@dataclass
class AgreementView:
    """An agreement as released to one partner: denied fields are None, named in ``withheld``."""

    id: str
    case_id: str
    withheld: list[str] = field(default_factory=list)
    kind: AgreementKind | None = None
    status: AgreementStatus | None = None
    proposed_by: str | None = None
    proposed_at: dt.datetime | None = None
    activated_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    parties: list[PartyView] | None = None
    conditions: list[ConditionView] | None = None
    term_start: dt.date | None = None
    term_end: dt.date | None = None
    review_interval_days: int | None = None
    reviews: list[ReviewView] | None = None
    broken_conditions: list[int] | None = None
    text: str | None = None
    text_sha256: str | None = None
    log_indexes: list[int] | None = None


@dataclass(frozen=True)
class DueReviewView:
    """A review that is due soon or overdue, for Bureau Woonkans's work list."""

    agreement_id: str
    case_id: str
    review: int
    due_on: dt.date
    overdue: bool


def last_checks(agreement: SecondChanceAgreement) -> dict[int, bool]:
    """Per condition number, whether its most recently recorded check found it met."""
    latest: dict[int, bool] = {}
    for review in agreement.reviews:  # in review order: later reviews overwrite earlier
        if review.recorded_at is None:
            continue
        for check in review.checks:
            latest[check.condition_number] = check.met
    return latest


def _parties(agreement: SecondChanceAgreement) -> list[PartyView]:
    return [
        PartyView(
            kind=p.kind,
            partner=p.partner_id,
            signed_at=p.signed_at,
            key_id=p.key_id,
            signature=base64.b64encode(p.signature).decode() if p.signature else None,
            consented_on=p.consented_on,
            consent_recorded_by=p.consent_recorded_by,
            consent_recorded_at=p.consent_recorded_at,
        )
        for p in agreement.parties
    ]


def _conditions(agreement: SecondChanceAgreement) -> list[ConditionView]:
    latest = last_checks(agreement)
    return [
        ConditionView(c.number, c.type, c.support_kind, c.text, latest.get(c.number))
        for c in agreement.conditions
    ]


def _reviews(agreement: SecondChanceAgreement) -> dict[str, Any]:
    reviews = [
        ReviewView(
            r.number,
            r.due_on,
            r.recorded_at,
            r.recorded_by,
            [CheckView(c.condition_number, c.met, c.note) for c in r.checks],
        )
        for r in agreement.reviews
    ]
    broken = sorted(number for number, met in last_checks(agreement).items() if not met)
    return {"reviews": reviews, "broken_conditions": broken}


Reader = Callable[[SecondChanceAgreement, Sequence[int]], dict[str, Any]]

#: Per policy field: the view attributes it fills, read from the agreement (and the indexes
#: of its audit-log entries).
AGREEMENT_FIELD_READERS: dict[str, Reader] = {
    "agreementKind": lambda a, _: {"kind": a.kind},
    "agreementStatus": lambda a, _: {
        "status": a.status,
        "proposed_by": a.proposed_by,
        "proposed_at": a.proposed_at,
        "activated_at": a.activated_at,
        "closed_at": a.closed_at,
    },
    "agreementParties": lambda a, _: {"parties": _parties(a)},
    "agreementConditions": lambda a, _: {"conditions": _conditions(a)},
    "agreementTerm": lambda a, _: {
        "term_start": a.term_start,
        "term_end": a.term_end,
        "review_interval_days": a.review_interval_days,
    },
    "agreementReviews": lambda a, _: _reviews(a),
    "agreementText": lambda a, _: {"text": agreement_text(a), "text_sha256": text_sha256(a)},
    "agreementLog": lambda _, indexes: {"log_indexes": list(indexes)},
}

ALL_AGREEMENT_FIELDS = frozenset(AGREEMENT_FIELD_READERS)

#: The view attributes each policy field fills (what its reader returns).
AGREEMENT_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "agreementKind": ("kind",),
    "agreementStatus": ("status", "proposed_by", "proposed_at", "activated_at", "closed_at"),
    "agreementParties": ("parties",),
    "agreementConditions": ("conditions",),
    "agreementTerm": ("term_start", "term_end", "review_interval_days"),
    "agreementReviews": ("reviews", "broken_conditions"),
    "agreementText": ("text", "text_sha256"),
    "agreementLog": ("log_indexes",),
}


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part.title() for part in rest)


#: The GraphQL name of each agreement field -> the policy field that releases it.
AGREEMENT_FIELD_OF: dict[str, str] = {
    _camel(attr): policy_field
    for policy_field, attrs in AGREEMENT_ATTRIBUTES.items()
    for attr in attrs
}


def policy_fields_of(graphql_names: Iterable[str]) -> frozenset[str]:
    """The policy fields behind these GraphQL fields of an agreement (others are ignored)."""
    return frozenset(AGREEMENT_FIELD_OF[n] for n in graphql_names if n in AGREEMENT_FIELD_OF)
