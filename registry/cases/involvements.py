"""Involving partners in a case and releasing them: by the case's owner or municipality, or by
an involved partner the covenant lets do so (``registry.cases.involvement_rules``).

Every change tells the partner concerned and the case's coordinator (``partner.involved`` /
``partner.released``), and goes into the signed audit log as ids and codes; the result is a
case view, access-logged like every read. An involved organisation names its fixed contact
person for the case (*vaste contactpersoon*), released to others as the case field
``involvementContacts``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from policies import Permission, Relation, permits
from registry.cases import involvement_rules
from registry.cases.views import CaseView
from registry.errors import ConflictError, InvalidInputError, NotAllowedError
from registry.events import Event
from registry.lengths import check_length
from registry.models import Case, Involvement, InvolvementRole, Partner
from registry.partners.registration import partner_in
from registry.recording import record

if TYPE_CHECKING:
    from registry.request import RequestScope


def check_may_manage(
    scope: RequestScope, case: Case, relation: Relation, target: Partner, what: str
) -> None:
    """Refuse (``NotAllowedError``) unless the caller may involve or release ``target``: as
    the case's owner or municipality, or by a covenant rule for an involved partner."""
    principal = scope.principal
    if permits(principal.kind, relation, Permission.INVOLVEMENT_MANAGE):
        return
    if relation is Relation.INVOLVED:
        decision = involvement_rules.decide(
            scope.session, case, principal.partner_id, principal.kind, str(target.kind)
        )
        if decision.allowed:
            return
        raise NotAllowedError(
            f"the covenant of {case.municipality_code} does not let {principal.partner_id} "
            f"{what} a partner of kind {target.kind}"
        )
    raise NotAllowedError(f"{principal.partner_id} may not {what} partners of this case")


def add_involvement(
    scope: RequestScope, case: Case, partner_id: str, role: InvolvementRole
) -> Involvement:
    """Add ``partner_id`` to the case's involvements (loaded) and tell it and the coordinator."""
    involvement = Involvement(
        case_id=case.id,
        partner_id=partner_id,
        role=role,
        since=scope.now,
        involved_by=scope.principal.partner_id,
    )
    case.involvements.append(involvement)
    scope.session.flush()
    # The older webhook, kept for its subscribers; ``partner.involved`` also reaches the
    # coordinator and goes into the signed log.
    record(scope.session, Event.CASE_PARTNER_INVOLVED, case.id, scope.now, addressee=partner_id)
    record(
        scope.session,
        Event.PARTNER_INVOLVED,
        case.id,
        scope.now,
        submitter=scope.principal.partner_id,
        payload={"partner": partner_id, "role": str(role)},
        addressees=(partner_id, case.coordinator_id),
    )
    return involvement


def involve(scope: RequestScope, case_id: str, partner_id: str, role: InvolvementRole) -> CaseView:
    """List a partner as involved in a case."""
    case, relation = scope.find_case(case_id, for_change=True)
    target = partner_in(scope.session, partner_id, case.municipality_code)
    check_may_manage(scope, case, relation, target, "involve")
    if any(i.partner_id == partner_id and i.released_at is None for i in case.involvements):
        raise ConflictError(f"{partner_id} is already involved in this case")
    add_involvement(scope, case, partner_id, role)
    return scope.disclosure.case_view(case, relation, scope.selection)


def release(scope: RequestScope, case_id: str, partner_id: str) -> CaseView:
    """End a partner's involvement; its history stays."""
    case, relation = scope.find_case(case_id, for_change=True)
    current = [i for i in case.involvements if i.partner_id == partner_id and i.released_at is None]
    target = scope.session.get(Partner, partner_id)
    if target is None or not current:
        if not permits(scope.principal.kind, relation, Permission.INVOLVEMENT_MANAGE) and (
            relation is not Relation.INVOLVED
        ):
            raise NotAllowedError(
                f"{scope.principal.partner_id} may not release partners of this case"
            )
        raise ConflictError(f"{partner_id} is not involved in this case")
    check_may_manage(scope, case, relation, target, "release")
    if partner_id == case.coordinator_id:
        raise ConflictError(f"{partner_id} coordinates this case: transfer coordination first")
    for involvement in current:
        involvement.released_at = scope.now
    scope.session.flush()
    record(
        scope.session,
        Event.PARTNER_RELEASED,
        case.id,
        scope.now,
        submitter=scope.principal.partner_id,
        payload={"partner": partner_id},
        addressees=(partner_id, case.coordinator_id),
    )
    return scope.disclosure.case_view(case, relation, scope.selection)


@dataclass(frozen=True)
class ContactPerson:
    """An organisation's fixed contact person for a case: a professional's work details."""

    name: str
    phone: str | None = None
    email: str | None = None


_PHONE = re.compile(r"\+?[0-9][0-9 ()-]{5,38}")
_EMAIL = re.compile(r"[^@\s]{1,100}@[^@\s]{1,99}\.[^@\s]+")


def set_contact(scope: RequestScope, case_id: str, person: ContactPerson) -> CaseView:
    """Name the caller's fixed contact person for a case it is involved in."""
    case, relation = scope.find_case(case_id, for_change=True)
    me = scope.principal.partner_id
    mine = [i for i in case.involvements if i.partner_id == me and i.released_at is None]
    if not mine:
        raise NotAllowedError(
            f"{me} is not involved in this case: only an involved organisation names its "
            "contact person"
        )
    name = person.name.strip()
    if not name:
        raise InvalidInputError("a contact person has a name")
    check_length(Involvement.contact_name, name, "name")
    check_length(Involvement.contact_phone, person.phone, "phone")
    check_length(Involvement.contact_email, person.email, "email")
    if person.phone is not None and not _PHONE.fullmatch(person.phone):
        raise InvalidInputError("phone is not a phone number (digits, spaces, +, -, brackets)")
    if person.email is not None and not _EMAIL.fullmatch(person.email):
        raise InvalidInputError("email is not an e-mail address")
    for involvement in mine:
        involvement.contact_name = name
        involvement.contact_phone = person.phone
        involvement.contact_email = person.email
    case.updated_at = scope.now
    case.version += 1
    scope.session.flush()
    return scope.disclosure.case_view(case, relation, scope.selection)
