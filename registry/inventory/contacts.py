"""The municipal contact a pickup request triggers (*contactmoment*, Zaanstad's practice).

When the household (or someone for it) asks to pick up its stored goods, the pickup is put on
hold and the case's municipality gets a task: reach the household again, within
``storage_periods.CONTACT_DUE_WORKING_DAYS`` working days. The task is pushed to the
municipality's system as a webhook (``municipal_contact.requested``, addressed to the
municipality, through the outbox) and can be polled (``list_contacts``); an overdue task is
announced once more (``announce_overdue``, run by the delivery worker). The municipality records
the outcome: reached (help offered, accepted or declined) or not reached after its attempts.
Only then may it release the pickup (``inventory.release_pickup``).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from policies import Permission, Relation
from registry import recording
from registry.cases.relations import with_relation
from registry.errors import ConflictError, InvalidInputError, NotFoundError
from registry.events import Event
from registry.inventory import periods as storage_periods
from registry.inventory import service as inventory
from registry.inventory.views import InventoryView, MunicipalContactView, open_pickup
from registry.models import (
    Case,
    ContactOutcome,
    MunicipalContact,
    Municipality,
    PickupRequest,
    PickupStatus,
    StoredInventory,
)
from registry.notifications import outbox

if TYPE_CHECKING:
    from registry.request import RequestScope

#: "Not reached" closes a contact only after real effort: three tries, as outreach teams
#: commonly make on different days and at different times before they call a household
#: unreachable. Fewer is refused, so the pickup is not released on one missed phone call.
NOT_REACHED_MIN_ATTEMPTS = 3
MAX_ATTEMPTS = 50
MAX_LIST = 500


def _parse_id(text: str) -> uuid.UUID:
    try:
        return uuid.UUID(text)
    except (ValueError, AttributeError, TypeError):
        raise InvalidInputError(f"{text!r} is not a municipal contact id (a UUID)") from None


def request_pickup(scope: RequestScope, case_id: str) -> InventoryView:
    """The household (or someone for it) asks to pick up its goods: the pickup is put on hold,
    and the case's municipality gets a task to reach the household first."""
    session, me, now = scope.session, scope.principal.partner_id, scope.now
    case, relation, stored = inventory.stored(
        scope, case_id, Permission.PICKUP_REQUEST, "request a pickup for this case"
    )
    inventory.require_stored(stored)
    pending = open_pickup(stored)
    if pending is not None:
        raise ConflictError(
            f"a pickup was requested already on {pending.requested_at:%Y-%m-%d} and is "
            f"{pending.status}"
        )
    pickup = PickupRequest(
        id=uuid.uuid4(),
        inventory_id=stored.id,
        requested_by=me,
        requested_at=now,
        status=PickupStatus.ON_HOLD,
    )
    authority = session.scalar(
        select(Municipality.authority_id).where(Municipality.code == case.municipality_code)
    )
    contact = MunicipalContact(
        id=uuid.uuid4(),
        pickup_id=pickup.id,
        case_id=case.id,
        municipality_code=case.municipality_code,
        assignee_id=authority,
        opened_at=now,
        due_on=storage_periods.add_working_days(
            scope.today, storage_periods.CONTACT_DUE_WORKING_DAYS
        ),
    )
    pickup.contact = contact
    stored.pickups.append(pickup)
    stored.version += 1
    session.flush()
    inventory.record_step(
        session,
        Event.INVENTORY_PICKUP_REQUESTED,
        stored,
        {"pickup": str(pickup.id), "status": str(PickupStatus.ON_HOLD)},
        me,
        now,
    )
    inventory.record_step(
        session,
        Event.MUNICIPAL_CONTACT_OPENED,
        stored,
        {
            "contact": str(contact.id),
            "pickup": str(pickup.id),
            "municipality": case.municipality_code,
            "dueOn": contact.due_on.isoformat(),
        },
        me,
        now,
        addressee=authority,
    )
    return inventory.view(scope, stored, case, relation)


def _find(
    scope: RequestScope, contact_id: str
) -> tuple[MunicipalContact, StoredInventory, Case, Relation]:
    session = scope.session
    missing = NotFoundError(f"municipal contact {contact_id} not found")
    # Locked (PostgreSQL) so that two outcomes recorded at once cannot both find none yet.
    contact = session.get(
        MunicipalContact, _parse_id(contact_id), with_for_update=True, populate_existing=True
    )
    if contact is None:
        raise missing
    try:
        case, relation = scope.find_case(contact.case_id, fields=frozenset())
    except NotFoundError:
        raise missing from None  # the same answer: no existence oracle
    stored = inventory.inventory_of(session, case.id)
    assert stored is not None  # a contact belongs to a pickup of the case's inventory
    return contact, stored, case, relation


