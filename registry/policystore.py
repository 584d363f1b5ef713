"""Policies as stored rows, and the process-wide cache of the decision engine built from them.

Every policy change bumps ``policy_state.version`` in its own transaction. Each request reads
that one number; when it differs from the engine's, the engine is rebuilt. So a change takes
effect on the next request in every process behind the load balancer, with no messaging.
"""

from __future__ import annotations

import threading

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from policies import PolicyEngine, PolicyRow
from policies.decisions import PolicyEffect
from registry.models import AccessPolicy, PolicyState

_STATE_ID = 1


def policy_row(policy: AccessPolicy) -> PolicyRow:
    """The Casbin-facing form of a stored policy."""
    return PolicyRow(
        id=f"policy:{policy.id}",
        effect=PolicyEffect(str(policy.kind)),
        subject=policy.subject,
        relation=policy.relation,
        municipality=policy.municipality,
        owner=policy.owner,
        fields=tuple(policy.fields),
    )


def current_version(session: Session) -> int:
    """The version of the policy set as this session sees it."""
    return session.scalar(select(PolicyState.version).where(PolicyState.id == _STATE_ID)) or 0


def bump_version(session: Session) -> None:
    """Mark the policy set changed (in the caller's transaction)."""
    result = session.execute(
        update(PolicyState)
        .where(PolicyState.id == _STATE_ID)
        .values(version=PolicyState.version + 1)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        session.add(PolicyState(id=_STATE_ID, version=1))
        session.flush()


def active_rows(session: Session) -> list[PolicyRow]:
    """Every policy in force."""
    policies = session.scalars(
        select(AccessPolicy).where(AccessPolicy.revoked_at.is_(None)).order_by(AccessPolicy.id)
    )
    return [policy_row(p) for p in policies]


class PolicyCache:
    """The engine for the current policy version, rebuilt only when the version moves."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: int | None = None
        self._engine: PolicyEngine | None = None

    def engine(self, session: Session) -> PolicyEngine:
        """The decision engine for the policy set ``session`` sees."""
        version = current_version(session)
        engine = self._engine
        if engine is not None and self._version == version:
            return engine
        with self._lock:
            if self._engine is None or self._version != version:
                self._engine = PolicyEngine(active_rows(session))
                self._version = version
            return self._engine
