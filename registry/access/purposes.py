"""Processing purposes: the processing activities a municipality registers (LDV-style: an id
and a description), which grants release data for and which a request names.

Registering one changes no decision (no grant names it yet), so the policy version stays.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from policies import Permission, Relation
from registry.access.conditions import check_purpose_id
from registry.errors import ConflictError, InvalidInputError, NotAllowedError
from registry.models import Municipality, ProcessingPurpose

if TYPE_CHECKING:
    from registry.request import RequestScope

_MAX_DESCRIPTION = 1000


def register(
    scope: RequestScope, municipality: str, purpose: str, description: str
) -> ProcessingPurpose:
    """Register a processing purpose for the caller's own municipality."""
    session, principal = scope.session, scope.principal
    scope.require(
        Permission.GRANT_ISSUE,
        Relation.NONE,
        "register purposes",
        refusal="only a municipality registers processing purposes",
    )
    found = session.get(Municipality, municipality)
    if found is None:
        raise InvalidInputError(f"unknown municipality {municipality!r}")
    if found.authority_id != principal.partner_id:
        raise NotAllowedError(
            f"{principal.partner_id} registers purposes only for its own municipality, "
            f"not for {municipality!r}"
        )
    check_purpose_id(purpose)
    if not description.strip():
        raise InvalidInputError("a purpose has a description")
    if len(description) > _MAX_DESCRIPTION:
        raise InvalidInputError(f"description over {_MAX_DESCRIPTION} characters")
    # Locks nothing to read: the primary key refuses a second registration, and a retry
    # after one that committed is answered with a conflict naming it.
    if session.get(ProcessingPurpose, (municipality, purpose)) is not None:
        raise ConflictError(f"purpose {purpose!r} is already registered in {municipality!r}")
    registered = ProcessingPurpose(
        municipality=municipality, id=purpose, description=description, registered_at=scope.now
    )
    session.add(registered)
    try:
        session.flush()
    except IntegrityError:  # registered meanwhile by a concurrent request
        raise ConflictError(
            f"purpose {purpose!r} is already registered in {municipality!r}"
        ) from None
    return registered


def listed(scope: RequestScope, municipality: str) -> Sequence[ProcessingPurpose]:
    """The purposes registered in a municipality the caller works in (a covenant's purposes
    are known to its partners: they name them in their requests)."""
    if municipality not in scope.principal.municipalities:
        raise NotAllowedError(f"{scope.principal.partner_id} does not work in {municipality!r}")
    return scope.session.scalars(
        select(ProcessingPurpose)
        .where(ProcessingPurpose.municipality == municipality)
        .order_by(ProcessingPurpose.id)
    ).all()


def registered(session: Session) -> dict[str, str]:
    """Every purpose registered in some municipality, with a description (the first
    municipality's, by code): what a console session may be opened for. Public, as a register
    of processing activities is: no case data, and partners name these ids in every request."""
    found: dict[str, str] = {}
    rows = session.execute(
        select(ProcessingPurpose.id, ProcessingPurpose.description).order_by(
            ProcessingPurpose.id, ProcessingPurpose.municipality
        )
    )
    for purpose, description in rows:
        found.setdefault(purpose, description)
    return found
