"""The case service: find, list, register and update cases, and involve partners in them.

Every read goes through ``Disclosure``; every write checks the caller's kind and relation
(``RequestScope.require``). A case the caller has no relation to raises ``NotFoundError``
exactly like a case that does not exist.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import Select

from policies import Permission, Relation
from registry.cases.fields import CONTACT_FIELDS
from registry.cases.relations import with_relation
from registry.cases.views import CaseView
from registry.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from registry.events import Event
from registry.lengths import check_length
from registry.models import (
    Case,
    CaseContact,
    HouseholdComposition,
    Involvement,
    InvolvementRole,
    Municipality,
    Phase,
    Reason,
)
from registry.partners.registration import partner_in
from registry.recording import record

if TYPE_CHECKING:
    from registry.request import RequestScope


def parse_case_id(text: str) -> uuid.UUID:
    """A case id from its text form; malformed text is invalid input (not 'not found')."""
    try:
        return uuid.UUID(text)
    except (ValueError, AttributeError, TypeError):
        raise InvalidInputError(f"{text!r} is not a case id (a UUID)") from None


def _load_options(stmt: Select, requested: frozenset[str] | None) -> Select:  # type: ignore[type-arg]
    # Load related rows only when the caller asked for fields that live there: explicit
    # loading, so a list never lazy-loads per row (the relationships raise if it would).
    if requested is None or "involvements" in requested:
        stmt = stmt.options(selectinload(Case.involvements))
    if requested is None or requested & CONTACT_FIELDS:
        stmt = stmt.options(selectinload(Case.contact))
    return stmt


def find(
    session: Session,
    partner_id: str,
    case_id: uuid.UUID,
    requested: frozenset[str] | None = None,
    *,
    for_change: bool = False,
    include_erased: bool = False,
) -> tuple[Case, Relation]:
    """The case and the partner's relation to it; ``NotFoundError`` when it has none, or when
    its household was erased (unless ``include_erased``: its access report still answers).

    ``for_change`` locks the case's row until the transaction ends and reads it afresh, before
    the caller checks any rule against it: of concurrent changes to one case, each sees what
    the one before it committed, so two identical steps are never both accepted and no
    ``version`` increment is lost (PostgreSQL; SQLite's one writer serialises them already,
    from ``BEGIN IMMEDIATE`` on).
    """
    stmt = _load_options(with_relation(select(Case), partner_id), requested)
    if for_change:
        stmt = stmt.with_for_update(of=Case).execution_options(populate_existing=True)
    stmt = stmt.where(Case.id == case_id)
    if not include_erased:
        stmt = stmt.where(Case.erased_at.is_(None))
    row = session.execute(stmt).first()
    if row is None:
        raise NotFoundError(f"case {case_id} not found")
    return row[0], Relation(row[1])


def get(scope: RequestScope, case_id: str) -> CaseView:
    """One case as the caller may see it (what it selected of it)."""
    case, relation = scope.find_case(case_id, fields=scope.selection)
    return scope.disclosure.case_view(case, relation, scope.selection)


@dataclass(frozen=True)
class NewContact:
    """Identity and contact details of the household."""

    name: str
    address: str
    postal_code: str
    phone: str | None = None
    email: str | None = None


def _check_contact_lengths(contact: NewContact) -> None:
    check_length(CaseContact.name, contact.name, "contact.name")
    check_length(CaseContact.address, contact.address, "contact.address")
    check_length(CaseContact.postal_code, contact.postal_code, "contact.postalCode")
    check_length(CaseContact.phone, contact.phone, "contact.phone")
    check_length(CaseContact.email, contact.email, "contact.email")


@dataclass(frozen=True)
class NewCase:
    """What a corporation records when it registers a case."""

    municipality: str
    household_composition: HouseholdComposition
    children_involved: bool
    arrears_amount: Decimal
    arrears_months: int
    reasons: Sequence[Reason]
    contact: NewContact
    contact_attempted: bool
    debt_help_referred: bool
    reminder_sent: bool
    tenant_did_not_object: bool
    phase: Phase = Phase.EARLY_SIGNAL
    early_signalled_on: dt.date | None = None


_PRECONDITIONS = {
    "contact_attempted": "contact with the tenant was tried",
    "debt_help_referred": "the tenant was pointed to debt help",
    "reminder_sent": "a written reminder was sent",
    "tenant_did_not_object": "the tenant did not object to the signal",
}


def _validate_money(amount: Decimal, months: int) -> None:
    if amount < 0 or amount > Decimal("1000000"):
        raise InvalidInputError("arrearsAmount must be between 0 and 1,000,000 euros")
    if amount.as_tuple().exponent < -2:  # type: ignore[operator]
        raise InvalidInputError("arrearsAmount has at most two decimals (cents)")
    if not 0 <= months <= 240:
        raise InvalidInputError("arrearsMonths must be between 0 and 240")


def register(scope: RequestScope, new: NewCase) -> CaseView:
    """Register a case as its owner. The statutory early-signal preconditions must all be met."""
    session, principal, now = scope.session, scope.principal, scope.now
    scope.require(
        Permission.CASE_REGISTER,
        Relation.NONE,
        "register cases",
        refusal="only a housing corporation registers cases",
    )
    if session.get(Municipality, new.municipality) is None:
        raise InvalidInputError(f"unknown municipality {new.municipality!r}")
    if new.municipality not in principal.municipalities:
        raise NotAllowedError(
            f"{principal.partner_id} does not work in municipality {new.municipality!r}"
        )
    missing = [text for attr, text in _PRECONDITIONS.items() if not getattr(new, attr)]
    if missing:
        raise InvalidInputError(
            "the early signal needs its statutory preconditions; not met: " + "; ".join(missing)
        )
    _validate_money(new.arrears_amount, new.arrears_months)
    if not new.contact.name.strip() or not new.contact.address.strip():
        raise InvalidInputError("contact name and address are required")
    _check_contact_lengths(new.contact)
    if new.early_signalled_on and new.early_signalled_on > scope.today:
        raise InvalidInputError("earlySignalledOn lies in the future")
    case = Case(
        id=uuid.uuid4(),
        municipality_code=new.municipality,
        owner_id=principal.partner_id,
        phase=new.phase,
        reasons=sorted({str(r) for r in new.reasons}),
        household_composition=new.household_composition,
        children_involved=new.children_involved,
        arrears_amount=new.arrears_amount,
        arrears_months=new.arrears_months,
        contact_attempted=True,
        debt_help_referred=True,
        reminder_sent=True,
        tenant_did_not_object=True,
        early_signalled_on=new.early_signalled_on or scope.today,
        registered_at=now,
        updated_at=now,
    )
    case.contact = CaseContact(
        **{f.name: getattr(new.contact, f.name) for f in fields(new.contact)}
    )
    case.involvements = []
    session.add(case)
    session.flush()
    record(session, Event.CASE_REGISTERED, case.id, now)
    return scope.disclosure.case_view(case, Relation.OWNER, scope.selection)


@dataclass(frozen=True)
class CaseChanges:
    """Owner's corrections to the record; None leaves a field as it is."""

    reasons: Sequence[Reason] | None = None
    household_composition: HouseholdComposition | None = None
    children_involved: bool | None = None
    arrears_amount: Decimal | None = None
    arrears_months: int | None = None
    contact: NewContact | None = None


