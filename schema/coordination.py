"""Coordination of a case and the covenant's rules of who may involve whom."""

from __future__ import annotations

import datetime as dt
from typing import cast

import strawberry

from registry.cases import coordination, involvement_rules, involvements
from registry.cases.involvement_rules import InvolvementRuleView
from registry.models import PartnerKind
from schema.context import Info, scope_of
from schema.types.case import Case


@strawberry.type(description="A covenant rule: who may involve which kind of partner.")
class InvolvementRule:
    id: strawberry.ID
    municipality: str
    by_coordinator: bool = strawberry.field(description="The case's coordinator may.")
    by_kind: PartnerKind | None = strawberry.field(
        description="Involved partners of this kind may."
    )
    partner_kind: PartnerKind
    issued_by: str
    issued_at: dt.datetime
    revoked_at: dt.datetime | None


def _rule(view: InvolvementRuleView) -> InvolvementRule:
    return InvolvementRule(
        id=strawberry.ID(view.id),
        municipality=view.municipality,
        by_coordinator=view.by_coordinator,
        by_kind=view.by_kind,
        partner_kind=view.partner_kind,
        issued_by=view.issued_by,
        issued_at=view.issued_at,
        revoked_at=view.revoked_at,
    )


@strawberry.type
class CoordinationQuery:
    @strawberry.field(description="The involvement rules in force in a municipality you work in.")
    def involvement_rules(self, info: Info, municipality: str) -> list[InvolvementRule]:
        return [_rule(v) for v in involvement_rules.rules(scope_of(info), municipality)]


@strawberry.type
class CoordinationMutation:
    @strawberry.mutation(description="Name the case's coordinator (its municipality).")
    def name_coordinator(self, info: Info, case_id: strawberry.ID, partner: str) -> Case:
        return cast(Case, scope_of(info).mutate(coordination.name_coordinator, case_id, partner))

    @strawberry.mutation(
        description="Name your organisation's fixed contact person for a case you work on."
    )
    def set_involvement_contact(
        self,
        info: Info,
        case_id: strawberry.ID,
        name: str,
        phone: str | None = None,
        email: str | None = None,
    ) -> Case:
        person = involvements.ContactPerson(name, phone, email)
        return cast(Case, scope_of(info).mutate(involvements.set_contact, case_id, person))

    @strawberry.mutation(description="Hand coordination over (municipality or coordinator).")
    def transfer_coordination(self, info: Info, case_id: strawberry.ID, to: str) -> Case:
        return cast(Case, scope_of(info).mutate(coordination.transfer, case_id, to))

    @strawberry.mutation(
        description=(
            "Let the coordinator (byCoordinator) or involved partners of a kind (byKind) "
            "involve and release partners of a kind in your municipality's cases."
        )
    )
    def allow_involvement(
        self,
        info: Info,
        municipality: str,
        partner_kind: PartnerKind,
        by_coordinator: bool = False,
        by_kind: PartnerKind | None = None,
    ) -> InvolvementRule:
        view = scope_of(info).mutate(
            involvement_rules.issue,
            municipality,
            partner_kind,
            by_coordinator=by_coordinator,
            by_kind=by_kind,
        )
        return _rule(view)

    @strawberry.mutation(description="Revoke an involvement rule of your municipality.")
    def revoke_involvement_rule(self, info: Info, id: strawberry.ID) -> InvolvementRule:
        return _rule(scope_of(info).mutate(involvement_rules.revoke, id))
