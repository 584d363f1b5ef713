"""A meeting's agenda as one participant sees it: the cases on it that the participant relates
to, each released through the disclosure choke point as its policies allow.

One SQL query reads the whole agenda with the participant's relation to every case (derived in
SQL, as for lists), so the number of queries does not grow with the agenda; a case the
participant has no relation to is not on its slice at all.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from policies import Relation
from registry.cases.fields import (
    CONTACT_FIELDS,
    INVOLVEMENT_FIELDS,
    PAUSE_FIELD,
    SIGNAL_FIELD,
)
from registry.cases.relations import with_relation
from registry.meetings.service import find_meeting
from registry.meetings.views import AgendaItemView
from registry.models import AgendaItem, Case

if TYPE_CHECKING:
    from registry.request import RequestScope


def agenda(scope: RequestScope, meeting_id: str) -> list[AgendaItemView]:
    """The agenda of a meeting the caller takes part in, soonest eviction first."""
    meeting = find_meeting(scope, meeting_id)
    requested = scope.selection
    stmt = (
        with_relation(select(Case), scope.principal.partner_id)
        .add_columns(AgendaItem)
        .join(AgendaItem, AgendaItem.case_id == Case.id)
        .where(AgendaItem.meeting_id == meeting.id)
        .order_by(Case.eviction_date, AgendaItem.added_at, AgendaItem.id)
    )
    # Related rows only for the fields asked for, each in one query for the whole agenda.
    if requested is None or requested & INVOLVEMENT_FIELDS:
        stmt = stmt.options(selectinload(Case.involvements))
    if requested is None or requested & CONTACT_FIELDS:
        stmt = stmt.options(selectinload(Case.contact))
    if requested is None or SIGNAL_FIELD in requested:
        stmt = stmt.options(selectinload(Case.signals))
    if requested is None or PAUSE_FIELD in requested:
        stmt = stmt.options(selectinload(Case.collection_pauses))
    return [
        AgendaItemView(
            str(item.id),
            scope.disclosure.case_view(case, Relation(rel), requested),
            item.added_by,
            str(item.decision_id) if item.decision_id else None,
        )
        for case, rel, item in scope.session.execute(stmt).all()
    ]
