"""View objects: what a partner receives of a case, after disclosure.

A case view holds the attributes of the released fields (``registry.cases.fields``) and None
for the others; ``withheld`` names the fields the policies did not release to this partner.
The GraphQL layer maps these directly to its types.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from registry.access.fields import ReleasedView
from registry.models import AnnotationKind, InvolvementRole, PauseReason, SignalSource


@dataclass(frozen=True)
class InvolvementView:
    """A partner working on the case, in a role, since a time."""

    partner: str
    role: InvolvementRole
    since: dt.datetime


@dataclass(frozen=True)
class InvolvementContactView:
    """The fixed contact person of an organisation involved in the case (work details)."""

    partner: str
    role: InvolvementRole
    name: str | None
    phone: str | None
    email: str | None


@dataclass(frozen=True)
class SignalView:
    """One early signal: when, how far in arrears then, from whom, and its reply clocks."""

    signalled_on: dt.date
    arrears_months: Decimal
    arrears_amount: Decimal
    source: SignalSource
    repeat: bool
    district_team_due_on: dt.date
    district_team_replied_at: dt.datetime | None
    help_offer_due_on: dt.date
    help_offered_at: dt.datetime | None


@dataclass(frozen=True)
class CollectionPauseView:
    """Collection paused from a day (until a day, if known), and why."""

    paused_from: dt.date
    paused_until: dt.date | None
    reason: PauseReason
    recorded_by: str


@dataclass(frozen=True)
class EarlySignalChecksView:
    """The statutory preconditions of the early signal, as recorded by the corporation."""

    contact_attempted: bool
    debt_help_referred: bool
    reminder_sent: bool
    tenant_did_not_object: bool


class CaseView(ReleasedView):
    """A case as released to one partner, with its relation to the case; the released
    attributes are those ``registry.cases.fields.CASE_FIELDS`` declares."""

    relation: str

    def __init__(
        self, id: str, relation: str, withheld: list[str], values: Mapping[str, Any]
    ) -> None:
        super().__init__(id, withheld, values)
        self.relation = relation


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