def _check_outcome(
    contact: MunicipalContact,
    outcome: ContactOutcome,
    attempts: int,
    contacted_on: dt.date,
    scope: RequestScope,
) -> None:
    if not 1 <= attempts <= MAX_ATTEMPTS:
        raise InvalidInputError(f"attempts must be between 1 and {MAX_ATTEMPTS}")
    if outcome is ContactOutcome.NOT_REACHED and attempts < NOT_REACHED_MIN_ATTEMPTS:
        raise InvalidInputError(
            f"a household counts as not reached after at least {NOT_REACHED_MIN_ATTEMPTS} "
            f"attempts, not {attempts}: try again first"
        )
    inventory.not_future(contacted_on, "contactedOn", scope)
    if contacted_on < contact.opened_at.date():
        raise InvalidInputError(
            f"contactedOn {contacted_on} is before the pickup request of "
            f"{contact.opened_at:%Y-%m-%d} that opened this contact"
        )


def record_outcome(
    scope: RequestScope,
    contact_id: str,
    outcome: ContactOutcome,
    attempts: int,
    contacted_on: dt.date,
) -> MunicipalContactView:
    """The municipality records what came of its contact: the household was reached (help
    offered, accepted or declined), or not reached after its attempts. The pickup may then be
    released."""
    session, me, now = scope.session, scope.principal.partner_id, scope.now
    contact, stored, case, relation = _find(scope, contact_id)
    scope.require(
        Permission.MUNICIPAL_CONTACT_RECORD,
        relation,
        "record the outcome of this municipal contact",
    )
    if contact.recorded_at is not None:
        raise ConflictError(
            f"the outcome of this contact was recorded already on {contact.recorded_at:%Y-%m-%d}"
            f" ({contact.outcome})"
        )
    _check_outcome(contact, outcome, attempts, contacted_on, scope)
    contact.outcome, contact.attempts, contact.contacted_on = outcome, attempts, contacted_on
    contact.recorded_by, contact.recorded_at = me, now
    session.flush()
    inventory.record_step(
        session,
        Event.MUNICIPAL_CONTACT_OUTCOME_RECORDED,
        stored,
        {
            "contact": str(contact.id),
            "pickup": str(contact.pickup_id),
            "outcome": str(outcome),
            "attempts": attempts,
            "contactedOn": contacted_on.isoformat(),
        },
        me,
        now,
    )
    found = scope.disclosure.municipal_contact_view(
        contact, str(stored.id), case, relation, scope.today
    )
    assert found is not None  # recorded by the municipality, which reads its contacts
    return found


def list_contacts(
    scope: RequestScope,
    *,
    open_only: bool = True,
    overdue_only: bool = False,
    first: int = 100,
) -> list[MunicipalContactView]:
    """The municipal contacts of cases the caller relates to and may read them of (the
    municipality: those of its municipality), soonest due first: the municipality's system
    polls this when it does not take webhooks."""
    if not 1 <= first <= MAX_LIST:
        raise InvalidInputError(f"first must be between 1 and {MAX_LIST}")
    today = scope.today
    stmt = (
        with_relation(select(Case), scope.principal.partner_id)
        .add_columns(MunicipalContact, PickupRequest.inventory_id)
        .join(MunicipalContact, MunicipalContact.case_id == Case.id)
        .join(PickupRequest, PickupRequest.id == MunicipalContact.pickup_id)
    )
    if open_only or overdue_only:
        stmt = stmt.where(MunicipalContact.recorded_at.is_(None))
    if overdue_only:
        stmt = stmt.where(MunicipalContact.due_on < today)
    stmt = stmt.order_by(MunicipalContact.due_on, MunicipalContact.id)
    views = []
    for case, rel, contact, inventory_id in scope.session.execute(stmt):
        found = scope.disclosure.municipal_contact_view(
            contact, str(inventory_id), case, Relation(rel), today
        )
        if found is not None:
            views.append(found)
            if len(views) == first:
                break
    return views


def announce_overdue(session: Session, now: dt.datetime) -> int:
    """Write a ``municipal_contact.overdue`` event, addressed to the municipality, for every
    contact past its due date without an outcome that was not announced yet; returns how many.
    A compare-and-set on ``overdue_announced_at`` keeps two workers from both announcing one."""
    due = session.scalars(
        select(MunicipalContact)
        .where(
            MunicipalContact.recorded_at.is_(None),
            MunicipalContact.due_on < now.date(),
            MunicipalContact.overdue_announced_at.is_(None),
        )
        .order_by(MunicipalContact.due_on, MunicipalContact.id)
        .limit(100)
    ).all()
    announced = 0
    for contact in due:
        if not outbox.claim_overdue_announcement(session, MunicipalContact, contact.id, now):
            continue
        recording.record(
            session,
            Event.MUNICIPAL_CONTACT_OVERDUE,
            contact.case_id,
            now,
            addressee=contact.assignee_id,
        )
        announced += 1
    session.flush()
    return announced
