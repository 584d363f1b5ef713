"""Queries and mutations on access policies: issue, revoke, list, try, explain."""

from __future__ import annotations

import strawberry

from registry.access import policy_admin, vocabulary
from registry.models import AccessPolicy as PolicyRowModel
from schema.context import Info, scope_of
from schema.types.policy import (
    AccessExplanation,
    AccessPolicy,
    DryRunField,
    FieldDecision,
    GrantInput,
    PolicyField,
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
        issued_at=policy.issued_at,
        revoked_at=policy.revoked_at,
    )


def _grant(value: GrantInput) -> policy_admin.GrantDraft:
    return policy_admin.GrantDraft(
        municipality=value.municipality,
        fields=value.fields,
        subject_kind=str(value.partner_kind) if value.partner_kind else None,
        subject_partner=value.partner,
        relation=value.relation,
        purpose=value.purpose,
    )


@strawberry.type
class PolicyQuery:
    @strawberry.field(
        description="Every field policies may name, with what it releases, whether it is "
        "sensitive, and its groups (the vocabulary a grant or restriction speaks)."
    )
    def field_catalogue(self) -> list[PolicyField]:
        return [
            PolicyField(
                name=e.name, description=e.description, sensitive=e.sensitive, groups=list(e.groups)
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
        self, info: Info, case_id: strawberry.ID, partner: str | None = None
    ) -> AccessExplanation:
        result = policy_admin.explain(scope_of(info), case_id, partner)
        return AccessExplanation(
            case_id=strawberry.ID(result.case_id),
            partner=result.partner,
            relation=result.relation,
            decisions=[
                FieldDecision(field=d.field, allowed=d.allowed, decided_by=d.decided_by)
                for d in result.decisions
            ],
        )

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
            purpose=input.purpose,
        )
        return _policy(scope_of(info).mutate(policy_admin.issue_restriction, draft))

    @strawberry.mutation(description="Revoke a policy you issued.")
    def revoke_policy(self, info: Info, id: strawberry.ID) -> AccessPolicy:
        return _policy(scope_of(info).mutate(policy_admin.revoke, id))
