"""Guard rails on grants through the real app: sensitive fields only for a purpose and until an
end date; four eyes (a second policy officer approves a grant before it takes effect); both
in the signed log, by ids and codes only."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from registry.models import AccessPolicy, AuditLogOpening
from tests.arrange import involved_case
from tests.conftest import GraphQL
from tests.helpers import error_codes

ISSUE_GRANT = """mutation($input: GrantInput!) { issueGrant(input: $input) {
  id pending validUntil } }"""
APPROVE = "mutation($id: ID!) { approveGrant(id: $id) { id pending } }"
FOUR_EYES = """mutation($m: String!, $r: Boolean!) {
  requireFourEyes(municipality: $m, required: $r) }"""
READ = "query($id: ID!) { case(id: $id) { contactPhone withheld } }"
BAILIFF_PHONES = {
    "municipality": "groningen",
    "partnerKind": "BAILIFF",
    "fields": ["contactPhone"],
    "purposes": ["eviction_prevention"],
    "validUntil": "2099-12-31",
}


def _openings(sessions: sessionmaker[Session]) -> list[bytes]:
    with sessions() as session:
        return list(
            session.scalars(select(AuditLogOpening.opening).order_by(AuditLogOpening.log_index))
        )


def test_sensitive_fields_need_a_purpose_and_an_end_date(gql: GraphQL) -> None:
    everything = {"municipality": "groningen", "partnerKind": "BAILIFF", "fields": ["all"]}
    body = gql("gemeente-groningen", ISSUE_GRANT, {"input": everything})
    assert error_codes(body) == ["INVALID_INPUT"]
    assert "at least one purpose" in body["errors"][0]["message"]
    with_purpose = {**everything, "purposes": ["eviction_prevention"]}
    body = gql("gemeente-groningen", ISSUE_GRANT, {"input": with_purpose})
    assert error_codes(body) == ["INVALID_INPUT"]
    message = body["errors"][0]["message"]
    assert "sensitive fields (" in message and "contactPhone" in message
    assert "arrearsAmount" in message and "end date (validUntil)" in message
    # Not sensitive: no end date needed.
    date_only = {**with_purpose, "fields": ["evictionDate"]}
    assert gql("gemeente-groningen", ISSUE_GRANT, {"input": date_only})["data"]["issueGrant"]


def test_four_eyes_from_issue_to_approval(gql: GraphQL, sessions: sessionmaker[Session]) -> None:
    case_id = involved_case(sessions, "flanderijn", "nijestee")
    assert gql("flanderijn", READ, {"id": case_id})["data"]["case"]["contactPhone"] is None
    assert gql("gemeente-groningen", FOUR_EYES, {"m": "groningen", "r": True})["data"] == {
        "requireFourEyes": True
    }
    # Without naming the acting officer a grant cannot be told apart from its approval.
    body = gql("gemeente-groningen", ISSUE_GRANT, {"input": BAILIFF_PHONES})
    assert error_codes(body) == ["NOT_ALLOWED"]
    assert "name the acting policy officer" in body["errors"][0]["message"]

    issued = gql("gemeente-groningen", ISSUE_GRANT, {"input": BAILIFF_PHONES}, act="a.jansen")
    grant = issued["data"]["issueGrant"]
    assert grant["pending"] is True
    # Pending: nothing released yet.
    assert gql("flanderijn", READ, {"id": case_id})["data"]["case"]["contactPhone"] is None

    own = gql("gemeente-groningen", APPROVE, {"id": grant["id"]}, act="a.jansen")
    assert error_codes(own) == ["NOT_ALLOWED"]
    assert "its issuer cannot approve it" in own["errors"][0]["message"]
    elsewhere = gql("gemeente-zaanstad", APPROVE, {"id": grant["id"]}, act="b.bakker")
    assert error_codes(elsewhere) == ["NOT_FOUND"]
    assert gql("flanderijn", READ, {"id": case_id})["data"]["case"]["contactPhone"] is None

    approved = gql("gemeente-groningen", APPROVE, {"id": grant["id"]}, act="b.bakker")
    assert approved["data"]["approveGrant"] == {"id": grant["id"], "pending": False}
    assert gql("flanderijn", READ, {"id": case_id})["data"]["case"]["contactPhone"]
    again = gql("gemeente-groningen", APPROVE, {"id": grant["id"]}, act="c.visser")
    assert error_codes(again) == ["CONFLICT"]

    with sessions() as session:
        stored = session.get(AccessPolicy, int(grant["id"]))
        assert stored is not None
        assert (stored.issued_by, stored.approved_by) == ("a.jansen", "b.bakker")
    # The signed log holds the rule, the pending grant and its approval: ids and codes, no
    # staff member's name.
    openings = b"\n".join(_openings(sessions))
    assert b"policy.four_eyes_set" in openings and b"policy.grant_approved" in openings
    assert b"a.jansen" not in openings and b"b.bakker" not in openings


def test_approving_one_grant_at_once_puts_it_in_force_once(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    gql("gemeente-groningen", FOUR_EYES, {"m": "groningen", "r": True})
    grant = gql("gemeente-groningen", ISSUE_GRANT, {"input": BAILIFF_PHONES}, act="a.jansen")
    grant_id = grant["data"]["issueGrant"]["id"]
    before = len(_openings(sessions))

    def send(n: int) -> dict[str, Any]:
        return gql("gemeente-groningen", APPROVE, {"id": grant_id}, act=f"officer-{n}")

    with ThreadPoolExecutor(5) as pool:
        answers = list(pool.map(send, range(5)))
    accepted = [a for a in answers if a.get("data") and a["data"].get("approveGrant")]
    assert len(accepted) == 1, answers
    assert all(error_codes(a) == ["CONFLICT"] for a in answers if a not in accepted)
    assert len(_openings(sessions)) == before + 1  # one approval logged


def test_setting_four_eyes_is_for_the_own_municipality(gql: GraphQL) -> None:
    body = gql("gemeente-zaanstad", FOUR_EYES, {"m": "groningen", "r": True})
    assert error_codes(body) == ["NOT_ALLOWED"]
    assert "only for its own municipality" in body["errors"][0]["message"]
    body = gql("zowonen", FOUR_EYES, {"m": "groningen", "r": True})
    assert error_codes(body) == ["NOT_ALLOWED"]
