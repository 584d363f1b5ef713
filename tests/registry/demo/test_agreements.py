"""The demo's agreements as their signed log tells them: every step in the order it happened."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from registry.auditlog import entries
from registry.models import AuditLogEntry, AuditLogOpening, PartyKind, SecondChanceAgreement


def _agreement_events(session: Session) -> dict[str, list[tuple[int, Any, dict[str, Any]]]]:
    """Per agreement id: (index, time, event) of its log entries, in log order."""
    rows = session.execute(
        select(AuditLogEntry.log_index, AuditLogEntry.canonical, AuditLogOpening.opening)
        .join(AuditLogOpening, AuditLogOpening.log_index == AuditLogEntry.log_index)
        .where(AuditLogEntry.subject.like("agreement:%"))
        .order_by(AuditLogEntry.log_index)
    )
    by_agreement: dict[str, list[tuple[int, Any, dict[str, Any]]]] = defaultdict(list)
    for index, data, opening in rows:
        leaf = entries.parse_leaf(data, index)
        event = dict(entries.open_entry(leaf, data, opening).event)
        by_agreement[event["agreement"]].append((index, leaf.time, event))
    return by_agreement


def test_every_demo_activation_follows_the_consent_and_all_signatures(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session:
        logged = _agreement_events(session)
        agreements = {
            str(a.id): a
            for a in session.scalars(
                select(SecondChanceAgreement).options(selectinload(SecondChanceAgreement.parties))
            )
        }
    activations = 0
    for agreement_id, events in logged.items():
        types = [event["type"] for _, _, event in events]
        if "agreement.activated" not in types:
            continue
        activations += 1
        agreement = agreements[agreement_id]
        organisations = [p for p in agreement.parties if p.kind is PartyKind.ORGANISATION]
        agreed = [
            e for e in events if e[2]["type"] in {"agreement.signed", "agreement.consent_recorded"}
        ]
        assert types.count("agreement.signed") == len(organisations), agreement_id
        assert types.count("agreement.consent_recorded") == 1, agreement_id
        index, time, _ = next(e for e in events if e[2]["type"] == "agreement.activated")
        assert all(i < index and t < time for i, t, _ in agreed), agreement_id
        # The records agree with the log.
        assert agreement.activated_at is not None
        household = next(p for p in agreement.parties if p.kind is PartyKind.HOUSEHOLD)
        assert household.consent_recorded_at is not None
        assert household.consent_recorded_at < agreement.activated_at, agreement_id
        assert all(p.signed_at and p.signed_at < agreement.activated_at for p in organisations)
    assert activations > 300  # two years of Groningen's second chances
