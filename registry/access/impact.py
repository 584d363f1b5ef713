"""The impact of a draft grant over all of a municipality's cases: per field, how many cases
and partners would gain it (or lose it), before the policy officer issues anything.

Decided like every request: per distinct access key (partner, kind, role, relation, owner,
phase, purpose, day), with the engine now and the engine with the draft added, so the cost
grows with the number of distinct keys, not with the number of cases. Counts only: no case
data leaves, so nothing is access-logged.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from sqlalchemy import select

from policies import AccessKey, Permission, PolicyEngine, Relation
from registry.access.policy_admin import GrantDraft, draft_grant
from registry.access.policystore import policy_row
from registry.models import Case, Involvement, Municipality, Partner

if TYPE_CHECKING:
    from registry.request import RequestScope


@dataclass(frozen=True)
class FieldImpact:
    """What a draft changes of one field: the cases and the partners that gain or lose it
    (a partner counts once however many of its cases change)."""

    field: str
    cases_gaining: int
    partners_gaining: int
    cases_losing: int
    partners_losing: int


#: One partner's standing towards one case: (partner, kind, relation, roles).
Reader = tuple[str, str, Relation, tuple[str, ...]]


def readers_of_cases(
    scope: RequestScope, municipality: str
) -> tuple[dict[str, tuple[str, str]], dict[str, list[Reader]]]:
    """Every case of ``municipality`` as (owner, phase), and every partner that relates to it
    besides its owner: the municipality and the involved partners (with their roles)."""
    session = scope.session
    found = session.get(Municipality, municipality)
    authority = found.authority_id if found else None
    kinds = {p.id: str(p.kind) for p in session.scalars(select(Partner))}
    cases = {
        str(c.id): (c.owner_id, str(c.phase))
        for c in session.scalars(select(Case).where(Case.municipality_code == municipality))
    }
    roles: dict[tuple[str, str], set[str]] = defaultdict(set)
    involved = session.execute(
        select(Involvement.case_id, Involvement.partner_id, Involvement.role)
        .join(Case, Case.id == Involvement.case_id)
        .where(Case.municipality_code == municipality, Involvement.released_at.is_(None))
    )
    for involved_in, partner, role in involved:
        roles[(str(involved_in), partner)].add(str(role))
    readers: dict[str, list[Reader]] = defaultdict(list)
    for (cid, partner), held in roles.items():
        owner, _ = cases[cid]
        if partner not in (owner, authority):  # the stronger relation decides for those
            readers[cid].append((partner, kinds[partner], Relation.INVOLVED, tuple(sorted(held))))
    if authority is not None:
        for cid, (owner, _) in cases.items():
            if authority != owner:
                readers[cid].append((authority, kinds[authority], Relation.MUNICIPALITY, ()))
    return cases, readers


def _readable(
    engine: PolicyEngine,
    reader: Reader,
    municipality: str,
    owner: str,
    phase: str,
    purposes: tuple[str, ...],
    day: str,
) -> frozenset[str]:
    partner, kind, relation, roles = reader
    return frozenset().union(
        *(
            engine.readable_fields(
                AccessKey(partner, kind, relation, municipality, owner, phase, p, day, role)
            )
            for p in purposes
            for role in roles or ("",)
        )
    )


def grant_impact(scope: RequestScope, draft: GrantDraft) -> list[FieldImpact]:
    """What issuing ``draft`` would change, per field, over all of its municipality's cases,
    for the purposes it names."""
    scope.require(
        Permission.GRANT_DRY_RUN,
        Relation.NONE,
        "try draft grants",
        refusal="only a municipality tries draft grants",
    )
    policy = draft_grant(scope, draft)
    now: PolicyEngine = scope.disclosure.engine
    tried = now.with_rows([replace(policy_row(policy), id="draft")])
    purposes, day = tuple(policy.purposes), scope.today.isoformat()
    cases, readers = readers_of_cases(scope, draft.municipality)
    gaining: dict[str, set[tuple[str, str]]] = defaultdict(set)
    losing: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for case_id, (owner, phase) in cases.items():
        for reader in readers.get(case_id, ()):
            before = _readable(now, reader, draft.municipality, owner, phase, purposes, day)
            after = _readable(tried, reader, draft.municipality, owner, phase, purposes, day)
            for field in after - before:
                gaining[field].add((case_id, reader[0]))
            for field in before - after:
                losing[field].add((case_id, reader[0]))
    return [
        FieldImpact(
            field,
            len({c for c, _ in gaining[field]}),
            len({p for _, p in gaining[field]}),
            len({c for c, _ in losing[field]}),
            len({p for _, p in losing[field]}),
        )
        for field in now.vocabulary.names
        if gaining.get(field) or losing.get(field)
    ]
