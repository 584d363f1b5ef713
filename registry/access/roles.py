"""A partner's involvement roles in the cases it works on: the ``role:`` subject of a policy.

A covenant may release fields to the partner that coordinates a case rather than to a kind of
partner. The roles are read once per request, in one query over the partner's own active
involvements (bounded by its own caseload, not by the number of cases in the registry), and
only when some policy names a role.
"""

from __future__ import annotations

import uuid
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from registry.models import Involvement


def roles_in_case(session: Session, partner_id: str, case_id: uuid.UUID) -> tuple[str, ...]:
    """The roles ``partner_id`` holds in one case (sorted; empty when none)."""
    roles = session.scalars(
        select(Involvement.role).where(
            Involvement.partner_id == partner_id,
            Involvement.case_id == case_id,
            Involvement.released_at.is_(None),
        )
    )
    return tuple(sorted({str(r) for r in roles}))


class InvolvementRoles:
    """The roles of one partner per case, loaded on first use for the rest of the request."""

    def __init__(self, session: Session, partner_id: str) -> None:
        self._session = session
        self._partner_id = partner_id
        self._roles: dict[uuid.UUID, tuple[str, ...]] | None = None

    def __call__(self, case_id: uuid.UUID) -> tuple[str, ...]:
        if self._roles is None:
            found: dict[uuid.UUID, set[str]] = defaultdict(set)
            rows = self._session.execute(
                select(Involvement.case_id, Involvement.role).where(
                    Involvement.partner_id == self._partner_id,
                    Involvement.released_at.is_(None),
                )
            )
            for case_id_, role in rows:
                found[case_id_].add(str(role))
            self._roles = {c: tuple(sorted(r)) for c, r in found.items()}
        return self._roles.get(case_id, ())
