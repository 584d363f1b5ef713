"""The pickup code, through the real app: made when the municipality releases a pickup and
shown to it once; the storage provider learns only whether a code is right; accepted once;
every attempt access-logged; ten wrong codes and every check is refused until a new code."""

from __future__ import annotations

import datetime as dt
import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from registry.inventory import codes
from registry.models import AccessLogRecord, MunicipalContact, PickupRequest, StoredInventory
from tests.arrange import evicted_case
from tests.conftest import DEMO_TODAY, Clock, GraphQL
from tests.helpers import error_codes

THURSDAY = dt.datetime.combine(DEMO_TODAY + dt.timedelta(days=3), dt.time(10), dt.UTC)
MUNICIPALITY = "gemeente-zaanstad"
BAILIFF = "kerckhoffs-lasonder"
STORAGE = "opslag-zaanstad"
RECORD = """mutation($input: RecordInventoryInput!) { recordInventory(input: $input) { id } }"""
PICKUP = """mutation($case: ID!) { requestPickup(caseId: $case) { id } }"""
OUTCOME = """mutation($id: ID!, $on: Date!) { recordMunicipalContact(id: $id,
  outcome: HELP_ACCEPTED, attempts: 1, contactedOn: $on) { id } }"""
RELEASE = """mutation($case: ID!) { releasePickup(caseId: $case) { releaseAuthorised
  pickupCode } }"""
REISSUE = """mutation($case: ID!) { issuePickupCode(caseId: $case) { pickupCode } }"""
VERIFY = """mutation($case: ID!, $code: String!) { verifyPickupCode(caseId: $case,
  code: $code) { accepted } }"""
INVENTORY = """query($case: ID!) { inventory(caseId: $case) { releaseAuthorised pickupCode
  pickups { status } } }"""


def _ok(body: dict[str, Any], field: str) -> Any:
    assert "errors" not in body, body
    return body["data"][field]


@pytest.fixture
def released(gql: GraphQL, sessions: sessionmaker[Session], clock: Clock) -> tuple[str, str]:
    """A Parteon case whose stored goods the municipality released for pickup: the case id and
    the code the release showed."""
    clock.now = THURSDAY  # tokens are signed and checked on this clock too
    case_id = evicted_case(sessions, "parteon", THURSDAY.date(), bailiff=BAILIFF)
    day = THURSDAY.date().isoformat()
    new = {
        "caseId": case_id,
        "storageProvider": STORAGE,
        "locationCode": "ZD-H12-04",
        "description": "huisraad: bankstel, bed, 14 verhuisdozen",
        "removedOn": day,
        "recordCopyHandedOverOn": day,
    }
    _ok(gql(BAILIFF, RECORD, {"input": new}), "recordInventory")
    _ok(gql(STORAGE, PICKUP, {"case": case_id}), "requestPickup")
    contact = _contact_id(sessions, case_id)
    _ok(gql(MUNICIPALITY, OUTCOME, {"id": contact, "on": day}), "recordMunicipalContact")
    release = _ok(gql(MUNICIPALITY, RELEASE, {"case": case_id}), "releasePickup")
    assert release["releaseAuthorised"] is True
    return case_id, release["pickupCode"]


def _contact_id(sessions: sessionmaker[Session], case_id: str) -> str:
    with sessions() as session:
        return str(
            session.scalar(
                select(MunicipalContact.id).where(MunicipalContact.case_id == uuid.UUID(case_id))
            )
        )


def _verify(gql: GraphQL, case_id: str, code: str, partner: str = STORAGE) -> dict[str, Any]:
    return gql(partner, VERIFY, {"case": case_id, "code": code})


def _attempts(sessions: sessionmaker[Session], case_id: str) -> int:
    with sessions() as session:
        return (
            session.scalar(
                select(func.count()).where(
                    AccessLogRecord.case_id == uuid.UUID(case_id),
                    AccessLogRecord.partner_id == STORAGE,
                    # A check releases no field of the case: processing all the same.
                    AccessLogRecord.outcome == "identified",
                )
            )
            or 0
        )


def _wrong(code: str) -> str:
    """Another well-formed code."""
    raw = codes.normalise(code)
    assert raw is not None
    other = codes.ALPHABET[(codes.ALPHABET.index(raw[0]) + 1) % len(codes.ALPHABET)]
    return other + raw[1:]


