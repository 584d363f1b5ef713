"""Who may involve whom, as covenant policy (issue 12, part 6): a municipality issues rules that
let a case's coordinator, or an involved partner of a kind (a district team), involve and
release named kinds of partner in its cases. ``policies.involvement`` decides; this module
stores the rules, logs every change in the signed audit log, and asks for a decision.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select
from sqlalchemy.orm import Session

from policies import Permission, Relation
from policies.involvement import (
    COORDINATOR,
    InvolvementDecision,
    InvolvementRow,
    decide_involvement,
    kind_actor,
)
from registry.errors import ConflictError, InvalidInputError, NotAllowedError, NotFoundError
from registry.events import Event
from registry.models import Case, InvolvementRule, Municipality, PartnerKind
from registry.recording import record

if TYPE_CHECKING:
    from registry.request import RequestScope


@dataclass(frozen=True)
class InvolvementRuleView:
    """A rule as the municipality's partners read it."""

    id: str
    municipality: str
    by_coordinator: bool
    by_kind: PartnerKind | None
    partner_kind: PartnerKind
    issued_by: str
    issued_at: dt.datetime
    revoked_at: dt.datetime | None


def _view(rule: InvolvementRule) -> InvolvementRuleView:
    coordinator = rule.actor == COORDINATOR
    return InvolvementRuleView(
        str(rule.id),
        rule.municipality_code,
        coordinator,
        None if coordinator else PartnerKind(rule.actor.removeprefix("kind:")),
        PartnerKind(rule.partner_kind),
        rule.issued_by,
        rule.issued_at,
        rule.revoked_at,
    )


def _own_municipality(scope: RequestScope, municipality: str) -> None:
    scope.require(
        Permission.INVOLVEMENT_RULE_ISSUE,
        Relation.NONE,
        "issue involvement rules",
        refusal="only a municipality issues the involvement rules of its covenant",
    )
    found = scope.session.get(Municipality, municipality)
    if found is None:
        raise InvalidInputError(f"unknown municipality {municipality!r}")
    if found.authority_id != scope.principal.partner_id:
        raise NotAllowedError(
            f"{scope.principal.partner_id} is not the municipality {municipality}"
        )


def _log(scope: RequestScope, event: Event, rule: InvolvementRule) -> None:
    record(
        scope.session,
        event,
        None,  # a covenant rule is no case: its opening follows the covenant
        scope.now,
        submitter=scope.principal.partner_id,
        payload={
            "policy": str(rule.id),
            "issuer": rule.issued_by,
            "municipality": rule.municipality_code,
            "actor": rule.actor,
            "partnerKind": rule.partner_kind,
        },
    )


def issue(
    scope: RequestScope,
    municipality: str,
    partner_kind: PartnerKind,
    *,
    by_coordinator: bool = False,
    by_kind: PartnerKind | None = None,
) -> InvolvementRuleView:
    """Let the coordinator (``by_coordinator``) or involved partners of ``by_kind`` involve
    and release partners of ``partner_kind`` in the municipality's cases."""
    _own_municipality(scope, municipality)
    if by_coordinator == (by_kind is not None):
        raise InvalidInputError("name exactly one of byCoordinator and byKind")
    actor = COORDINATOR if by_coordinator else kind_actor(str(by_kind))
    session = scope.session
    existing = session.scalar(
        select(InvolvementRule.id).where(
            InvolvementRule.municipality_code == municipality,
            InvolvementRule.actor == actor,
            InvolvementRule.partner_kind == str(partner_kind),
            InvolvementRule.revoked_at.is_(None),
        )
    )
    if existing is not None:
        raise ConflictError(f"involvement rule {existing} says so already")
    rule = InvolvementRule(
        id=uuid.uuid4(),
        municipality_code=municipality,
        actor=actor,
        partner_kind=str(partner_kind),
        issued_by=scope.principal.partner_id,
        issued_at=scope.now,
    )
    session.add(rule)
    session.flush()
    _log(scope, Event.POLICY_INVOLVEMENT_RULE_ISSUED, rule)
    return _view(rule)


def revoke(scope: RequestScope, rule_id: str) -> InvolvementRuleView:
    """Revoke a rule of the caller's municipality; it stays on record."""
    try:
        parsed = uuid.UUID(rule_id)
    except ValueError:
        raise InvalidInputError(f"{rule_id!r} is not an involvement rule id (a UUID)") from None
    rule = scope.session.get(InvolvementRule, parsed, with_for_update=True, populate_existing=True)
    if rule is None:
        raise NotFoundError(f"involvement rule {rule_id} not found")
    _own_municipality(scope, rule.municipality_code)
    if rule.revoked_at is not None:
        raise ConflictError(f"involvement rule {rule_id} was revoked already")
    rule.revoked_at = scope.now
    scope.session.flush()
    _log(scope, Event.POLICY_INVOLVEMENT_RULE_REVOKED, rule)
    return _view(rule)


def rules(scope: RequestScope, municipality: str) -> list[InvolvementRuleView]:
    """The rules in force in a municipality the caller works in (a covenant is known to its
    partners)."""
    if municipality not in scope.principal.municipalities:
        raise NotFoundError(f"no covenant of municipality {municipality!r} known to you")
    found = scope.session.scalars(
        select(InvolvementRule)
        .where(
            InvolvementRule.municipality_code == municipality,
            InvolvementRule.revoked_at.is_(None),
        )
        .order_by(InvolvementRule.issued_at, InvolvementRule.id)
    )
    return [_view(r) for r in found]


def decide(
    session: Session, case: Case, actor: str, actor_kind: str, target_kind: str
) -> InvolvementDecision:
    """May ``actor`` (of ``actor_kind``, involved in ``case``) involve or release a partner of
    ``target_kind``, under the rules in force in the case's municipality?"""
    rows = [
        InvolvementRow(str(r.id), r.actor, r.municipality_code, r.partner_kind)
        for r in session.scalars(
            select(InvolvementRule).where(
                InvolvementRule.municipality_code == case.municipality_code,
                InvolvementRule.revoked_at.is_(None),
            )
        )
    ]
    return decide_involvement(
        rows,
        actor_kind=actor_kind,
        coordinator=case.coordinator_id == actor,
        municipality=case.municipality_code,
        target_kind=target_kind,
    )
