"""Queries and mutations on access policies: issue, revoke, list, try, explain."""

from __future__ import annotations

import strawberry

from registry.access import approvals, impact, matrix, policy_admin, purposes, vocabulary
from registry.access.conditions import Conditions
from registry.models import AccessPolicy as PolicyRowModel
from registry.models import ProcessingPurpose as PurposeRow
from schema.context import Info, scope_of
from schema.types.policy import (
    AccessExplanation,
    AccessPolicy,
    CovenantCell,
    DryRunField,
    FieldDecision,
    FieldImpact,
    GrantInput,
    PolicyField,
    ProcessingPurpose,
    RestrictionInput,
)


def _policy(policy: PolicyRowModel) -> AccessPolicy:
    return AccessPolicy(
        id=strawberry.ID(str(policy.id)),
        kind=str(policy.kind),
        issuer=policy.issuer_id,
        subject=policy.subject,
        relation=policy.relation,
        municipality=policy.municipality,
        owner=policy.owner,
        fields=list(policy.fields),
        purpose=policy.purpose,
        phases=list(policy.phases or ()),
        purposes=list(policy.purposes or ()),
        valid_from=policy.valid_from,
        valid_until=policy.valid_until,
        pending=policy.pending,
        issued_at=policy.issued_at,
        revoked_at=policy.revoked_at,
    )


def _conditions(value: GrantInput | RestrictionInput) -> Conditions:
    return Conditions(
        phases=value.phases,
        purposes=value.purposes,
        valid_from=value.valid_from,
        valid_until=value.valid_until,
    )


def _grant(value: GrantInput) -> policy_admin.GrantDraft:
    return policy_admin.GrantDraft(
        municipality=value.municipality,
        fields=value.fields,
        subject_kind=str(value.partner_kind) if value.partner_kind else None,
        subject_partner=value.partner,
        subject_role=value.involvement_role,
        relation=value.relation,
        purpose=value.purpose,
        conditions=_conditions(value),
    )


def _purpose(value: PurposeRow) -> ProcessingPurpose:
    return ProcessingPurpose(
        municipality=value.municipality, id=value.id, description=value.description
    )


@strawberry.type
class PolicyQuery:
    @strawberry.field(
        description="Every field policies may name, with what it releases (in English and "
        "Dutch), whether it is "
        "sensitive, and its groups (the vocabulary a grant or restriction speaks)."
    )
    def field_catalogue(self) -> list[PolicyField]:
        return [
            PolicyField(
                name=e.name,
                description=e.description,
                description_nl=e.description_nl,
                sensitive=e.sensitive,
                groups=list(e.groups),
            )
            for e in vocabulary.catalogue()
        ]

    @strawberry.field(
        description=(
            "Policies you issued; with `municipality`, also that municipality's grants "
            "(the covenant of a municipality you work in)."
        )
    )
    def policies(
        self, info: Info, municipality: str | None = None, include_revoked: bool = False
    ) -> list[AccessPolicy]:
        found = policy_admin.list_policies(
            scope_of(info), municipality=municipality, include_revoked=include_revoked
        )
        return [_policy(p) for p in found]

    @strawberry.field(
        description=(
            "Why each field of a case is released or withheld: for you, or (owner and "
            "municipality) for another partner."
        )
    )
    def explain_access(
        self,
        info: Info,
        case_id: strawberry.ID,
        partner: str | None = None,
        purpose: str | None = None,
    ) -> AccessExplanation:
        result = policy_admin.explain(scope_of(info), case_id, partner, purpose)
        return AccessExplanation(
            case_id=strawberry.ID(result.case_id),
            partner=result.partner,
            relation=result.relation,
            purpose=result.purpose,
            phase=result.phase,
            decisions=[
                FieldDecision(field=d.field, allowed=d.allowed, decided_by=d.decided_by)
                for d in result.decisions
            ],
        )

    @strawberry.field(
        description="What a draft grant would change over all of its municipality's cases, "
        "per field (only fields that change), for the purposes it names; issues nothing."
    )
    def grant_impact(self, info: Info, grant: GrantInput) -> list[FieldImpact]:
        return [
            FieldImpact(
                field=i.field,
                cases_gaining=i.cases_gaining,
                partners_gaining=i.partners_gaining,
                cases_losing=i.cases_losing,
                partners_losing=i.partners_losing,
            )
            for i in impact.grant_impact(scope_of(info), _grant(grant))
        ]

    @strawberry.field(
        description="The covenant of a municipality you work in as a matrix: per partner kind "
        "(and the municipality) × relation × phase × field group, for one purpose, what is "
        "released and withheld and which rows decided; `owner` shows its restrictions too."
    )
    def covenant_matrix(
        self,
        info: Info,
        municipality: str,
        purpose: str,
        owner: str | None = None,
        groups: list[str] | None = None,
    ) -> list[CovenantCell]:
        cells = matrix.covenant_matrix(
            scope_of(info), municipality, purpose, owner=owner, groups=tuple(groups or ())
        )
        return [
            CovenantCell(
                subject=c.subject,
                relation=c.relation,
                phase=c.phase,
                group=c.group,
                released=list(c.released),
                withheld=list(c.withheld),
                decided_by=list(c.decided_by),
            )
            for c in cells
        ]

    @strawberry.field(
        description="The processing purposes registered in a municipality you work in."
    )
    def purposes(self, info: Info, municipality: str) -> list[ProcessingPurpose]:
        return [_purpose(p) for p in purposes.listed(scope_of(info), municipality)]

    @strawberry.field(
        description="Try a draft grant against a case for a partner, without issuing it."
    )
    def dry_run_grant(
        self, info: Info, case_id: strawberry.ID, partner: str, grant: GrantInput
    ) -> list[DryRunField]:
        rows = policy_admin.dry_run(scope_of(info), case_id, partner, _grant(grant))
        return [
            DryRunField(
                field=r.field,
                allowed_now=r.allowed_now,
                allowed_with_draft=r.allowed_with_draft,
                decided_by=r.decided_by,
            )
            for r in rows
        ]


