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
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload
from sqlalchemy.sql import Select

from policies import Permission, Relation
from registry.cases.fields import (
    CONTACT_FIELDS,
    INVOLVEMENT_FIELDS,
    PAUSE_FIELD,
    SIGNAL_FIELD,
)
from registry.cases.relations import with_relation
from registry.cases.routes import START, Route, route_of
from registry.cases.signals import NewSignal, signal_row
from registry.cases.views import CaseView
from registry.errors import InvalidInputError, NotAllowedError, NotFoundError
from registry.events import Event
from registry.lengths import check_length
from registry.models import (
    Case,
    CaseContact,
    CaseSignal,
    HouseholdComposition,
    Municipality,
    Reason,
    SignalSource,
)
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
    if requested is None or requested & INVOLVEMENT_FIELDS:
        stmt = stmt.options(selectinload(Case.involvements))
    if requested is None or requested & CONTACT_FIELDS:
        stmt = stmt.options(selectinload(Case.contact))
    if requested is None or SIGNAL_FIELD in requested:
        stmt = stmt.options(selectinload(Case.signals))
    if requested is None or PAUSE_FIELD in requested:
        stmt = stmt.options(selectinload(Case.collection_pauses))
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
    arrears_amount: Decimal | None
    arrears_months: int | None
    reasons: Sequence[Reason]
    contact: NewContact
    contact_attempted: bool = False
    debt_help_referred: bool = False
    reminder_sent: bool = False
    tenant_did_not_object: bool = False
    early_signalled_on: dt.date | None = None
    #: Months of arrears at the signal, to the half month (default: ``arrears_months``).
    signal_arrears_months: Decimal | None = None
    signal_source: SignalSource = SignalSource.LANDLORD


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


def _check_early_signal(new: NewCase) -> None:
    missing = [text for attr, text in _PRECONDITIONS.items() if not getattr(new, attr)]
    if missing:
        raise InvalidInputError(
            "the early signal needs its statutory preconditions; not met: " + "; ".join(missing)
        )
    if new.arrears_amount is None or new.arrears_months is None:
        raise InvalidInputError("a rent-arrears case needs arrearsAmount and arrearsMonths")
    _validate_money(new.arrears_amount, new.arrears_months)


def register(scope: RequestScope, new: NewCase) -> CaseView:
    """Register a case as its owner. A rent-arrears case is the statutory early signal: its
    preconditions must all be met. A case of nuisance or fraud starts with the corporation's
    intervention, without arrears or early signal (``registry.cases.routes``)."""
    case = registration(scope, new)
    scope.session.add(case)
    scope.session.flush()
    record(scope.session, Event.CASE_REGISTERED, case.id, scope.now)
    return scope.disclosure.case_view(case, Relation.OWNER, scope.selection)


def registration(scope: RequestScope, new: NewCase, *, case_id: uuid.UUID | None = None) -> Case:
    """The case ``register`` would add for ``new``, checked as it checks it, with its contact
    and first signal, not yet added to the session; ``case_id`` gives it its id.

    Raises:
        NotAllowedError: the caller registers no cases, or not in this municipality.
        InvalidInputError: ``new`` is not a case ``registerCase`` accepts.
    """
    rows = registration_rows(scope, new, case_id=case_id)
    case = Case(**rows.case)
    case.contact = CaseContact(**rows.contact)
    case.involvements = []
    case.collection_pauses = []
    case.signals = [] if rows.signal is None else [CaseSignal(**rows.signal)]
    return case


@dataclass(frozen=True)
class CaseRows:
    """A registration checked and built as rows, keyed by their models' attribute names."""

    case: dict[str, Any]
    #: The household's contact details in plain text: sealed when written.
    contact: dict[str, Any]
    #: The first early signal with its reply clocks; None off the rent-arrears route.
    signal: dict[str, Any] | None


def registration_rows(
    scope: RequestScope, new: NewCase, *, case_id: uuid.UUID | None = None
) -> CaseRows:
    """``new`` checked as ``registerCase`` checks it, and the rows of the case it adds: the one
    place both ``registration`` (which makes them the session's objects) and a bulk import
    (``registry.imports``, which writes the rows as they are, ``case_id`` derived from the
    owner's reference) take a new case from, so an imported case is exactly a registered one.

    Raises:
        NotAllowedError: the caller registers no cases, or not in this municipality.
        InvalidInputError: ``new`` is not a case ``registerCase`` accepts.
    """
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
    route = route_of(new.reasons)
    arrears = route is Route.RENT_ARREARS
    if arrears:
        _check_early_signal(new)
    elif new.arrears_amount is not None or new.arrears_months is not None:
        # Arrears besides nuisance or fraud make it a rent-arrears case: say so in the reasons.
        raise InvalidInputError(
            "a case without rent_arrears among its reasons records no arrears; "
            "add RENT_ARREARS to the reasons"
        )
    if not new.contact.name.strip() or not new.contact.address.strip():
        raise InvalidInputError("contact name and address are required")
    _check_contact_lengths(new.contact)
    if new.early_signalled_on and new.early_signalled_on > scope.today:
        raise InvalidInputError("earlySignalledOn lies in the future")
    if new.early_signalled_on and not arrears:
        raise InvalidInputError(f"a case of the {route} route has no early signal")
    case_id = case_id or uuid.uuid4()
    early_signalled_on = (new.early_signalled_on or scope.today) if arrears else None
    case = {
        "id": case_id,
        "municipality_code": new.municipality,
        "owner_id": principal.partner_id,
        "phase": START[route],
        "reasons": sorted({str(r) for r in new.reasons}),
        "household_composition": new.household_composition,
        "children_involved": new.children_involved,
        "arrears_amount": new.arrears_amount,
        "arrears_months": new.arrears_months,
        # Checked above for the early signal; recorded as given on the other routes.
        "contact_attempted": new.contact_attempted,
        "debt_help_referred": new.debt_help_referred,
        "reminder_sent": new.reminder_sent,
        "tenant_did_not_object": new.tenant_did_not_object,
        "early_signalled_on": early_signalled_on,
        "registered_at": now,
        "updated_at": now,
    }
    contact = {
        "case_id": case_id,
        **{f.name: getattr(new.contact, f.name) for f in fields(new.contact)},
    }
    signal = None
    if arrears:
        assert new.arrears_amount is not None and new.arrears_months is not None  # checked
        assert early_signalled_on is not None
        months = new.signal_arrears_months
        first = NewSignal(
            early_signalled_on,
            months if months is not None else Decimal(new.arrears_months),
            new.arrears_amount,
            new.signal_source,
        )
        signal = signal_row(
            session, case_id, new.municipality, first, principal.partner_id, now, repeat=False
        )
    return CaseRows(case, contact, signal)


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
    if amount is not None or months is not None:
        if amount is None or months is None:
            raise InvalidInputError("arrears are recorded as arrearsAmount and arrearsMonths both")
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
