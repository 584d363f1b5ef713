"""Four eyes on grants: a municipality may require that a second policy officer approves a
grant before it takes effect.

With four eyes required, ``issue_grant`` stores the grant as *pending* (it applies to nothing)
and names the policy officer who issued it (the token's ``act``); ``approve`` by a different
acting person of the same municipality puts it in force from the next request. Setting the
rule and approving a grant are both written to the signed audit log, by ids and codes only:
the staff members' names stay in the database, never in the log.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from policies import Permission, Relation
from registry.access.policystore import bump_version
from registry.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from registry.events import Event
from registry.models import AccessPolicy, Municipality, PolicyKind, PolicySettings
from registry.recording import record

if TYPE_CHECKING:
    from registry.request import RequestScope


def four_eyes_required(session: Session, municipality: str) -> bool:
    """Whether ``municipality``'s grants need a second policy officer's approval."""
    settings = session.get(PolicySettings, municipality)
    return bool(settings and settings.four_eyes)


def _own_municipality(scope: RequestScope, municipality: str, what: str) -> None:
    scope.require(
        Permission.GRANT_ISSUE,
        Relation.NONE,
        what,
        refusal=f"only a municipality may {what}",
    )
    found = scope.session.get(Municipality, municipality)
    if found is None:
        raise InvalidInputError(f"unknown municipality {municipality!r}")
    if found.authority_id != scope.principal.partner_id:
        raise NotAllowedError(
            f"{scope.principal.partner_id} may {what} only for its own municipality, "
            f"not for {municipality!r}"
        )


def set_four_eyes(scope: RequestScope, municipality: str, required: bool) -> PolicySettings:
    """Require (or no longer require) a second policy officer's approval of new grants."""
    session = scope.session
    _own_municipality(scope, municipality, "set four eyes")
    settings = session.scalars(
        select(PolicySettings).where(PolicySettings.municipality == municipality).with_for_update()
    ).first()
    if settings is None:
        settings = PolicySettings(municipality=municipality, four_eyes=required)
        session.add(settings)
    elif settings.four_eyes == required:
        return settings  # already so: a retry changes nothing and logs nothing
    settings.four_eyes = required
    session.flush()
    record(
        session,
        Event.POLICY_FOUR_EYES_SET,
        None,
        scope.now,
        submitter=scope.principal.partner_id,
        payload={
            # Filed with the municipality's policy rules: the log files a policy event by
            # what it changed, and this one changes no single policy.
            "policy": f"four-eyes:{municipality}",
            "issuer": scope.principal.partner_id,
            "municipality": municipality,
            "fourEyes": required,
        },
    )
    return settings


def hold_for_approval(scope: RequestScope, policy: AccessPolicy) -> None:
    """With four eyes required in the grant's municipality, keep ``policy`` pending until a
    second policy officer approves it; the acting officer must be named to be told apart."""
    if not four_eyes_required(scope.session, policy.municipality):
        return
    if not scope.principal.actor:
        raise NotAllowedError(
            f"{policy.municipality} requires four eyes: name the acting policy officer "
            "(the token's act claim) to issue a grant"
        )
    policy.pending = True


def approve(scope: RequestScope, policy_id: int) -> AccessPolicy:
    """Approve a pending grant of the caller's municipality, as a second policy officer: in
    force from the next request."""
    session, principal = scope.session, scope.principal
    scope.require(
        Permission.GRANT_ISSUE,
        Relation.NONE,
        "approve grants",
        refusal="only a municipality approves grants",
    )
    # Locked, so that of concurrent approvals one puts the grant in force and the others
    # find it approved.
    policy = session.scalars(
        select(AccessPolicy)
        .where(AccessPolicy.id == policy_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).first()
    if (
        policy is None
        or policy.kind is not PolicyKind.GRANT
        or policy.issuer_id != principal.partner_id
    ):
        raise NotFoundError(f"grant {policy_id} not found among your municipality's grants")
    if policy.revoked_at is not None:
        raise ConflictError(f"grant {policy_id} was revoked")
    if not policy.pending:
        raise ConflictError(f"grant {policy_id} is already in force")
    if not principal.actor:
        raise NotAllowedError("name the approving policy officer (the token's act claim)")
    if principal.actor == policy.issued_by:
        raise NotAllowedError(
            f"grant {policy_id} needs a second policy officer: its issuer cannot approve it"
        )
    policy.pending = False
    policy.approved_at = scope.now
    policy.approved_by = principal.actor
    bump_version(session)
    session.flush()
    record(
        session,
        Event.POLICY_GRANT_APPROVED,
        None,
        scope.now,
        submitter=principal.partner_id,
        payload={
            "policy": policy.id,
            "kind": str(policy.kind),
            "issuer": policy.issuer_id,
            "municipality": policy.municipality,
        },
    )
    return policy