@strawberry.type
class PolicyMutation:
    @strawberry.mutation(description="Issue a grant for your municipality (a municipality).")
    def issue_grant(self, info: Info, input: GrantInput) -> AccessPolicy:
        return _policy(scope_of(info).mutate(policy_admin.issue_grant, _grant(input)))

    @strawberry.mutation(description="Narrow what is shared of your own cases (a corporation).")
    def issue_restriction(self, info: Info, input: RestrictionInput) -> AccessPolicy:
        draft = policy_admin.RestrictionDraft(
            shared_fields=input.shared_fields,
            subject_kind=str(input.partner_kind) if input.partner_kind else None,
            subject_partner=input.partner,
            subject_role=input.involvement_role,
            purpose=input.purpose,
            conditions=_conditions(input),
        )
        return _policy(scope_of(info).mutate(policy_admin.issue_restriction, draft))

    @strawberry.mutation(
        description="Register a processing purpose for your municipality (a municipality)."
    )
    def register_purpose(
        self, info: Info, municipality: str, id: str, description: str
    ) -> ProcessingPurpose:
        registered = scope_of(info).mutate(purposes.register, municipality, id, description)
        return _purpose(registered)

    @strawberry.mutation(
        description="Approve a pending grant of your municipality as a second policy officer "
        "(four eyes; the token's `act` names you, and must not name the grant's issuer)."
    )
    def approve_grant(self, info: Info, id: strawberry.ID) -> AccessPolicy:
        scope = scope_of(info)
        policy_id = policy_admin.parse_policy_id(str(id))
        return _policy(scope.mutate(approvals.approve, policy_id))

    @strawberry.mutation(
        description="Require (or no longer require) a second policy officer's approval of "
        "your municipality's grants (four eyes)."
    )
    def require_four_eyes(self, info: Info, municipality: str, required: bool) -> bool:
        settings = scope_of(info).mutate(approvals.set_four_eyes, municipality, required)
        return settings.four_eyes

    @strawberry.mutation(description="Revoke a policy you issued.")
    def revoke_policy(self, info: Info, id: strawberry.ID) -> AccessPolicy:
        return _policy(scope_of(info).mutate(policy_admin.revoke, id))
