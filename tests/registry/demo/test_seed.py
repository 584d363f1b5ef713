"""The demo's signed log holds nothing of its households: a scan of every leaf (and, to be
sure, every opening) for their names, streets, postal codes, phone numbers, e-mail addresses,
amounts and free text."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from registry.models import (
    ActionItem,
    AgreementCondition,
    Annotation,
    AuditLogEntry,
    AuditLogOpening,
    Case,
    CaseContact,
    ConditionCheck,
    Partner,
    SecondChanceAgreement,
    StoredInventory,
)
from tests.conftest import GraphQL

LEAF_KEYS = {"v", "index", "time", "submitter", "class", "commitment"}
TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")
HEX256 = re.compile(r"[0-9a-f]{64}")
HASH_OR_ID = re.compile(r"[0-9a-f]{32,}|[0-9a-f]{8}(?:-[0-9a-f]{4}){3}-[0-9a-f]{12}")


def _fragments(documents: Iterable[bytes]) -> str:
    return "\n".join({part for d in documents for part in HASH_OR_ID.split(d.decode())})


def _partners(sessions: sessionmaker[Session]) -> list[str]:
    with sessions() as session:
        return list(session.scalars(select(Partner.id)))


def _amount_texts(amount: Decimal) -> set[str]:
    return {f"{amount:.2f}", f"{amount:.2f}".replace(".", ","), f"{amount:,.2f}"}


def _personal(session: Session) -> tuple[set[str], set[str]]:
    """What must never be in the log: (free text and personal data, case and agreement ids)."""
    texts: set[str] = set()
    for contact in session.scalars(select(CaseContact)):
        street = contact.address.split(",")[0]
        texts |= {contact.name, contact.address, street, contact.postal_code}
        texts |= {value for value in (contact.phone, contact.email) if value}
    for amount in session.scalars(select(Case.arrears_amount)):
        if amount:
            texts |= _amount_texts(amount)
    # Notes and action items are sealed in the database: read as the registry reads them.
    texts |= {a.note for a in session.scalars(select(Annotation)) if a.note}
    texts |= {a.description for a in session.scalars(select(ActionItem))}
    for column in (
        AgreementCondition.text,
        ConditionCheck.note,
        StoredInventory.description,
    ):
        texts |= {text for text in session.scalars(select(column)) if text}
    ids = {str(i) for i in session.scalars(select(Case.id))}
    ids |= {str(i) for i in session.scalars(select(SecondChanceAgreement.id))}
    return texts, ids


def test_no_leaf_of_the_demo_log_holds_anything_of_a_household(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    # Partners' notes, so that annotation text is among what is looked for.
    with sessions() as session:
        case_id = str(session.scalar(select(Case.id).where(Case.owner_id == "parteon").limit(1)))
    for note in ("Huisbezoek: schulden besproken met Fatma", "Geen contact, briefje achtergelaten"):
        body = gql(
            "parteon",
            """mutation($c: ID!, $note: String!) { addAnnotation(input: {caseId: $c,
            kind: HOME_VISIT, occurredOn: "2026-10-30", note: $note}) { id } }""",
            {"c": case_id, "note": note},
        )
        assert "errors" not in body, body
    with sessions() as session:
        texts, ids = _personal(session)
        rows = session.execute(
            select(AuditLogEntry.log_index, AuditLogEntry.canonical, AuditLogOpening.opening)
            .join(AuditLogOpening, AuditLogOpening.log_index == AuditLogEntry.log_index)
            .order_by(AuditLogEntry.log_index)
        ).all()
    assert len(texts) > 1000  # some 620 households' details, their amounts, the notes
    assert {"Huurachterstand opgelopen", "Budgetbeheer via de kredietbank"} <= texts
    assert len(rows) > 3000
    partners = set(_partners(sessions))
    for index, leaf, _ in rows:
        parsed = json.loads(leaf)
        # A leaf is index, time, submitter, class and commitment, nothing else: a number, a
        # time, a partner id, a class and a hash.
        assert set(parsed) == LEAF_KEYS, index
        assert (parsed["v"], parsed["index"]) == (2, index)
        assert TIME.fullmatch(parsed["time"]), index
        assert parsed["submitter"] in partners, index
        assert parsed["class"] in {"case", "policy"}, index
        assert HEX256.fullmatch(parsed["commitment"]), index
    # Every leaf and opening searched for every household's details: in the distinct
    # fragments between their hashes and ids (no name hides in a hash), joined into one text.
    leaves = _fragments(leaf for _, leaf, _ in rows)
    openings = _fragments(opening for _, _, opening in rows)
    assert [text for text in texts if text in leaves] == []
    assert [text for text in texts if text in openings] == []
    named = {token for _, leaf, _ in rows for token in HASH_OR_ID.findall(leaf.decode())}
    assert named & ids == set()  # the only hashes in a leaf are commitments
