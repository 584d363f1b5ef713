"""The covenant matrix: what a municipality's policies release, as a policy officer reads a
covenant — per partner kind (and the municipality itself) × relation × phase × field group:
which fields are released, which withheld, and which rows decided.

Decided by the engine like any request, for one purpose and the request's day, for a case of
an owner that restricts nothing unless ``owner`` names one (its restrictions then show). No
case is read: nothing is access-logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from policies import UNNAMED, AccessKey, Relation
from registry.access.conditions import PHASES
from registry.errors import InvalidInputError, NotAllowedError
from registry.models import Municipality, PartnerKind

if TYPE_CHECKING:
    from registry.request import RequestScope

#: No partner has this id: a cell is decided for a kind, not for a named partner.
ANY_PARTNER = "(any)"


@dataclass(frozen=True)
class MatrixCell:
    """One cell: a kind (or the municipality) in a relation, in a phase, and a field group."""

    subject: str
    relation: Relation
    phase: str
    group: str
    released: tuple[str, ...]
    withheld: tuple[str, ...]
    decided_by: tuple[str, ...]


def covenant_matrix(
    scope: RequestScope,
    municipality: str,
    purpose: str,
    *,
    owner: str | None = None,
    groups: tuple[str, ...] = (),
) -> list[MatrixCell]:
    """The matrix of ``municipality``'s covenant for ``purpose`` (a covenant is known to the
    partners working in the municipality), for the named field ``groups`` (none: all)."""
    if municipality not in scope.principal.municipalities:
        raise NotAllowedError(f"{scope.principal.partner_id} does not work in {municipality!r}")
    engine = scope.disclosure.engine
    vocabulary = engine.vocabulary
    unknown = sorted(set(groups) - set(vocabulary.groups))
    if unknown:
        raise InvalidInputError(f"unknown field group: {', '.join(unknown)}")
    found = scope.session.get(Municipality, municipality)
    authority = found.authority_id if found and found.authority_id else ANY_PARTNER
    subjects: list[tuple[str, str, str, Relation]] = [
        (f"kind:{k}", ANY_PARTNER, str(k), Relation.INVOLVED)
        for k in PartnerKind
        if k not in (PartnerKind.CORPORATION, PartnerKind.MUNICIPALITY)
    ]
    subjects.append((f"partner:{authority}", authority, "municipality", Relation.MUNICIPALITY))
    case_owner = owner or UNNAMED
    day = scope.today.isoformat()
    cells = []
    for subject, partner, kind, relation in subjects:
        for phase in PHASES:
            key = AccessKey(partner, kind, relation, municipality, case_owner, phase, purpose, day)
            decided = {d.field: d for d in engine.explain(key)}
            for group in groups or tuple(vocabulary.groups):
                members = [f for f in vocabulary.names if f in vocabulary.groups[group]]
                cells.append(
                    MatrixCell(
                        subject,
                        relation,
                        phase,
                        group,
                        tuple(f for f in members if decided[f].allowed),
                        tuple(f for f in members if not decided[f].allowed),
                        tuple(sorted({decided[f].decided_by for f in members})),
                    )
                )
    return cells