def test_the_code_is_shown_once_stored_as_a_hash_and_accepted_once(
    gql: GraphQL, sessions: sessionmaker[Session], released: tuple[str, str]
) -> None:
    case_id, code = released
    assert codes.normalise(code) is not None and len(code) == 9 and code[4] == "-"
    # Shown in the answer to the release only: not when the inventory is read again.
    assert _ok(gql(MUNICIPALITY, INVENTORY, {"case": case_id}), "inventory")["pickupCode"] is None
    with sessions() as session:
        stored = session.scalars(select(PickupRequest.pickup_code_hash)).all()
    assert all(code not in (h or "") and codes.normalise(code) not in (h or "") for h in stored)
    assert any((h or "").startswith("$argon2id$") for h in stored)

    # A wrong code: no, and nothing else. Typed in lower case with spaces, the right one: yes.
    wrong = _ok(_verify(gql, case_id, _wrong(code)), "verifyPickupCode")
    assert wrong == {"accepted": False}
    spoken = code.lower().replace("-", " ")
    assert _ok(_verify(gql, case_id, spoken), "verifyPickupCode") == {"accepted": True}
    # Accepted once: the same code again is wrong.
    assert _ok(_verify(gql, case_id, code), "verifyPickupCode") == {"accepted": False}
    # Every attempt is in the access log, under the storage provider.
    assert _attempts(sessions, case_id) == 3

    # No code shape at all: a clear error, not an attempt counted.
    bad = _verify(gql, case_id, "not a pickup code")
    assert error_codes(bad) == ["INVALID_INPUT"]
    assert bad["errors"][0]["message"] == (
        "a pickup code is 8 letters and digits, such as 7KQ4-M2XD"
    )
    # Who does not relate to the case learns nothing: as for a case that does not exist.
    assert error_codes(_verify(gql, case_id, code, "zowonen")) == ["NOT_FOUND"]
    # The owner relates to the case, but checking codes is the storage's and municipality's.
    owner = _verify(gql, case_id, code, "parteon")
    assert error_codes(owner) == ["NOT_ALLOWED"]


def test_ten_wrong_codes_stop_every_check_until_a_new_code(
    gql: GraphQL, sessions: sessionmaker[Session], released: tuple[str, str]
) -> None:
    case_id, code = released
    for _ in range(10):
        assert _ok(_verify(gql, case_id, _wrong(code)), "verifyPickupCode") == {"accepted": False}
    throttled = _verify(gql, case_id, code)
    assert error_codes(throttled) == ["CONFLICT"]
    assert throttled["errors"][0]["message"] == (
        "10 wrong pickup codes were tried for these goods: no code is checked any more until "
        "the municipality issues a new one (issuePickupCode)"
    )
    assert _attempts(sessions, case_id) == 11  # the refused attempt is logged too
    # The storage provider may not issue codes; the municipality issues a new one, and the
    # old code stops working.
    assert error_codes(gql(STORAGE, REISSUE, {"case": case_id})) == ["NOT_ALLOWED"]
    fresh = _ok(gql(MUNICIPALITY, REISSUE, {"case": case_id}), "issuePickupCode")["pickupCode"]
    assert fresh != code
    assert _ok(_verify(gql, case_id, code), "verifyPickupCode") == {"accepted": False}
    assert _ok(_verify(gql, case_id, fresh), "verifyPickupCode") == {"accepted": True}
    with sessions() as session:
        failures = session.scalar(
            select(StoredInventory.pickup_code_failures).where(
                StoredInventory.case_id == uuid.UUID(case_id)
            )
        )
    assert failures == 1


def test_two_checks_of_one_valid_code_at_once_one_is_accepted(
    gql: GraphQL, sessions: sessionmaker[Session], released: tuple[str, str]
) -> None:
    case_id, code = released

    def check(_: int) -> dict[str, Any]:
        return _verify(gql, case_id, code)

    with ThreadPoolExecutor(2) as pool:
        answers = [_ok(a, "verifyPickupCode")["accepted"] for a in pool.map(check, range(2))]
    assert sorted(answers) == [False, True]
    assert _attempts(sessions, case_id) == 2
