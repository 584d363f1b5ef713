"""View objects: what a partner receives of a case, after disclosure.

Every field a policy can withhold is optional here; ``withheld`` names the fields the policies
did not release to this partner. The GraphQL layer maps these directly to its types.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from registry.models import (
    AnnotationKind,
    Case,
    ClosureOutcome,
    EvictionOutcome,
    HouseholdComposition,
    HouseholdDestination,
    InvolvementRole,
    Phase,
)


@dataclass(frozen=True)
class InvolvementView:
    """A partner working on the case, in a role, since a time."""

    partner: str
    role: InvolvementRole
    since: dt.datetime


@dataclass(frozen=True)
class EarlySignalChecksView:
    """The statutory preconditions of the early signal, as recorded by the corporation."""

    contact_attempted: bool
    debt_help_referred: bool
    reminder_sent: bool
    tenant_did_not_object: bool


@dataclass
class CaseView:
    """A case as released to one partner: denied fields are None and listed in ``withheld``."""

    id: str
    relation: str
    withheld: list[str] = field(default_factory=list)
    municipality: str | None = None
    owner: str | None = None
    phase: Phase | None = None
    reasons: list[str] | None = None
    household_composition: HouseholdComposition | None = None
    children_involved: bool | None = None
    arrears_amount: Decimal | None = None
    arrears_months: int | None = None
    early_signal_checks: EarlySignalChecksView | None = None
    early_signalled_on: dt.date | None = None
    judgment_requested_on: dt.date | None = None
    judgment_granted_on: dt.date | None = None
    eviction_date: dt.date | None = None
    eviction_outcome: EvictionOutcome | None = None
    shelter_arranged: bool | None = None
    housing_block_until: dt.date | None = None
    housing_block_until_debt_settled: bool | None = None
    bailiff: str | None = None
    household_destination: HouseholdDestination | None = None
    destination_arranged_by: str | None = None
    closed_on: dt.date | None = None
    closure_outcome: ClosureOutcome | None = None
    involvements: list[InvolvementView] | None = None
    registered_at: dt.datetime | None = None
    contact_name: str | None = None
    contact_address: str | None = None
    contact_postal_code: str | None = None
    contact_phone: str | None = None
    contact_email: str | None = None


def _contact(attr: str) -> Callable[[Case], Any]:
    def get(case: Case) -> Any:
        return getattr(case.contact, attr) if case.contact is not None else None

    return get


def _involvements(case: Case) -> list[InvolvementView]:
    return [
        InvolvementView(i.partner_id, i.role, i.since)
        for i in case.involvements
        if i.released_at is None
    ]


def _checks(case: Case) -> EarlySignalChecksView:
    return EarlySignalChecksView(
        case.contact_attempted,
        case.debt_help_referred,
        case.reminder_sent,
        case.tenant_did_not_object,
    )


#: Per policy field: the view attribute it fills and how to read it from a case.
CASE_FIELD_READERS: dict[str, tuple[str, Callable[[Case], Any]]] = {
    "municipality": ("municipality", lambda c: c.municipality_code),
    "owner": ("owner", lambda c: c.owner_id),
    "phase": ("phase", lambda c: c.phase),
    "reasons": ("reasons", lambda c: list(c.reasons)),
    "householdComposition": ("household_composition", lambda c: c.household_composition),
    "childrenInvolved": ("children_involved", lambda c: c.children_involved),
    "arrearsAmount": ("arrears_amount", lambda c: c.arrears_amount),
    "arrearsMonths": ("arrears_months", lambda c: c.arrears_months),
    "earlySignalChecks": ("early_signal_checks", _checks),
    "earlySignalledOn": ("early_signalled_on", lambda c: c.early_signalled_on),
    "judgmentRequestedOn": ("judgment_requested_on", lambda c: c.judgment_requested_on),
    "judgmentGrantedOn": ("judgment_granted_on", lambda c: c.judgment_granted_on),
    "evictionDate": ("eviction_date", lambda c: c.eviction_date),
    "evictionOutcome": ("eviction_outcome", lambda c: c.eviction_outcome),
    "shelterArranged": ("shelter_arranged", lambda c: c.shelter_arranged),
    "housingBlockUntil": ("housing_block_until", lambda c: c.housing_block_until),
    "housingBlockUntilDebtSettled": (
        "housing_block_until_debt_settled",
        lambda c: c.housing_block_until_debt_settled,
    ),
    "bailiff": ("bailiff", lambda c: c.bailiff_id),
    "householdDestination": ("household_destination", lambda c: c.household_destination),
    "destinationArrangedBy": ("destination_arranged_by", lambda c: c.destination_arranged_by),
    "closedOn": ("closed_on", lambda c: c.closed_on),
    "closureOutcome": ("closure_outcome", lambda c: c.closure_outcome),
    "involvements": ("involvements", _involvements),
    "registeredAt": ("registered_at", lambda c: c.registered_at),
    "contactName": ("contact_name", _contact("name")),
    "contactAddress": ("contact_address", _contact("address")),
    "contactPostalCode": ("contact_postal_code", _contact("postal_code")),
    "contactPhone": ("contact_phone", _contact("phone")),
    "contactEmail": ("contact_email", _contact("email")),
}

#: Fields whose data lives in related rows: load them only when they may be disclosed.
CONTACT_FIELDS = frozenset(f for f in CASE_FIELD_READERS if f.startswith("contact"))


#: The policy field that releases each kind of annotation (policies.fields.ANNOTATION_FIELDS).
ANNOTATION_KIND_FIELDS: dict[AnnotationKind, str] = {
    AnnotationKind.CONTACT_ATTEMPT: "annotationContactAttempt",
    AnnotationKind.HOME_VISIT: "annotationHomeVisit",
    AnnotationKind.HELP_ACCEPTED: "annotationHelpAccepted",
    AnnotationKind.HELP_REFUSED: "annotationHelpRefused",
    AnnotationKind.PAYMENT_ARRANGEMENT: "annotationPaymentArrangement",
    AnnotationKind.CASE_CONFERENCE: "annotationCaseConference",
}


@dataclass(frozen=True)
class ActionItemView:
    """An action item of a case-conference decision, as released to one partner."""

    id: str
    case_id: str
    annotation_id: str
    description: str
    assignee: str
    due_on: dt.date
    done_at: dt.datetime | None
    done_by: str | None
    overdue: bool


@dataclass(frozen=True)
class AnnotationView:
    """An annotation as released to one partner (only kinds the policies release reach one)."""

    id: str
    case_id: str
    kind: AnnotationKind
    author: str
    actor: str | None
    occurred_on: dt.date
    note: str | None
    recorded_at: dt.datetime
    corrects: str | None
    corrected_by: str | None
    action_items: list[ActionItemView]
