"""Who may involve whom: a covenant lets a case's coordinator, or an involved partner of a
named kind (a district team), involve and release named kinds of partner (issue 12, part 6).

Groningen: the credit bank "kan worden ingeschakeld door de woningcorporatie en/of het
wijkteam". The owner and the municipality of a case involve anyone, by the action permissions
(``policies.permissions``); these rows add what an involved partner may do, municipality by
municipality. Decided by Casbin from ``involvement.conf``; anything no row allows is refused
(fail closed, also when a decision raises).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import casbin

MODEL_PATH = Path(__file__).with_name("involvement.conf")

#: The actor of a row that names the case's coordinator, whatever its kind.
COORDINATOR = "role:coordinator"
#: The request's role when the actor does not coordinate the case (matches no row).
NOT_COORDINATOR = "role:none"


def kind_actor(kind: str) -> str:
    """The actor of a row that names every involved partner of ``kind``."""
    return f"kind:{kind}"


@dataclass(frozen=True)
class InvolvementRow:
    """A municipality's rule: ``actor`` may involve partners of ``target_kind`` in its cases.

    ``actor`` is ``COORDINATOR`` or ``kind_actor(kind)``; ``id`` names the rule in decisions.
    """

    id: str
    actor: str
    municipality: str
    target_kind: str


@dataclass(frozen=True)
class InvolvementDecision:
    """Whether an involvement is allowed, and the rule that allowed it (or ``default:deny``)."""

    allowed: bool
    decided_by: str


def decide_involvement(
    rows: Iterable[InvolvementRow],
    *,
    actor_kind: str,
    coordinator: bool,
    municipality: str,
    target_kind: str,
) -> InvolvementDecision:
    """May a partner of ``actor_kind`` involved in a case of ``municipality`` (its coordinator
    or not) involve or release a partner of ``target_kind``, under ``rows``?"""
    enforcer = casbin.Enforcer(str(MODEL_PATH))
    policy = [[r.actor, r.municipality, r.target_kind, r.id] for r in rows]
    if policy:
        enforcer.add_policies(policy)
    try:
        allowed, explain = enforcer.enforce_ex(
            kind_actor(actor_kind),
            COORDINATOR if coordinator else NOT_COORDINATOR,
            municipality,
            target_kind,
        )
    except Exception:
        return InvolvementDecision(False, "default:deny")  # fail closed
    if not allowed:
        return InvolvementDecision(False, "default:deny")
    return InvolvementDecision(True, str(explain[-1]) if explain else "default:deny")
