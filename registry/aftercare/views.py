"""The views of aftercare data: what a partner receives, after disclosure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from registry.access.fields import ReleasedView
from registry.models import AftercareFollowUp, FollowUpKind, FollowUpOutcome


class AftercareContactView(ReleasedView):
    """The household's new contact details as released to one partner; the released
    attributes are those ``registry.aftercare.fields.AFTERCARE_CONTACT_FIELDS`` declares."""

    case_id: str

    def __init__(self, case_id: str, withheld: list[str], values: Mapping[str, Any]) -> None:
        super().__init__(case_id, withheld, values)
        self.case_id = case_id


@dataclass(frozen=True)
class FollowUpView:
    """One follow-up after the eviction, for a partner that may read it."""

    id: str
    case_id: str
    kind: FollowUpKind
    assignee: str
    due_on: dt.date
    scheduled_by: str
    scheduled_at: dt.datetime
    done_at: dt.datetime | None
    done_by: str | None
    outcome: FollowUpOutcome | None
    overdue: bool


def is_overdue(item: AftercareFollowUp, today: dt.date) -> bool:
    """Past its due date and not done."""
    return item.done_at is None and today > item.due_on


def follow_up_view(item: AftercareFollowUp, today: dt.date) -> FollowUpView:
    """The whole follow-up, for a partner that may read it."""
    return FollowUpView(
        id=str(item.id),
        case_id=str(item.case_id),
        kind=item.kind,
        assignee=item.assignee_id,
        due_on=item.due_on,
        scheduled_by=item.scheduled_by,
        scheduled_at=item.scheduled_at,
        done_at=item.done_at,
        done_by=item.done_by,
        outcome=item.outcome,
        overdue=is_overdue(item, today),
    )
