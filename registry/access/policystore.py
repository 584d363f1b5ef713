"""Policies as stored rows, and the process-wide cache of the decision engine built from them.

Every policy change bumps ``policy_state.version`` in the transaction that makes it. A process
reads that one number at most once per ``staleness`` seconds (not on every request: that was
one query per request for a number that changes a few times a day), and rebuilds its engine
when the number moved. A change made through this process is seen at once (``changed``); one
made through another process behind the load balancer within ``staleness`` seconds, with no
messaging between them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from policies import PolicyEngine, PolicyRow
from policies.decisions import PolicyEffect
from registry.access.vocabulary import VOCABULARY
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
        phases=tuple(policy.phases or ()),
        purposes=tuple(policy.purposes or ()),
        valid_from=policy.valid_from.isoformat() if policy.valid_from else None,
        valid_until=policy.valid_until.isoformat() if policy.valid_until else None,
    )


def policy_engine(rows: Iterable[PolicyRow] = ()) -> PolicyEngine:
    """The decision engine for ``rows`` (and the built-in rows), in the registry's vocabulary."""
    return PolicyEngine(VOCABULARY, rows)


def current_version(session: Session) -> int:
    """The version of the policy set as this session sees it."""
    return session.scalar(select(PolicyState.version).where(PolicyState.id == _STATE_ID)) or 0


#: Set in a session's ``info`` by ``bump_version``, read by ``PolicyCache.changed``.
_CHANGED = "ketenregister.policy_changed"


def bump_version(session: Session) -> None:
    """Mark the policy set changed (in the caller's transaction)."""
    session.info[_CHANGED] = True
    result = session.execute(
        update(PolicyState)
        .where(PolicyState.id == _STATE_ID)
        .values(version=PolicyState.version + 1)
    )
    if result.rowcount == 0:  # type: ignore[attr-defined]
        session.add(PolicyState(id=_STATE_ID, version=1))
        session.flush()


def active_rows(session: Session) -> list[PolicyRow]:
    """Every policy in force (issued, approved if it had to be, not revoked; whether its
    validity period holds is decided per request, by the request's day)."""
    policies = session.scalars(
        select(AccessPolicy)
        .where(AccessPolicy.revoked_at.is_(None), AccessPolicy.pending.is_(False))
        .order_by(AccessPolicy.id)
    )
    return [policy_row(p) for p in policies]


class PolicyCache:
    """The engine for the current policy version, rebuilt only when the version moves; the
    version is looked up at most once per ``staleness`` seconds."""

    def __init__(self, *, staleness: float = 1.0) -> None:
        self.staleness = staleness
        self._lock = threading.Lock()
        self._version: int | None = None
        self._engine: PolicyEngine | None = None
        self._checked_at = float("-inf")
        # Bumped by ``invalidate``: a lookup that began before it must not mark the cache
        # fresh, or a change committed meanwhile would wait out the staleness here too.
        self._generation = 0

    def engine(self, session: Session) -> PolicyEngine:
        """The decision engine for the policy set, as of at most ``staleness`` seconds ago."""
        engine = self._engine
        if engine is not None and time.monotonic() - self._checked_at < self.staleness:
            return engine
        checked_at, generation = time.monotonic(), self._generation
        version = current_version(session)
        with self._lock:
            # Versions only grow: a lookup that raced a newer one never puts an older set back.
            if self._engine is None or self._version is None or version > self._version:
                self._engine = policy_engine(active_rows(session))
                self._version = version
            if generation == self._generation:
                self._checked_at = max(self._checked_at, checked_at)
            return self._engine

    def changed(self, session: Session) -> None:
        """After ``session`` committed: if it changed the policy set, look again on the next
        request, so a change takes effect at once in the process that made it."""
        if session.info.pop(_CHANGED, False):
            self.invalidate()

    def invalidate(self) -> None:
        """Look up the policy version on the next request."""
        with self._lock:
            self._generation += 1
            self._checked_at = float("-inf")
