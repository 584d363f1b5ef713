"""Registering, updating, involving and releasing through the real app; bad input changes
nothing."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from registry.lengths import max_length
from registry.models import Case, CaseContact
from tests.conftest import GraphQL
from tests.helpers import error_codes

REGISTER = """mutation($input: RegisterCaseInput!) { registerCase(input: $input) {
  id owner municipality phase arrearsAmount contactName earlySignalChecks { reminderSent }
  withheld } }"""


def _new_case(**overrides: Any) -> dict[str, Any]:
    case: dict[str, Any] = {
        "municipality": "sittard-geleen",
        "householdComposition": "SINGLE",
        "childrenInvolved": False,
        "arrearsAmount": "1650.00",
        "arrearsMonths": 3,
        "reasons": ["RENT_ARREARS"],
        "contact": {
            "name": "Test Huishouden",
            "address": "Proefweg 1, Sittard",
            "postalCode": "6131 AA",
        },
        "contactAttempted": True,
        "debtHelpReferred": True,
        "reminderSent": True,
        "tenantDidNotObject": True,
    }
    case.update(overrides)
    return case


def _count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Case)) or 0


def test_a_corporation_registers_a_case_and_the_municipality_gets_the_early_signal(
    gql: GraphQL,
) -> None:
    body = gql("zowonen", REGISTER, {"input": _new_case()})
    case = body["data"]["registerCase"]
    assert case["owner"] == "zowonen" and case["phase"] == "EARLY_SIGNAL"
    assert case["withheld"] == [] and case["earlySignalChecks"] == {"reminderSent": True}
    seen = gql(
        "gemeente-sittard-geleen",
        """query($id: ID!) { case(id: $id) {
        contactName arrearsAmount phase } }""",
        {"id": case["id"]},
    )["data"]["case"]
    assert seen == {"contactName": "Test Huishouden", "arrearsAmount": "1650.00", "phase": None}
    # Nobody else relates to the new case yet.
    other = gql(
        "partners-in-welzijn", "query($id: ID!) { case(id: $id) { id } }", {"id": case["id"]}
    )
    assert error_codes(other) == ["NOT_FOUND"]


def test_registration_refusals_change_nothing(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    before = _count(sessions)
    refusals = [
        (
            "zowonen",
            _new_case(municipality="groningen"),
            "NOT_ALLOWED",
            "zowonen does not work in municipality 'groningen'",
        ),
        ("zowonen", _new_case(municipality="atlantis"), "INVALID_INPUT", "unknown municipality"),
        (
            "zowonen",
            _new_case(reminderSent=False, tenantDidNotObject=False),
            "INVALID_INPUT",
            "not met: a written reminder was sent; the tenant did not object",
        ),
        ("zowonen", _new_case(arrearsAmount="-5"), "INVALID_INPUT", "arrearsAmount"),
        ("zowonen", _new_case(arrearsMonths=999), "INVALID_INPUT", "arrearsMonths"),
        ("gemeente-sittard-geleen", _new_case(), "NOT_ALLOWED", "only a housing corporation"),
        ("zowonen", _new_case(earlySignalledOn="2999-01-01"), "INVALID_INPUT", "future"),
    ]
    for partner, new, code, message in refusals:
        body = gql(partner, REGISTER, {"input": new})
        assert error_codes(body) == [code], message
        assert message in body["errors"][0]["message"]
        assert body["data"] is None
    assert _count(sessions) == before


def test_an_over_long_contact_name_is_refused_and_nothing_is_stored(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    before = _count(sessions)
    contact = _new_case()["contact"]
    body = gql("zowonen", REGISTER, {"input": _new_case(contact={**contact, "name": "n" * 201})})
    assert error_codes(body) == ["INVALID_INPUT"]
    assert body["errors"][0]["message"] == "contact.name has 201 characters; it holds at most 200"
    assert body["data"] is None
    assert _count(sessions) == before
    # At the limit it is stored in full, on every database.
    body = gql("zowonen", REGISTER, {"input": _new_case(contact={**contact, "name": "n" * 200})})
    assert body["data"]["registerCase"]["contactName"] == "n" * 200


def test_every_contact_detail_is_held_to_its_column(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    case_id = gql("zowonen", REGISTER, {"input": _new_case()})["data"]["registerCase"]["id"]
    before = _count(sessions)
    update = """mutation($id: ID!, $input: UpdateCaseInput!) { updateCase(id: $id, input: $input) {
        contactName } }"""
    contact = _new_case()["contact"]
    columns = {
        "name": CaseContact.name,
        "address": CaseContact.address,
        "postalCode": CaseContact.postal_code,
        "phone": CaseContact.phone,
        "email": CaseContact.email,
    }
    for field, column in columns.items():
        limit = max_length(column)
        too_long = {**contact, field: "x" * (limit + 1)}
        message = f"contact.{field} has {limit + 1:,} characters; it holds at most {limit:,}"
        body = gql("zowonen", REGISTER, {"input": _new_case(contact=too_long)})
        assert error_codes(body) == ["INVALID_INPUT"], field
        assert body["errors"][0]["message"] == message
        body = gql("zowonen", update, {"id": case_id, "input": {"contact": too_long}})
        assert error_codes(body) == ["INVALID_INPUT"], field
        assert body["errors"][0]["message"] == message
    assert _count(sessions) == before
    with sessions() as session:
        stored = session.get(CaseContact, uuid.UUID(case_id))
        assert stored is not None
        assert (stored.name, stored.address, stored.postal_code) == (
            contact["name"],
            contact["address"],
            contact["postalCode"],
        )


def test_malformed_values_are_invalid_input(gql: GraphQL) -> None:
    for new in (
        _new_case(reasons=["BAD_LUCK"]),
        _new_case(earlySignalledOn="31-12-2025"),
        _new_case(arrearsMonths="three"),
    ):
        body = gql("zowonen", REGISTER, {"input": new})
        assert error_codes(body) == ["INVALID_INPUT"], new
        text = body["errors"][0]["message"]
        assert "Traceback" not in text and "/" not in text.split("got invalid value")[0]
    malformed = gql("zowonen", '{ case(id: "not-a-uuid") { id } }')
    assert error_codes(malformed) == ["INVALID_INPUT"]
    assert "'not-a-uuid' is not a case id" in malformed["errors"][0]["message"]


@pytest.mark.parametrize("amount", ["NaN", "sNaN", "-Infinity", "Infinity"])
def test_a_decimal_that_is_no_number_is_invalid_input_and_changes_nothing(
    gql: GraphQL, sessions: sessionmaker[Session], amount: str
) -> None:
    before = _count(sessions)
    body = gql("zowonen", REGISTER, {"input": _new_case(arrearsAmount=amount)})
    assert error_codes(body) == ["INVALID_INPUT"]
    assert (
        f'Value cannot represent a Decimal: "{amount}". Expected a finite number.'
        in body["errors"][0]["message"]
    )
    update = (
        'mutation { updateCase(id: "8c1a3b54-9a8e-4c1e-8a33-1e2c3d4e5f60", '
        f'input: {{ arrearsAmount: "{amount}" }}) {{ id }} }}'
    )
    assert error_codes(gql("zowonen", update)) == ["INVALID_INPUT"]  # as a literal, too
    assert _count(sessions) == before


def test_owner_updates_and_others_may_not(gql: GraphQL) -> None:
    case_id = gql("zowonen", REGISTER, {"input": _new_case()})["data"]["registerCase"]["id"]
    update = """mutation($id: ID!, $input: UpdateCaseInput!) { updateCase(id: $id, input: $input) {
        arrearsAmount arrearsMonths childrenInvolved } }"""
    body = gql(
        "zowonen",
        update,
        {"id": case_id, "input": {"arrearsAmount": "2200.50", "arrearsMonths": 4}},
    )
    assert body["data"]["updateCase"] == {
        "arrearsAmount": "2200.50",
        "arrearsMonths": 4,
        "childrenInvolved": False,
    }
    refused = gql("gemeente-sittard-geleen", update, {"id": case_id, "input": {"arrearsMonths": 5}})
    assert error_codes(refused) == ["NOT_ALLOWED"]
    hidden = gql("nijestee", update, {"id": case_id, "input": {"arrearsMonths": 5}})
    assert error_codes(hidden) == ["NOT_FOUND"]


def test_involving_a_partner_gives_it_what_the_covenant_releases(gql: GraphQL) -> None:
    case_id = gql("zowonen", REGISTER, {"input": _new_case()})["data"]["registerCase"]["id"]
    involve = """mutation($id: ID!, $p: String!) { involvePartner(caseId: $id, partner: $p,
        role: OUTREACH) { involvements { partner role } } }"""
    body = gql("gemeente-sittard-geleen", involve, {"id": case_id, "p": "partners-in-welzijn"})
    assert body["data"]["involvePartner"] is not None
    seen = gql(
        "partners-in-welzijn",
        "query($id: ID!) { case(id: $id) { id contactName } }",
        {"id": case_id},
    )
    assert seen["data"]["case"] == {"id": case_id, "contactName": None}  # ZOwonen's restriction
    again = gql("zowonen", involve, {"id": case_id, "p": "partners-in-welzijn"})
    assert error_codes(again) == ["CONFLICT"]
    elsewhere = gql("zowonen", involve, {"id": case_id, "p": "wij-groningen"})
    assert error_codes(elsewhere) == ["INVALID_INPUT"]
    not_allowed = gql("partners-in-welzijn", involve, {"id": case_id, "p": "gkb-sittard-geleen"})
    assert error_codes(not_allowed) == ["NOT_ALLOWED"]
    release = """mutation($id: ID!) { releasePartner(caseId: $id, partner: "partners-in-welzijn") {
        id } }"""
    assert gql("zowonen", release, {"id": case_id})["data"]["releasePartner"]["id"] == case_id
    gone = gql("partners-in-welzijn", "query($id: ID!) { case(id: $id) { id } }", {"id": case_id})
    assert error_codes(gone) == ["NOT_FOUND"]


def test_a_mutation_logs_what_it_sent_not_all_that_was_readable(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    from registry.models import AccessLogRecord

    body = gql(
        "zowonen",
        """mutation($input: RegisterCaseInput!) { registerCase(input: $input) {
        id arrearsAmount } }""",
        {"input": _new_case()},
    )
    case_id = body["data"]["registerCase"]["id"]
    with sessions() as session:
        [record] = session.scalars(
            select(AccessLogRecord).where(AccessLogRecord.case_id == uuid.UUID(case_id))
        ).all()
    assert record.fields_disclosed == ["arrearsAmount"]
    assert record.fields_withheld == []