def update(scope: RequestScope, case_id: str, changes: CaseChanges) -> CaseView:
    """Apply the owner's changes to a case."""
    case, relation = scope.find_case(case_id, for_change=True)
    scope.require(Permission.CASE_UPDATE, relation, "change the record of this case")
    if changes.contact is not None:
        _check_contact_lengths(changes.contact)
    amount = changes.arrears_amount if changes.arrears_amount is not None else case.arrears_amount
    months = changes.arrears_months if changes.arrears_months is not None else case.arrears_months
    _validate_money(amount, months)
    case.arrears_amount, case.arrears_months = amount, months
    if changes.reasons is not None:
        case.reasons = sorted({str(r) for r in changes.reasons})
    if changes.household_composition is not None:
        case.household_composition = changes.household_composition
    if changes.children_involved is not None:
        case.children_involved = changes.children_involved
    if changes.contact is not None:
        if case.contact is None:
            case.contact = CaseContact(case_id=case.id, **vars(changes.contact))
        else:
            for name, value in vars(changes.contact).items():
                setattr(case.contact, name, value)
    case.updated_at = scope.now
    case.version += 1
    scope.session.flush()
    return scope.disclosure.case_view(case, relation, scope.selection)


def involve(scope: RequestScope, case_id: str, partner_id: str, role: InvolvementRole) -> CaseView:
    """List a partner as involved in a case (owner or municipality)."""
    case, relation = scope.find_case(case_id, for_change=True)
    scope.require(Permission.INVOLVEMENT_MANAGE, relation, "involve partners of this case")
    partner_in(scope.session, partner_id, case.municipality_code)
    if any(i.partner_id == partner_id and i.released_at is None for i in case.involvements):
        raise ConflictError(f"{partner_id} is already involved in this case")
    case.involvements.append(
        Involvement(
            case_id=case.id,
            partner_id=partner_id,
            role=role,
            since=scope.now,
            involved_by=scope.principal.partner_id,
        )
    )
    scope.session.flush()
    record(scope.session, Event.CASE_PARTNER_INVOLVED, case.id, scope.now, addressee=partner_id)
    return scope.disclosure.case_view(case, relation, scope.selection)


def release(scope: RequestScope, case_id: str, partner_id: str) -> CaseView:
    """End a partner's involvement (owner or municipality); its history stays."""
    case, relation = scope.find_case(case_id, for_change=True)
    scope.require(Permission.INVOLVEMENT_MANAGE, relation, "release partners of this case")
    current = [i for i in case.involvements if i.partner_id == partner_id and i.released_at is None]
    if not current:
        raise ConflictError(f"{partner_id} is not involved in this case")
    for involvement in current:
        involvement.released_at = scope.now
    scope.session.flush()
    return scope.disclosure.case_view(case, relation, scope.selection)
