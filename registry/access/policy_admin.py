"""Issuing, revoking, listing, trying and explaining access policies.

A municipality issues *grants* for its own municipality; a corporation issues *restrictions*
on its own cases ("share only the eviction date"). Every change bumps the policy version, so
it takes effect on the next request in every process, and is appended to the signed audit
log in the same transaction (who issued or revoked what, when).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from policies import FieldDecision, Permission, PolicyEngine, Relation
from policies.decisions import AccessKey
from registry.access.approvals import hold_for_approval
from registry.access.conditions import Conditions, check_conditions, check_role
from registry.access.policystore import bump_version, policy_row
from registry.access.roles import roles_in_case
from registry.access.vocabulary import VOCABULARY
from registry.cases import service as cases
from registry.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from registry.events import Event
from registry.lengths import check_length
from registry.models import AccessPolicy, Municipality, Partner, PartnerKind, PolicyKind
from registry.models.partner import partner_municipality
from registry.recording import record

if TYPE_CHECKING:
    from registry.request import RequestScope

GRANTABLE_RELATIONS = (Relation.INVOLVED, Relation.MUNICIPALITY)


@dataclass(frozen=True)
class GrantDraft:
    """A grant as a municipality writes it: who (kind, partner or involvement role), with which
    relation, which fields (names or groups), in which municipality, under which conditions
    (phases, purposes, period), and why (``purpose``: free text for the covenant's readers)."""

    municipality: str
    fields: Sequence[str]
    subject_kind: str | None = None
    subject_partner: str | None = None
    relation: Relation = Relation.INVOLVED
    purpose: str | None = None
    subject_role: str | None = None
    conditions: Conditions = field(default_factory=Conditions)


@dataclass(frozen=True)
class RestrictionDraft:
    """A corporation's restriction: of its own cases, share only ``shared_fields`` with the
    involved partners (of one kind, one partner, one involvement role, or all), under its
    conditions (phases, purposes, period)."""

    shared_fields: Sequence[str]
    subject_kind: str | None = None
    subject_partner: str | None = None
    purpose: str | None = None
    subject_role: str | None = None
    conditions: Conditions = field(default_factory=Conditions)


def _subject(
    session: Session, kind: str | None, partner: str | None, role: str | None = None
) -> str:
    if sum(1 for s in (kind, partner, role) if s) > 1:
        raise InvalidInputError("name a partner kind, a partner or an involvement role: only one")
    if kind:
        if kind not in {k.value for k in PartnerKind}:
            raise InvalidInputError(f"unknown partner kind {kind!r}")
        return f"kind:{kind}"
    if partner:
        if session.get(Partner, partner) is None:
            raise InvalidInputError(f"unknown partner {partner!r}")
        return f"partner:{partner}"
    if role:
        return f"role:{check_role(role)}"
    return "*"


def _check_fields(names: Sequence[str]) -> list[str]:
    if not names:
        raise InvalidInputError("a policy names at least one field")
    unknown = [n for n in names if not VOCABULARY.is_known(n)]
    if unknown:
        raise InvalidInputError(f"unknown field or field group: {', '.join(sorted(unknown))}")
    return sorted(set(names))


def _grant(scope: RequestScope, draft: GrantDraft) -> AccessPolicy:
    session, principal = scope.session, scope.principal
    scope.require(
        Permission.GRANT_ISSUE,
        Relation.NONE,
        "issue grants",
        refusal="only a municipality issues grants; a corporation may restrict",
    )
    municipality = session.get(Municipality, draft.municipality)
    if municipality is None:
        raise InvalidInputError(f"unknown municipality {draft.municipality!r}")
    if municipality.authority_id != principal.partner_id:
        raise NotAllowedError(
            f"{principal.partner_id} issues policies only for its own municipality, "
            f"not for {draft.municipality!r}"
        )
    if draft.relation not in GRANTABLE_RELATIONS:
        raise InvalidInputError("a grant is for the involved partners or the municipality")
    check_length(AccessPolicy.purpose, draft.purpose, "purpose")
    subject = _subject(session, draft.subject_kind, draft.subject_partner, draft.subject_role)
    if subject.startswith("role:") and draft.relation is not Relation.INVOLVED:
        raise InvalidInputError("an involvement role is a subject only of the involved partners")
    fields = _check_fields(draft.fields)
    conditions = check_conditions(session, draft.conditions, [draft.municipality])
    if not conditions.purposes:
        # Purpose binding: a grant releases data for the processing activities it names, and
        # a request naming none of them gets nothing of it.
        raise InvalidInputError("a grant names at least one purpose registered in its municipality")
    sensitive = sorted(f for f in VOCABULARY.expand(fields) if VOCABULARY.fields[f].sensitive)
    if sensitive and conditions.valid_until is None:
        # Guard rail: personal data is released for a purpose and for a while, never for good.
        raise InvalidInputError(
            f"sensitive fields ({', '.join(sensitive)}) are released only by a grant with an "
            "end date (validUntil)"
        )
    return AccessPolicy(
        kind=PolicyKind.GRANT,
        issuer_id=principal.partner_id,
        subject=subject,
        relation=str(draft.relation),
        municipality=draft.municipality,
        owner="*",
        fields=fields,
        purpose=draft.purpose,
        **_condition_columns(conditions),
    )


def draft_grant(scope: RequestScope, draft: GrantDraft) -> AccessPolicy:
    """``draft`` checked as ``issue_grant`` checks it, as an unsaved policy: to be tried."""
    return _grant(scope, draft)


def _condition_columns(conditions: Conditions) -> dict[str, Any]:
    return {
        "phases": list(conditions.phases),
        "purposes": list(conditions.purposes),
        "valid_from": conditions.valid_from,
        "valid_until": conditions.valid_until,
    }


def log_issued(session: Session, policy: AccessPolicy, now: dt.datetime) -> None:
    """Append an issued policy to the signed audit log (in the caller's transaction)."""
    # The purpose is free text and stays out of the log; everything that decides access is in.
    event = (
        Event.POLICY_GRANT_ISSUED
        if policy.kind is PolicyKind.GRANT
        else Event.POLICY_RESTRICTION_ISSUED
    )
    record(
        session,
        event,
        None,  # a policy is no case: its opening follows the covenant
        now,
        submitter=policy.issuer_id,
        payload={
            "policy": policy.id,
            "kind": str(policy.kind),
            "issuer": policy.issuer_id,
            "subject": policy.subject,
            "relation": policy.relation,
            "municipality": policy.municipality,
            "owner": policy.owner,
            "fields": list(policy.fields),
            "phases": list(policy.phases or ()),
            "purposes": list(policy.purposes or ()),
            "validFrom": policy.valid_from.isoformat() if policy.valid_from else None,
            "validUntil": policy.valid_until.isoformat() if policy.valid_until else None,
            "pending": bool(policy.pending),
        },
    )


def issue_grant(scope: RequestScope, draft: GrantDraft) -> AccessPolicy:
    """Issue a municipality grant; in force from the next request, or, where the municipality
    requires four eyes, once a second policy officer approves it (``approvals.approve``)."""
    session = scope.session
    policy = _grant(scope, draft)
    policy.issued_at = scope.now
    policy.issued_by = scope.principal.actor
    hold_for_approval(scope, policy)
    session.add(policy)
    bump_version(session)
    session.flush()
    log_issued(session, policy, scope.now)
    return policy


def issue_restriction(scope: RequestScope, draft: RestrictionDraft) -> AccessPolicy:
    """Issue a corporation's restriction on its own cases; it can only narrow what grants give."""
    session, principal = scope.session, scope.principal
    scope.require(
        Permission.RESTRICTION_ISSUE,
        Relation.NONE,
        "restrict what is shared of cases",
        refusal="only a corporation restricts what is shared of its own cases",
    )
    check_length(AccessPolicy.purpose, draft.purpose, "purpose")
    subject = _subject(session, draft.subject_kind, draft.subject_partner, draft.subject_role)
    fields = _check_fields(draft.shared_fields)
    # A restriction follows the owner's cases into every municipality it works in: it may
    # name a purpose any of them registered.
    conditions = check_conditions(session, draft.conditions, sorted(principal.municipalities))
    policy = AccessPolicy(
        kind=PolicyKind.RESTRICTION,
        issuer_id=principal.partner_id,
        subject=subject,
        relation=str(Relation.INVOLVED),
        municipality="*",
        owner=principal.partner_id,
        fields=fields,
        purpose=draft.purpose,
        issued_at=scope.now,
        issued_by=principal.actor,
        **_condition_columns(conditions),
    )
    session.add(policy)
    bump_version(session)
    session.flush()
    log_issued(session, policy, scope.now)
    return policy


#: Policy ids count up from 1 in a 32-bit INTEGER column; a larger number is no policy id, and
#: looking it up would overflow the column's type (an error on either database).
_MAX_POLICY_ID = 2**31 - 1


def parse_policy_id(text: str) -> int:
    """The policy id ``text`` names; ``InvalidInputError`` when it names none."""
    try:
        policy_id = int(text)
    except ValueError:
        raise InvalidInputError(f"{text!r} is not a policy id") from None
    if not 1 <= policy_id <= _MAX_POLICY_ID:
        raise InvalidInputError(f"{text!r} is not a policy id")
    return policy_id


def revoke(scope: RequestScope, policy_id: str) -> AccessPolicy:
    """Revoke a policy the caller issued; from the next request it no longer applies."""
    session, principal, now = scope.session, scope.principal, scope.now
    policy = session.get(AccessPolicy, parse_policy_id(policy_id))
    if policy is None or policy.issuer_id != principal.partner_id:
        raise NotFoundError(f"policy {policy_id} not found among the policies you issued")
    if policy.revoked_at is not None:
        raise ConflictError(f"policy {policy_id} was already revoked")
    policy.revoked_at = now
    policy.revoked_by = principal.actor or principal.partner_id
    bump_version(session)
    session.flush()
    # The acting staff member stays out of the log (personal data); the partner is named.
    record(
        session,
        Event.POLICY_REVOKED,
        None,
        now,
        submitter=principal.partner_id,
        payload={
            "policy": policy.id,
            "kind": str(policy.kind),
            "issuer": policy.issuer_id,
            "municipality": policy.municipality,
        },
    )
    return policy


def list_policies(
    scope: RequestScope, *, municipality: str | None, include_revoked: bool
) -> Sequence[AccessPolicy]:
    """The policies the caller issued, and the grants of a municipality the caller works in
    (a covenant is known to its partners). The municipality itself, whose policy officer must
    see the whole picture, is also shown the restrictions of the corporations working in it:
    they override its covenant on those corporations' cases."""
    principal = scope.principal
    visible = [AccessPolicy.issuer_id == principal.partner_id]
    if municipality is not None:
        if municipality not in principal.municipalities:
            raise NotAllowedError(f"{principal.partner_id} does not work in {municipality!r}")
        visible.append(AccessPolicy.municipality == municipality)
        speaks_for = scope.session.get(Municipality, municipality)
        if speaks_for is not None and speaks_for.authority_id == principal.partner_id:
            working_there = select(partner_municipality.c.partner_id).where(
                partner_municipality.c.municipality_code == municipality
            )
            visible.append(
                and_(
                    AccessPolicy.kind == PolicyKind.RESTRICTION,
                    AccessPolicy.issuer_id.in_(working_there),
                )
            )
    stmt = select(AccessPolicy).where(or_(*visible))
    if municipality is not None:
        stmt = stmt.where(AccessPolicy.municipality.in_([municipality, "*"]))
    if not include_revoked:
        stmt = stmt.where(AccessPolicy.revoked_at.is_(None))
    return scope.session.scalars(stmt.order_by(AccessPolicy.id)).all()


@dataclass(frozen=True)
class Explanation:
    """Why each field of a case is released to a partner or withheld from it, for a purpose."""

    case_id: str
    partner: str
    relation: Relation
    purpose: str
    phase: str
    decisions: list[FieldDecision]


def _key_for(
    scope: RequestScope, case_id: str, as_partner: str | None, purpose: str | None = None
) -> tuple[AccessKey, str]:
    """The key a partner's request for ``case_id`` is decided by: the caller's own, or
    (owner and municipality) another partner's, for ``purpose`` (None: the caller's)."""
    session, principal = scope.session, scope.principal
    case, relation = scope.find_case(case_id, fields=frozenset())
    purpose = purpose or principal.purpose
    if as_partner is None or as_partner == principal.partner_id:
        scope.disclosure.explanation(case, relation, of_another=False)
        partner, kind = principal.partner_id, principal.kind
    else:
        scope.require(
            Permission.EXPLAIN_FOR_OTHER,
            relation,
            "explain access to this case for others",
            refusal="only the owner and the municipality explain access for others",
        )
        other = session.get(Partner, as_partner)
        if other is None:
            raise InvalidInputError(f"unknown partner {as_partner!r}")
        scope.disclosure.explanation(case, relation, of_another=True)
        try:
            _, relation = cases.find(session, other.id, case.id, frozenset())
        except NotFoundError:
            relation = Relation.NONE
        partner, kind = other.id, str(other.kind)
    roles = roles_in_case(session, partner, case.id) if relation is Relation.INVOLVED else ()
    key = AccessKey(
        partner,
        kind,
        relation,
        case.municipality_code,
        case.owner_id,
        str(case.phase),
        purpose,
        scope.today.isoformat(),
        roles[0] if roles else "",
    )
    return key, str(case.id)


def explain(
    scope: RequestScope, case_id: str, as_partner: str | None, purpose: str | None = None
) -> Explanation:
    """Per field, whether it is released for ``purpose`` (None: the request's own) and which
    policy row decided it."""
    key, cid = _key_for(scope, case_id, as_partner, purpose)
    return Explanation(
        cid,
        key.partner,
        key.relation,
        key.purpose,
        key.phase,
        scope.disclosure.engine.explain(key),
    )


@dataclass(frozen=True)
class DryRunField:
    """A field's decision now, and with the draft grant in force."""

    field: str
    allowed_now: bool
    allowed_with_draft: bool
    decided_by: str


def dry_run(
    scope: RequestScope, case_id: str, as_partner: str, draft: GrantDraft
) -> list[DryRunField]:
    """Try a draft grant against a case for a partner, without issuing it."""
    scope.require(
        Permission.GRANT_DRY_RUN,
        Relation.NONE,
        "try draft grants",
        refusal="only a municipality tries draft grants",
    )
    policy = _grant(scope, draft)
    # Tried for the draft's own (first) purpose: what it would release is released for that.
    key, _ = _key_for(scope, case_id, as_partner, policy.purposes[0])
    draft_row = replace(policy_row(policy), id="draft")
    current: PolicyEngine = scope.disclosure.engine
    tried = current.with_rows([draft_row])
    now = {d.field: d for d in current.explain(key)}
    return [
        DryRunField(d.field, now[d.field].allowed, d.allowed, d.decided_by)
        for d in tried.explain(key)
    ]
