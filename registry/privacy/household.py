"""The household's access report across all its cases (issue 16, part 5; AVG art. 15).

A household asks its municipality who received its data. The municipality (or a corporation,
for its own cases) names the household as it is registered: its name and its home's exact
address. The cases are found through the identity blind index (``blind_index``), never by
opening sealed values; each one the caller may read the access history of (its owner and its
municipality: ``Permission.ACCESS_LOG_READ``) is reported as ``report.build`` reports a single
case. Cases it may not see are left out; a household with none is answered exactly like a
missing case. Reading the report discloses that the household has those cases: each is
access-logged with the identity fields it matched.

An erased case is no longer found here (its index went with its contact details); its own
report, by its case id, still answers.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.sql import Select

from policies import Permission, Relation, permits
from registry.cases.relations import with_relation
from registry.errors import InvalidInputError, NotFoundError
from registry.models import Case, CaseContact, Partner
from registry.privacy.blind_index import AddressError, ExactAddress, identity_digest
from registry.privacy.report import AccessReport, build

if TYPE_CHECKING:
    from registry.request import RequestScope

#: Report format, in the JSON export: a new format gets a new name.
FORMAT = "ketenregister/household-access-report/1"
#: What a match tells the caller of a case: whose it is and where the household lives.
REVEALS = frozenset({"contactName", "contactAddress", "contactPostalCode"})
NOT_FOUND = "no case of this household found"


@dataclass(frozen=True)
class HouseholdReport:
    """Who received the data of each case of one household that the caller may report on."""

    made_at: dt.datetime
    #: Who asked for the report: the organisation, and its staff member when one is known
    #: (always, for a request through the console).
    requested_by: str
    requested_by_actor: str | None
    #: The case reports, oldest case first.
    cases: tuple[AccessReport, ...]
    #: The names of the organisations named in the reports, by id.
    organisations: dict[str, str]

    def as_json(self) -> dict[str, Any]:
        """The report as one JSON document (the export handed to the household)."""
        return {
            "format": FORMAT,
            "madeAt": self.made_at.isoformat(),
            "requestedBy": {"partner": self.requested_by, "actor": self.requested_by_actor},
            "organisations": dict(sorted(self.organisations.items())),
            "cases": [report.as_json() for report in self.cases],
        }


def _exact(postal_code: str, house_number: int, addition: str | None) -> ExactAddress:
    try:
        return ExactAddress.of(postal_code, house_number, addition)
    except AddressError as exc:
        raise InvalidInputError(str(exc)) from None


def household_report(
    scope: RequestScope,
    name: str,
    postal_code: str,
    house_number: int,
    addition: str | None = None,
) -> HouseholdReport:
    """The report of every case of the household ``name`` at this address that the caller
    may read the access history of; ``NotFoundError`` when there is none."""
    digest = identity_digest(name, _exact(postal_code, house_number, addition))
    if digest is None:
        raise InvalidInputError("name the household as it is registered")
    me = scope.principal
    stmt: Select[Any] = (
        with_relation(select(Case), me.partner_id)
        .join(CaseContact, CaseContact.case_id == Case.id)
        .where(CaseContact.identity_index == digest, Case.erased_at.is_(None))
        .order_by(Case.registered_at, Case.id)
    )
    reports = []
    for case, related in scope.session.execute(stmt).all():
        relation = Relation(related)
        if not permits(me.kind, relation, Permission.ACCESS_LOG_READ):
            continue  # a case it may not report on is left out, as one it cannot see
        if scope.disclosure.found_by(case, relation, REVEALS):
            reports.append(build(scope.session, case))
    if not reports:
        raise NotFoundError(NOT_FOUND)
    return HouseholdReport(
        scope.now,
        me.partner_id,
        me.actor,
        tuple(reports),
        _organisations(scope.session, {me.partner_id, *_partners(reports)}),
    )


def _partners(reports: list[AccessReport]) -> set[str]:
    return {r.partner for report in reports for r in report.recipients}


def _organisations(session: Session, ids: set[str]) -> dict[str, str]:
    rows = session.execute(select(Partner.id, Partner.name).where(Partner.id.in_(ids))).all()
    return {row[0]: row[1] for row in rows}
