"""The canonical text of a second-chance agreement, and the commitments the audit log holds.

Each party organisation signs the agreement's text: canonical JSON (``auditlog.canonical``)
of everything the parties agree to, so one agreement has exactly one text and a signature
over anything else does not verify. The text holds the agreement's random nonce, which is
never logged: the log keeps only the text's SHA-256, and without the nonce that hash says
nothing about the conditions' wording or the case (a hiding commitment). Review notes are
committed the same way.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from typing import Any

from registry.auditlog.canonical import canonical_json
from registry.models import ConditionCheck, PartyKind, SecondChanceAgreement

#: Names the text's format; a new format gets a new name, old signatures keep verifying.
DOCUMENT = "woonkansovereenkomst/1"


def _condition(condition: Any) -> dict[str, Any]:
    entry: dict[str, Any] = {"number": condition.number, "type": str(condition.type)}
    if condition.support_kind is not None:
        entry["supportFrom"] = str(condition.support_kind)
    if condition.text:
        entry["text"] = condition.text
    return entry


def agreement_text(agreement: SecondChanceAgreement) -> str:
    """The exact text each party organisation signs (UTF-8 when signed)."""
    document = {
        "document": DOCUMENT,
        "agreement": str(agreement.id),
        "case": str(agreement.case_id),
        "nonce": agreement.nonce,
        "kind": str(agreement.kind),
        "parties": {
            "organisations": [
                p.partner_id for p in agreement.parties if p.kind is PartyKind.ORGANISATION
            ],
            "household": any(p.kind is PartyKind.HOUSEHOLD for p in agreement.parties),
        },
        "conditions": [_condition(c) for c in agreement.conditions],
        "term": {
            "start": agreement.term_start.isoformat(),
            "end": agreement.term_end.isoformat(),
            "reviewIntervalDays": agreement.review_interval_days,
        },
    }
    return canonical_json(document).decode("utf-8")


def text_sha256(agreement: SecondChanceAgreement) -> str:
    """The SHA-256 of the agreement's text, in hex: what the log records of it."""
    return hashlib.sha256(agreement_text(agreement).encode("utf-8")).hexdigest()


def checks_sha256(
    agreement: SecondChanceAgreement, review: int, checks: Sequence[ConditionCheck]
) -> str:
    """A hiding commitment to one review's checks and notes (hex SHA-256)."""
    document = {
        "document": f"{DOCUMENT}/review",
        "agreement": str(agreement.id),
        "nonce": agreement.nonce,
        "review": review,
        "checks": [
            {"condition": c.condition_number, "met": c.met, "note": c.note or ""} for c in checks
        ],
    }
    return hashlib.sha256(canonical_json(document)).hexdigest()
