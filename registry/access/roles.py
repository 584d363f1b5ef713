"""A partner's involvement roles in the cases it works on: the ``role:`` subject of a policy.

A covenant may release fields to the partner that coordinates a case rather than to a kind of
partner. The roles are read once per request, in one query over the partner's own active
involvements (bounded by its own caseload, not by the number of cases in the registry), and
only when some policy names a role.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Collection

from sqlalchemy import ColumnElement, select
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


#: Case ids per ``IN (...)`` of a page's roles query: well under every database's limit.
_CHUNK = 500


class InvolvementRoles:
    """The roles of one partner per case, read at most once per case for the rest of the
    request: a list's page asks for its own cases first (``prefetch``, one query per page);
    any other first use reads the partner's whole active caseload at once.

    A list once read the whole caseload for every page: pulling 10,000 cases in pages of
    500 read 200,000 involvement rows, the largest cost of such a pull over HTTP."""

    def __init__(self, session: Session, partner_id: str) -> None:
        self._session = session
        self._partner_id = partner_id
        self._roles: dict[uuid.UUID, tuple[str, ...]] = {}
        self._all_read = False

    def _read(self, *where: ColumnElement[bool]) -> dict[uuid.UUID, tuple[str, ...]]:
        found: dict[uuid.UUID, set[str]] = defaultdict(set)
        rows = self._session.execute(
            select(Involvement.case_id, Involvement.role).where(
                Involvement.partner_id == self._partner_id,
                Involvement.released_at.is_(None),
                *where,
            )
        )
        for case_id, role in rows:
            found[case_id].add(str(role))
        return {c: tuple(sorted(r)) for c, r in found.items()}

    def prefetch(self, case_ids: Collection[uuid.UUID]) -> None:
        """Read the roles in these cases (a page of a list) that are not known yet."""
        if self._all_read:
            return
        unknown = [c for c in case_ids if c not in self._roles]
        for start in range(0, len(unknown), _CHUNK):
            chunk = unknown[start : start + _CHUNK]
            found = self._read(Involvement.case_id.in_(chunk))
            for case_id in chunk:
                self._roles[case_id] = found.get(case_id, ())

    def __call__(self, case_id: uuid.UUID) -> tuple[str, ...]:
        roles = self._roles.get(case_id)
        if roles is None:
            if not self._all_read:
                self._roles = {**self._read(), **self._roles}
                self._all_read = True
            roles = self._roles.get(case_id, ())
        return roles
