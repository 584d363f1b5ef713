"""The front desk's lookup (issue 14, part 6): a case found by its home's exact address, by
the municipality and by partners the covenant lets read that address, access-logged; a miss
and a case the caller may not find give the very same answer and leave no trace."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from registry.models import AccessLogRecord
from tests.arrange import NEW_CASE, REGISTER_CASE
from tests.conftest import GraphQL
from tests.helpers import error_codes

MUNICIPALITY, OWNER, WELFARE = "gemeente-sittard-geleen", "zowonen", "partners-in-welzijn"
LOOKUP = """query($pc: String!, $nr: Int!, $add: String) { casesAtAddress(postalCode: $pc,
  houseNumber: $nr, houseNumberAddition: $add) { id contactName contactAddress } }"""
HOME = {"pc": "6131 AB", "nr": 12, "add": "A"}
#: The exact address also for everyone who may not find the case, and near misses of it.
NEAR_MISSES = [
    {"pc": "6131 AB", "nr": 12, "add": None},  # the addition is part of the address
    {"pc": "6131 AB", "nr": 12, "add": "B"},
    {"pc": "6131 AB", "nr": 13, "add": "A"},
    {"pc": "6131 AC", "nr": 12, "add": "A"},
    {"pc": "6131 AB", "nr": 1, "add": "A"},  # no prefix of the number matches either
]
EMPTY = {"data": {"casesAtAddress": []}, "_status": 200}


def _records(sessions: sessionmaker[Session], partner: str) -> list[AccessLogRecord]:
    with sessions() as session:
        return list(
            session.scalars(
                select(AccessLogRecord)
                .where(AccessLogRecord.partner_id == partner)
                .order_by(AccessLogRecord.occurred_at, AccessLogRecord.id)
            )
        )


def _count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(AccessLogRecord)) or 0


@pytest.fixture
def home(gql: GraphQL) -> str:
    """A ZOwonen case at Loketstraat 12-a, 6131 AB, with Partners in Welzijn involved."""
    contact = {
        "name": "Loket Proef",
        "address": "Loketstraat 12-a, Sittard",
        "postalCode": "6131AB",
    }
    created = gql(OWNER, REGISTER_CASE, {"input": {**NEW_CASE, "contact": contact}})
    case_id: str = created["data"]["registerCase"]["id"]
    involved = gql(
        OWNER,
        """mutation($id: ID!) { involvePartner(caseId: $id, partner: "partners-in-welzijn",
        role: OUTREACH) { id } }""",
        {"id": case_id},
    )
    assert "errors" not in involved, involved
    return case_id


def test_the_municipality_finds_the_case_at_its_exact_address_and_it_is_logged(
    gql: GraphQL, sessions: sessionmaker[Session], home: str
) -> None:
    before = len(_records(sessions, MUNICIPALITY))
    found = gql(MUNICIPALITY, LOOKUP, {"pc": "6131ab", "nr": 12, "add": "a"})
    assert found["data"]["casesAtAddress"] == [
        {
            "id": home,
            "contactName": "Loket Proef",
            "contactAddress": "Loketstraat 12-a, Sittard",
        }
    ]
    records = _records(sessions, MUNICIPALITY)[before:]
    assert [(str(r.case_id), r.purpose) for r in records] == [(home, "eviction_prevention")]
    assert {"contactAddress", "contactPostalCode", "contactName"} <= set(
        records[0].fields_disclosed
    )


def test_an_involved_partner_finds_it_only_for_a_purpose_the_covenant_releases_the_address(
    gql: GraphQL, home: str
) -> None:
    # Sittard-Geleen's covenant lets welfare read the home-visit fields for debt help only.
    found = gql(WELFARE, LOOKUP, HOME, purpose="schuldhulpverlening")
    assert [c["id"] for c in found["data"]["casesAtAddress"]] == [home]
    assert gql(WELFARE, LOOKUP, HOME) == EMPTY


@pytest.mark.parametrize("address", NEAR_MISSES)
def test_only_the_exact_address_matches(gql: GraphQL, home: str, address: dict[str, Any]) -> None:
    assert gql(MUNICIPALITY, LOOKUP, address) == EMPTY


def test_a_case_you_may_not_find_is_answered_exactly_like_no_case_and_leaves_no_trace(
    gql: GraphQL, sessions: sessionmaker[Session], home: str
) -> None:
    nowhere = {"pc": "9999 ZZ", "nr": 1, "add": None}
    before = _count(sessions)
    for partner in (
        "gemeente-zaanstad",  # another municipality
        "gkb-sittard-geleen",  # works in Sittard-Geleen, not involved in this case
        OWNER,  # the owner has its own cases' list; the front desk is the chain's
    ):
        assert gql(partner, LOOKUP, HOME) == gql(partner, LOOKUP, nowhere) == EMPTY, partner
    assert _count(sessions) == before  # nothing was processed, as for an empty address
    erased = gql(
        MUNICIPALITY, "mutation($id: ID!) { eraseHousehold(caseId: $id) { caseId } }", {"id": home}
    )
    assert "errors" not in erased, erased
    assert gql(MUNICIPALITY, LOOKUP, HOME) == EMPTY  # nothing of it is left to match


def test_what_no_address_can_be_is_invalid_input(gql: GraphQL) -> None:
    bad = gql(MUNICIPALITY, LOOKUP, {"pc": "613 AB", "nr": 12, "add": None})
    assert error_codes(bad) == ["INVALID_INPUT"]
    assert "'613 AB' is not a Dutch postal code (1234 AB)" in bad["errors"][0]["message"]
    bad = gql(MUNICIPALITY, LOOKUP, {"pc": "6131 AB", "nr": 0, "add": None})
    assert "a house number lies between 1 and 99999" in bad["errors"][0]["message"]
