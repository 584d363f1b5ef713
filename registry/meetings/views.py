"""What a participant receives of a meeting and its agenda."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from registry.cases.views import CaseView
from registry.models import MeetingKind


@dataclass(frozen=True)
class MeetingView:
    """A meeting: whose, what kind, when, chaired by whom, with whom."""

    id: str
    municipality: str
    kind: MeetingKind
    held_on: dt.date
    chair: str
    participants: list[str]


@dataclass(frozen=True)
class AgendaItemView:
    """A case on the agenda, as released to the participant reading it."""

    id: str
    case: CaseView
    added_by: str
    decision: str | None
