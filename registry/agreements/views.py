"""View objects of second-chance agreements: what a partner receives, after disclosure.

Policies name agreement data in a few coarse fields (``agreementTerm`` covers start, end and
review interval); ``registry.agreements.fields`` declares which view attributes each one
fills. ``withheld`` names policy fields, as it does for a case.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from registry.access.fields import ReleasedView
from registry.models import (
    ConditionType,
    ConsentManner,
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
    consent_manner: ConsentManner | None


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


class AgreementView(ReleasedView):
    """An agreement as released to one partner, with its case; the released attributes are
    those ``registry.agreements.fields.AGREEMENT_FIELDS`` declares."""

    case_id: str

    def __init__(
        self, id: str, case_id: str, withheld: list[str], values: Mapping[str, Any]
    ) -> None:
        super().__init__(id, withheld, values)
        self.case_id = case_id


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
