"""Fixed contact persons of the organisations on a case (*vaste contactpersonen*): an involved
organisation names its own, and others read them as their policies release
``involvementContacts``; access-logged like every field."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from registry.models import AccessLogRecord, Phase
from tests.arrange import case_in
from tests.conftest import DEMO_TODAY, GraphQL
from tests.helpers import error_codes

SET = """mutation($c: ID!, $name: String!, $phone: String, $email: String) {
  setInvolvementContact(caseId: $c, name: $name, phone: $phone, email: $email) {
  id involvementContacts { partner name phone email } } }"""
READ = """query($c: ID!) { case(id: $c) { involvementContacts { partner role name phone email }
  withheld } }"""


def _ok(body: dict[str, Any], field: str) -> Any:
    assert "errors" not in body, body
    return body["data"][field]


def test_each_organisation_names_its_contact_person_and_the_policies_release_them(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    case_id = case_in(
        sessions,
        "ieder1",
        Phase.COLLECTION,
        DEMO_TODAY,
        involved=("bad-deventer", "meldpunt-bijzondere-zorg", "flanderijn"),
    )
    person = {"name": "J. de Budget", "phone": "0570 123 456", "email": "j.debudget@bad.example"}
    _ok(gql("bad-deventer", SET, {"c": case_id, **person}), "setInvolvementContact")
    # The care partner reads it (what a home visit needs), with the roles of all involved.
    seen = _ok(gql("meldpunt-bijzondere-zorg", READ, {"c": case_id}), "case")
    contacts = {c["partner"]: c for c in seen["involvementContacts"]}
    assert contacts["bad-deventer"] == {"partner": "bad-deventer", "role": "OTHER", **person}
    assert contacts["meldpunt-bijzondere-zorg"]["name"] is None  # not named yet
    # The bailiff may not read them; the municipality (statutory fields) neither.
    for partner in ("flanderijn", "gemeente-deventer"):
        hidden = _ok(gql(partner, READ, {"c": case_id}), "case")
        assert hidden["involvementContacts"] is None
        assert "involvementContacts" in hidden["withheld"]
    with sessions() as session:
        logged = session.scalars(
            select(AccessLogRecord).where(
                AccessLogRecord.case_id == uuid.UUID(case_id),
                AccessLogRecord.partner_id == "meldpunt-bijzondere-zorg",
            )
        ).all()
        assert any("involvementContacts" in r.fields_disclosed for r in logged)


def test_bad_contact_persons_are_refused(gql: GraphQL, sessions: sessionmaker[Session]) -> None:
    case_id = case_in(sessions, "ieder1", Phase.COLLECTION, DEMO_TODAY, involved=("bad-deventer",))
    outsider = gql("ieder1", SET, {"c": case_id, "name": "A. Eigenaar"})
    assert error_codes(outsider) == ["NOT_ALLOWED"]
    assert outsider["errors"][0]["message"] == (
        "ieder1 is not involved in this case: only an involved organisation names its contact "
        "person"
    )
    phone = gql("bad-deventer", SET, {"c": case_id, "name": "J. de Budget", "phone": "bel mij"})
    assert error_codes(phone) == ["INVALID_INPUT"]
    email = gql("bad-deventer", SET, {"c": case_id, "name": "J. de Budget", "email": "nee"})
    assert error_codes(email) == ["INVALID_INPUT"]
    assert email["errors"][0]["message"] == "email is not an e-mail address"
    seen = _ok(gql("bad-deventer", READ, {"c": case_id}), "case")
    assert [c["name"] for c in seen["involvementContacts"]] == [None]
    unrelated = gql("meldpunt-overlast-en-zorg", SET, {"c": case_id, "name": "X"})
    assert error_codes(unrelated) == ["NOT_FOUND"]
