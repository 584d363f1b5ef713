"""Queries and mutations on cases."""

from __future__ import annotations

from typing import cast

import strawberry

from registry.access import accesslog
from registry.cases import involvements, lists
from registry.cases import service as cases
from registry.models import AccessLogRecord, InvolvementRole
from schema.context import Info, scope_of
from schema.types.case import (
    Case,
    CaseConnection,
    CaseFilterInput,
    ContactInput,
    PageInfo,
    RegisterCaseInput,
    UpdateCaseInput,
)
from schema.types.policy import AccessLogEntry


def _contact(value: ContactInput) -> cases.NewContact:
    return cases.NewContact(
        name=value.name,
        address=value.address,
        postal_code=value.postal_code,
        phone=value.phone,
        email=value.email,
    )


def access_log_entry(record: AccessLogRecord) -> AccessLogEntry:
    """Map an access-log record to its GraphQL type."""
    return AccessLogEntry(
        trace_id=record.trace_id,
        partner=record.partner_id,
        actor=record.actor,
        case_id=strawberry.ID(str(record.case_id)),
        purpose=record.purpose,
        operation=record.operation,
        fields_disclosed=list(record.fields_disclosed),
        fields_withheld=list(record.fields_withheld),
        occurred_at=record.occurred_at,
        outcome=record.outcome,
    )


@strawberry.type
class CaseQuery:
    @strawberry.field(description="One case, if you may see it (otherwise: NOT_FOUND).")
    def case(self, info: Info, id: strawberry.ID) -> Case:
        return cast(Case, cases.get(scope_of(info), id))

    @strawberry.field(description="The cases you relate to, in registration order.")
    def cases(
        self,
        info: Info,
        filter: CaseFilterInput | None = None,
        first: int = 50,
        after: str | None = None,
    ) -> CaseConnection:
        f = filter or CaseFilterInput()
        page = lists.list_cases(
            scope_of(info),
            lists.CaseFilter(
                municipality=f.municipality,
                phase=f.phase,
                owner=f.owner,
                eviction_from=f.eviction_from,
                eviction_to=f.eviction_to,
            ),
            first=first,
            after=after,
        )
        return CaseConnection(
            nodes=cast(list[Case], page.cases),
            page_info=PageInfo(end_cursor=page.end_cursor, has_next_page=page.has_next_page),
        )

    @strawberry.field(description="Who saw which fields of a case (owner and municipality).")
    def access_history(self, info: Info, case_id: strawberry.ID) -> list[AccessLogEntry]:
        return [access_log_entry(r) for r in accesslog.history(scope_of(info), case_id)]

    @strawberry.field(description="What case data you received, newest first (your own log).")
    def my_disclosures(self, info: Info, limit: int = 100) -> list[AccessLogEntry]:
        return [access_log_entry(r) for r in accesslog.received(scope_of(info), limit)]


@strawberry.type
class CaseMutation:
    @strawberry.mutation(description="Register a case as its owner (a corporation).")
    def register_case(self, info: Info, input: RegisterCaseInput) -> Case:
        new = cases.NewCase(
            municipality=input.municipality,
            household_composition=input.household_composition,
            children_involved=input.children_involved,
            arrears_amount=input.arrears_amount,
            arrears_months=input.arrears_months,
            reasons=input.reasons,
            contact=_contact(input.contact),
            contact_attempted=input.contact_attempted,
            debt_help_referred=input.debt_help_referred,
            reminder_sent=input.reminder_sent,
            tenant_did_not_object=input.tenant_did_not_object,
            early_signalled_on=input.early_signalled_on,
            signal_arrears_months=input.signal_arrears_months,
            signal_source=input.signal_source,
        )
        return cast(Case, scope_of(info).mutate(cases.register, new))

    @strawberry.mutation(description="Correct a case's record (owner).")
    def update_case(self, info: Info, id: strawberry.ID, input: UpdateCaseInput) -> Case:
        changes = cases.CaseChanges(
            reasons=input.reasons,
            household_composition=input.household_composition,
            children_involved=input.children_involved,
            arrears_amount=input.arrears_amount,
            arrears_months=input.arrears_months,
            contact=_contact(input.contact) if input.contact else None,
        )
        return cast(Case, scope_of(info).mutate(cases.update, id, changes))

    @strawberry.mutation(
        description="List a partner as involved in a case (owner, municipality, or by covenant)."
    )
    def involve_partner(
        self,
        info: Info,
        case_id: strawberry.ID,
        partner: str,
        role: InvolvementRole,
    ) -> Case:
        return cast(Case, scope_of(info).mutate(involvements.involve, case_id, partner, role))

    @strawberry.mutation(
        description="End a partner's involvement (owner, municipality, or by covenant)."
    )
    def release_partner(self, info: Info, case_id: strawberry.ID, partner: str) -> Case:
        return cast(Case, scope_of(info).mutate(involvements.release, case_id, partner))
