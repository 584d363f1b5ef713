"""Arranging console scenarios through the partners' own GraphQL (real tokens)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from tests.arrange import evicted_case
from tests.conftest import GraphQL

BAILIFF = "kerckhoffs-lasonder"
STORAGE = "opslag-zaanstad"

RECORD_INVENTORY = """mutation($input: RecordInventoryInput!) {
  recordInventory(input: $input) { id } }"""
PICKUP = "mutation($case: ID!) { requestPickup(caseId: $case) { id } }"
CONTACTS = "{ municipalContacts(openOnly: true) { id caseId } }"
ACTIVE_AGREEMENTS = """{ agreements(status: ACTIVE, first: 200) {
  id conditions { number } reviews { number recordedAt } } }"""


def open_municipal_contact(
    gql: GraphQL, sessions: sessionmaker[Session], today: dt.date
) -> tuple[str, str]:
    """A Zaanstad case whose goods were stored and whose household asked for them: the
    municipality has an open contact task. Returns (case id, contact id)."""
    case_id = evicted_case(sessions, "parteon", today, bailiff=BAILIFF)
    day = today.isoformat()
    stored = gql(
        BAILIFF,
        RECORD_INVENTORY,
        {
            "input": {
                "caseId": case_id,
                "storageProvider": STORAGE,
                "locationCode": "ZD-H12-04",
                "description": "inboedel, 12 dozen",
                "volumeM3": "18.5",
                "perishableOrDangerous": False,
                "removedOn": day,
                "recordCopyHandedOverOn": day,
            }
        },
    )
    assert "errors" not in stored, stored
    asked = gql(STORAGE, PICKUP, {"case": case_id})
    assert "errors" not in asked, asked
    contacts = field_of(gql("gemeente-zaanstad", CONTACTS), "municipalContacts")
    return case_id, next(c["id"] for c in contacts if c["caseId"] == case_id)


def active_agreement_with_open_review(gql: GraphQL) -> tuple[str, int, list[int]]:
    """An active agreement Bureau Woonkans monitors: (id, its first unrecorded review, its
    condition numbers)."""
    for agreement in gql("bureau-woonkans", ACTIVE_AGREEMENTS)["data"]["agreements"]:
        open_reviews = [r["number"] for r in agreement["reviews"] if r["recordedAt"] is None]
        if open_reviews and agreement["conditions"]:
            numbers = [c["number"] for c in agreement["conditions"]]
            return agreement["id"], open_reviews[0], numbers
    raise AssertionError("the demo has no active agreement with a review to record")


def field_of(body: dict[str, Any], *path: str) -> Any:
    """A value deep in a GraphQL answer that must have no errors."""
    assert "errors" not in body, body
    value: Any = body["data"]
    for key in path:
        value = value[key]
    return value
