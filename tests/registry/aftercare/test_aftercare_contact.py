"""The household's new contact details after its eviction, through the real app: recorded with
its consent by a partner that continues aftercare, sealed at rest, released per field and per
purpose only where the covenant allows, access-logged, and in the signed log as the consent's
manner alone."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from registry.models import AccessLogRecord, AftercareContact, AuditLogEntry, Phase
from tests.arrange import case_in, evicted_case
from tests.conftest import DEMO_TODAY, Clock, GraphQL
from tests.helpers import error_codes

FRIDAY = dt.datetime.combine(DEMO_TODAY + dt.timedelta(days=4), dt.time(11), dt.UTC)
OWNER, MUNICIPALITY = "parteon", "gemeente-zaanstad"
BAILIFF, DISTRICT_TEAM = "kerckhoffs-lasonder", "wijkteam-zaandam-noord"
CONTACT_FIELDS = "caseId withheld phone email postalAddress consentManner recordedBy"
RECORD = f"""mutation($input: RecordAftercareContactInput!) {{
  recordAftercareContact(input: $input) {{ {CONTACT_FIELDS} }} }}"""
READ = f"query($case: ID!) {{ aftercareContact(caseId: $case) {{ {CONTACT_FIELDS} }} }}"
INVOLVE = """mutation($c: ID!, $p: String!, $r: InvolvementRole!) {
  involvePartner(caseId: $c, partner: $p, role: $r) { id } }"""
OPENING = """query($index: Int!) { auditLogEntry(index: $index) {
  entry { opening { eventType data } } } }"""
PHONE, EMAIL, ADDRESS = "06-12345678", "nieuw@example.nl", "Postbus 17, 1500 AA Zaandam"
CONTACT_POLICY_FIELDS = [
    "aftercareContactAddress",
    "aftercareContactConsent",
    "aftercareContactEmail",
    "aftercareContactPhone",
]


def _ok(body: dict[str, Any], field: str) -> Any:
    assert "errors" not in body, body
    return body["data"][field]


def _details(case_id: str, **changes: Any) -> dict[str, Any]:
    new = {
        "caseId": case_id,
        "consent": "IN_PERSON",
        "phone": PHONE,
        "email": EMAIL,
        "postalAddress": ADDRESS,
    }
    return {"input": {**new, **changes}}


def _stored(sessions: sessionmaker[Session]) -> tuple[int, int]:
    with sessions() as session:
        return (
            session.scalar(select(func.count()).select_from(AftercareContact)) or 0,
            session.scalar(select(func.count()).select_from(AuditLogEntry)) or 0,
        )


def test_new_contact_details_are_released_only_where_the_covenant_allows(
    gql: GraphQL, sessions: sessionmaker[Session], clock: Clock
) -> None:
    clock.now = FRIDAY
    case_id = evicted_case(sessions, OWNER, FRIDAY.date(), bailiff=BAILIFF)
    one = {"case": case_id}

    # The municipality records where the household can be reached, with its consent; it
    # reads back every field (its covenant grants them for the covenant's purpose).
    recorded = _ok(gql(MUNICIPALITY, RECORD, _details(case_id)), "recordAftercareContact")
    assert recorded == {
        "caseId": case_id,
        "withheld": [],
        "phone": PHONE,
        "email": EMAIL,
        "postalAddress": ADDRESS,
        "consentManner": "IN_PERSON",
        "recordedBy": MUNICIPALITY,
    }

    # Sealed at rest: the stored bytes are not the phone number, and open only through the
    # case's key; the signed log holds the consent's manner, never the details.
    with sessions() as session:
        stored = session.scalars(
            select(AftercareContact).where(AftercareContact.case_id == uuid.UUID(case_id))
        ).one()
        assert PHONE.encode() not in stored.sealed_phone  # type: ignore[operator]
        assert ADDRESS.encode() not in stored.sealed_postal_address  # type: ignore[operator]
        assert stored.phone == PHONE
        last = session.scalar(
            select(func.max(AuditLogEntry.log_index)).where(
                AuditLogEntry.subject == f"case:{case_id}"
            )
        )
    opening = _ok(gql(MUNICIPALITY, OPENING, {"index": last}), "auditLogEntry")["entry"]["opening"]
    assert opening["eventType"] == "aftercare.contact_recorded"
    assert '"consent":"in_person"' in opening["data"]
    for value in (PHONE, EMAIL, ADDRESS):
        assert value not in opening["data"]

    # The corporation's role ended with the eviction: it reads none of it (its own-case rule
    # leaves the new details out); nor does the bailiff involved in the case.
    for partner in (OWNER, BAILIFF):
        seen = _ok(gql(partner, READ, one), "aftercareContact")
        assert seen["phone"] is seen["email"] is seen["postalAddress"] is None
        assert seen["withheld"] == CONTACT_POLICY_FIELDS
    # A district team with no part in the case does not see it at all.
    assert error_codes(gql(DISTRICT_TEAM, READ, one)) == ["NOT_FOUND"]
    # Involved for home visits, it sees the case but not the new details ...
    _ok(
        gql(MUNICIPALITY, INVOLVE, {"c": case_id, "p": DISTRICT_TEAM, "r": "HOME_VISITS"}),
        "involvePartner",
    )
    assert _ok(gql(DISTRICT_TEAM, READ, one), "aftercareContact")["phone"] is None
    # ... continuing aftercare (the covenant's grant to that role), it reads them.
    other = case_in(sessions, OWNER, Phase.AFTER_EVICTION, FRIDAY.date(), exclude=(case_id,))
    _ok(gql(MUNICIPALITY, RECORD, _details(other, email=None)), "recordAftercareContact")
    _ok(
        gql(MUNICIPALITY, INVOLVE, {"c": other, "p": DISTRICT_TEAM, "r": "AFTERCARE"}),
        "involvePartner",
    )
    continuing = _ok(gql(DISTRICT_TEAM, READ, {"case": other}), "aftercareContact")
    assert (continuing["phone"], continuing["email"], continuing["postalAddress"]) == (
        PHONE,
        None,
        ADDRESS,
    )
    assert continuing["withheld"] == []

    # Purpose-bound: the municipality asking for debt help is not shown them.
    debt_help = _ok(gql(MUNICIPALITY, READ, one, purpose="schuldhulpverlening"), "aftercareContact")
    assert debt_help["phone"] is None and "aftercareContactPhone" in debt_help["withheld"]

    # Every read is in the access log, with its purpose and what was disclosed or withheld.
    with sessions() as session:
        records = session.scalars(
            select(AccessLogRecord)
            .where(AccessLogRecord.case_id.in_([uuid.UUID(case_id), uuid.UUID(other)]))
            .order_by(AccessLogRecord.occurred_at)
        ).all()
    by_partner = {(r.partner_id, r.case_id, r.purpose): r for r in records}
    continued = by_partner[(DISTRICT_TEAM, uuid.UUID(other), "eviction_prevention")]
    assert set(continued.fields_disclosed) >= {"aftercareContactPhone", "aftercareContactAddress"}
    refused = by_partner[(OWNER, uuid.UUID(case_id), "eviction_prevention")]
    assert "aftercareContactPhone" in refused.fields_withheld
    assert "aftercareContactPhone" not in refused.fields_disclosed
    asked = by_partner[(MUNICIPALITY, uuid.UUID(case_id), "schuldhulpverlening")]
    assert "aftercareContactPhone" in asked.fields_withheld


def test_bad_details_and_wrong_callers_change_nothing(
    gql: GraphQL, sessions: sessionmaker[Session], clock: Clock
) -> None:
    clock.now = FRIDAY
    case_id = evicted_case(sessions, OWNER, FRIDAY.date(), bailiff=BAILIFF)
    before_eviction = case_in(
        sessions, OWNER, Phase.JUDGMENT_SERVED, FRIDAY.date(), exclude=(case_id,)
    )
    before = _stored(sessions)

    empty = gql(MUNICIPALITY, RECORD, _details(case_id, phone=" ", email=None, postalAddress=None))
    assert error_codes(empty) == ["INVALID_INPUT"]
    assert empty["errors"][0]["message"] == (
        "new contact details need a phone, an e-mail address or a postal address"
    )
    bad_mail = gql(MUNICIPALITY, RECORD, _details(case_id, email="nieuw-at-example"))
    assert error_codes(bad_mail) == ["INVALID_INPUT"]
    assert bad_mail["errors"][0]["message"] == "email is not an e-mail address"
    too_long = gql(MUNICIPALITY, RECORD, _details(case_id, postalAddress="x" * 301))
    assert (
        too_long["errors"][0]["message"] == "postalAddress has 301 characters; it holds at most 300"
    )
    early = gql(MUNICIPALITY, RECORD, _details(before_eviction))
    assert error_codes(early) == ["CONFLICT"]
    assert early["errors"][0]["message"].endswith(
        "new contact details are recorded after the eviction"
    )
    owner = gql(OWNER, RECORD, _details(case_id))
    assert error_codes(owner) == ["NOT_ALLOWED"]
    assert owner["errors"][0]["message"].startswith(
        "parteon may not record the household's new contact details"
    )
    assert error_codes(gql("gemeente-groningen", RECORD, _details(case_id))) == ["NOT_FOUND"]
    assert _stored(sessions) == before
    assert _ok(gql(MUNICIPALITY, READ, {"case": case_id}), "aftercareContact") is None

    # New details replace the old ones; the consent is recorded again with them.
    _ok(gql(MUNICIPALITY, RECORD, _details(case_id)), "recordAftercareContact")
    again = _ok(
        gql(MUNICIPALITY, RECORD, _details(case_id, phone=None, consent="ON_PAPER")),
        "recordAftercareContact",
    )
    assert again["phone"] is None and again["consentManner"] == "ON_PAPER"
    assert _stored(sessions) == (before[0] + 1, before[1] + 2)
