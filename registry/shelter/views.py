"""The view of a shelter task: what a partner receives, after disclosure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from registry.models import ShelterKind, ShelterTask


@dataclass(frozen=True)
class ShelterTaskView:
    """The municipality's shelter task for one case, and its reservation once made."""

    id: str
    case_id: str
    municipality: str
    assignee: str | None
    opened_at: dt.datetime
    due_on: dt.date
    urgent: bool
    overdue: bool
    shelter_kind: ShelterKind | None
    reserved_from: dt.date | None
    arranged_by: str | None
    reserved_by: str | None
    reserved_at: dt.datetime | None


def is_overdue(task: ShelterTask, today: dt.date) -> bool:
    """Past its due date (the day before the eviction) without a reservation."""
    return task.reserved_at is None and today > task.due_on


def task_view(task: ShelterTask, today: dt.date) -> ShelterTaskView:
    """The whole task, for a partner that may read it."""
    return ShelterTaskView(
        id=str(task.id),
        case_id=str(task.case_id),
        municipality=task.municipality_code,
        assignee=task.assignee_id,
        opened_at=task.opened_at,
        due_on=task.due_on,
        urgent=task.urgent,
        overdue=is_overdue(task, today),
        shelter_kind=task.shelter_kind,
        reserved_from=task.reserved_from,
        arranged_by=task.arranged_by,
        reserved_by=task.reserved_by,
        reserved_at=task.reserved_at,
    )
