"""The front desk's lookup (issue 14, part 6): the cases at a home's exact address.

A municipality's front desk facing an evicted tenant, or a partner's, asks by postal code and
house number (and addition). The address is matched exactly through its blind index
(``registry.privacy.blind_index``): no prefix, no street, no neighbouring number, so the
lookup cannot be walked through a street. A case is answered only to a partner the policies
let look cases up (``Permission.CASE_ADDRESS_LOOKUP``: the case's municipality, and partners
involved in it) and that may read the address it matched (``REVEALS``), so the covenant, and a
corporation's restriction of its own cases, decide as they do for reading the address. Every
case answered is access-logged with the purpose the request names; a case refused is left out
without a trace, so "no case here" and "a case you may not see" are the same empty answer.

Not throttled beyond the partner's general rate limit (``registry.web.ratelimit``): each
answer is one exact address the caller could read anyway, and each hit is in the access log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.sql import Select

from policies import Permission, Relation, permits
from registry.cases.relations import with_relation
from registry.cases.views import CaseView
from registry.errors import InvalidInputError
from registry.models import Case, CaseContact
from registry.privacy.blind_index import AddressError, ExactAddress, address_digest

if TYPE_CHECKING:
    from registry.request import RequestScope

#: What a match tells the caller of a case, whatever else it selects: where the household
#: lives. It is answered only to a partner that may read both.
REVEALS = frozenset({"contactAddress", "contactPostalCode"})
#: At most this many cases of one address (a household's cases over the years, or households
#: after one another): more would be a data error, not a front desk's question.
MOST = 20


def cases_at_address(
    scope: RequestScope, postal_code: str, house_number: int, addition: str | None = None
) -> list[CaseView]:
    """The cases at this exact address that the caller may find there, newest first."""
    try:
        exact = ExactAddress.of(postal_code, house_number, addition)
    except AddressError as exc:
        raise InvalidInputError(str(exc)) from None
    me = scope.principal
    stmt: Select[Any] = (
        with_relation(select(Case), me.partner_id)
        .join(CaseContact, CaseContact.case_id == Case.id)
        .where(CaseContact.address_index == address_digest(exact), Case.erased_at.is_(None))
        .order_by(Case.registered_at.desc(), Case.id)
        .limit(MOST)
        .options(
            selectinload(Case.contact),
            selectinload(Case.involvements),
            selectinload(Case.signals),
            selectinload(Case.collection_pauses),
        )
    )
    found = []
    for case, related in scope.session.execute(stmt).all():
        relation = Relation(related)
        if not permits(me.kind, relation, Permission.CASE_ADDRESS_LOOKUP):
            continue
        if scope.disclosure.found_by(case, relation, REVEALS):
            found.append(scope.disclosure.case_view(case, relation, scope.selection))
    return found
