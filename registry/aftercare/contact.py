"""The household's new contact details after its eviction (the report's section 3.2.4: after
an eviction the corporations' role ends and contact is often lost; "no new address is known").

A partner that continues aftercare (the municipality, or a district team, welfare organisation
or shelter involved in the case) records where the household can be reached now, as the
household gave it, with how it consented to its being shared. The details are kept apart from
the case and sealed under its data key, like its identity (``registry.models.aftercare``), so
erasure destroys them; they are released per field and per purpose through the disclosure
choke point (``registry.aftercare.fields``). The signed log records that consent was given,
how, and by whom it was recorded: never the details.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from policies import Permission
from registry.aftercare.fields import AFTERCARE_CONTACT_FIELDS
from registry.aftercare.views import AftercareContactView

# Before ``registry.recording``, which imports the cases service and is imported back by it: so
# this module can be the first of the registry a process imports (``python -m schema.build``).
from registry.cases import service as _cases  # noqa: F401
from registry.errors import ConflictError, InvalidInputError
from registry.events import Event
from registry.lengths import check_length
from registry.models import AftercareContact, Case, ConsentManner, Phase
from registry.recording import record as record_event

if TYPE_CHECKING:
    from registry.request import RequestScope

_PHONE = re.compile(r"\+?[0-9][0-9 ()-]{5,38}")
_EMAIL = re.compile(r"[^@\s]{1,100}@[^@\s]{1,99}\.[^@\s]+")


@dataclass(frozen=True)
class NewContactDetails:
    """Where the household can be reached after its eviction, and how it consented."""

    case_id: str
    consent: ConsentManner
    phone: str | None = None
    email: str | None = None
    postal_address: str | None = None


def _cleaned(details: NewContactDetails) -> tuple[str | None, str | None, str | None]:
    """The details stripped, blanks as None; refuses what cannot be a phone number or an
    e-mail address, or is too long (``InvalidInputError``), and details without any."""
    phone, email, address = (
        (v.strip() or None) if v is not None else None
        for v in (details.phone, details.email, details.postal_address)
    )
    if phone is None and email is None and address is None:
        raise InvalidInputError(
            "new contact details need a phone, an e-mail address or a postal address"
        )
    check_length(AftercareContact.phone, phone, "phone")
    check_length(AftercareContact.email, email, "email")
    check_length(AftercareContact.postal_address, address, "postalAddress")
    if phone is not None and not _PHONE.fullmatch(phone):
        raise InvalidInputError("phone is not a phone number (digits, spaces, +, - or brackets)")
    if email is not None and not _EMAIL.fullmatch(email):
        raise InvalidInputError("email is not an e-mail address")
    return phone, email, address


def _contact_of(scope: RequestScope, case: Case) -> AftercareContact | None:
    return scope.session.scalars(
        select(AftercareContact).where(AftercareContact.case_id == case.id)
    ).first()


def _requested(scope: RequestScope) -> frozenset[str] | None:
    """The policy fields the caller selected (None: all of them)."""
    if scope.selection is None:
        return None
    return AFTERCARE_CONTACT_FIELDS.policy_fields_of(scope.selection)


def record(scope: RequestScope, details: NewContactDetails) -> AftercareContactView:
    """Record (or replace) where the household can be reached after its eviction, with its
    consent. Only after the eviction: before it, the household's contact details are its
    identity (``updateCase``)."""
    phone, email, address = _cleaned(details)
    case, relation = scope.find_case(details.case_id, fields=frozenset(), for_change=True)
    scope.require(
        Permission.AFTERCARE_CONTACT_RECORD,
        relation,
        "record the household's new contact details",
        refusal=(
            f"{scope.principal.partner_id} may not record the household's new contact details:"
            " the municipality or a district team, welfare organisation or shelter involved "
            "in the case does"
        ),
    )
    if case.phase is not Phase.AFTER_EVICTION:
        raise ConflictError(
            f"case {case.id} is in phase {case.phase}: new contact details are recorded "
            "after the eviction"
        )
    me, now = scope.principal.partner_id, scope.now
    contact = _contact_of(scope, case)
    if contact is None:
        contact = AftercareContact(case_id=case.id, version=0)
        scope.session.add(contact)
    contact.phone, contact.email, contact.postal_address = phone, email, address
    contact.consent_manner, contact.recorded_by, contact.recorded_at = details.consent, me, now
    contact.version += 1
    scope.session.flush()
    record_event(
        scope.session,
        Event.AFTERCARE_CONTACT_RECORDED,
        case.id,
        now,
        submitter=me,
        payload={"consent": str(details.consent), "version": contact.version},
    )
    return scope.disclosure.aftercare_contact_view(contact, case, relation, _requested(scope))


def get(scope: RequestScope, case_id: str) -> AftercareContactView | None:
    """The household's new contact details as the caller may see them (None: none were
    recorded), if the caller relates to the case."""
    case, relation = scope.find_case(case_id, fields=frozenset())
    contact = _contact_of(scope, case)
    if contact is None:
        return None
    return scope.disclosure.aftercare_contact_view(contact, case, relation, _requested(scope))
