"""Coordination of a case (*regie*): one partner takes the lead, the report's first success
factor ("one independent organisation that takes the lead": Meldpunt Overlast en Zorg in
Groningen, Stedelijke Toegang in Zaanstad taking over a stuck case).

The municipality names the coordinator; a second naming is a conflict (transfer instead). The
municipality or the coordinator itself hands coordination over to another partner. A
coordinator is involved in the case (role ``case_coordination``) so that it relates to it.
Every change locks the case's row first, so of two namings at once exactly one succeeds; each
is told (``coordination.named`` / ``coordination.transferred``) and logged as ids.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import select

from policies import Permission
from registry.cases.involvements import add_involvement
from registry.cases.views import CaseView
from registry.errors import ConflictError, InvalidInputError
from registry.events import Event
from registry.models import Case, CoordinationTerm, InvolvementRole
from registry.partners.registration import partner_in
from registry.recording import record

if TYPE_CHECKING:
    from registry.request import RequestScope


def _take_over(scope: RequestScope, case: Case, partner_id: str) -> None:
    """Make ``partner_id`` the coordinator: a new term, and involved if it was not."""
    partner_in(scope.session, partner_id, case.municipality_code)
    case.coordinator_id = partner_id
    case.updated_at = scope.now
    case.version += 1
    scope.session.add(
        CoordinationTerm(
            id=uuid.uuid4(),
            case_id=case.id,
            partner_id=partner_id,
            since=scope.now,
            named_by=scope.principal.partner_id,
        )
    )
    if not any(i.partner_id == partner_id and i.released_at is None for i in case.involvements):
        add_involvement(scope, case, partner_id, InvolvementRole.CASE_COORDINATION)
    scope.session.flush()


def name_coordinator(scope: RequestScope, case_id: str, partner_id: str) -> CaseView:
    """Name the case's coordinator (the municipality); a case has one at a time."""
    case, relation = scope.find_case(case_id, for_change=True)
    scope.require(
        Permission.COORDINATION_NAME,
        relation,
        "name the coordinator of this case: its municipality does",
    )
    if case.coordinator_id is not None:
        raise ConflictError(
            f"{case.coordinator_id} coordinates this case already: transfer coordination instead"
        )
    _take_over(scope, case, partner_id)
    record(
        scope.session,
        Event.COORDINATION_NAMED,
        case.id,
        scope.now,
        submitter=scope.principal.partner_id,
        payload={"coordinator": partner_id},
        addressee=partner_id,
    )
    return scope.disclosure.case_view(case, relation, scope.selection)


def transfer(scope: RequestScope, case_id: str, to: str) -> CaseView:
    """Hand coordination over to ``to`` (the municipality, or the coordinator itself)."""
    case, relation = scope.find_case(case_id, for_change=True)
    me = scope.principal.partner_id
    if me != case.coordinator_id:
        scope.require(
            Permission.COORDINATION_TRANSFER,
            relation,
            "transfer the coordination of this case: its municipality or coordinator does",
        )
    previous = case.coordinator_id
    if previous is None:
        raise ConflictError("this case has no coordinator yet: name one first")
    if previous == to:
        raise InvalidInputError(f"{to} coordinates this case already")
    term = scope.session.scalar(
        select(CoordinationTerm).where(
            CoordinationTerm.case_id == case.id, CoordinationTerm.ended_at.is_(None)
        )
    )
    if term is not None:
        term.ended_at = scope.now
    _take_over(scope, case, to)
    record(
        scope.session,
        Event.COORDINATION_TRANSFERRED,
        case.id,
        scope.now,
        submitter=me,
        payload={"from": previous, "to": to},
        addressees=(to, previous),
    )
    return scope.disclosure.case_view(case, relation, scope.selection)
