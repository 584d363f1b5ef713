"""Issuing, revoking, listing, trying and explaining policies through the real app."""

from __future__ import annotations

from sqlalchemy.orm import Session, sessionmaker

from registry.models import Phase
from tests.arrange import involved_case
from tests.conftest import GraphQL
from tests.helpers import error_codes

ISSUE_GRANT = """mutation($input: GrantInput!) { issueGrant(input: $input) {
  id kind issuer subject relation municipality fields } }"""
REVOKE = "mutation($id: ID!) { revokePolicy(id: $id) { id revokedAt } }"
CASE = "query($id: ID!) { case(id: $id) { id phase reasons withheld } }"


def test_a_grant_takes_effect_on_the_next_request_and_a_revoke_too(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    case_id = involved_case(sessions, "ehbg-groningen", "nijestee")
    before = gql("ehbg-groningen", CASE, {"id": case_id})["data"]["case"]
    assert before["reasons"] is None and "reasons" in before["withheld"]

    issued = gql(
        "gemeente-groningen",
        ISSUE_GRANT,
        {
            "input": {
                "municipality": "groningen",
                "partnerKind": "CREDIT_BANK",
                "fields": ["reasons"],
                "purposes": ["eviction_prevention"],
                "validUntil": "2099-12-31",
                "purpose": "budget advice needs the cause",
            }
        },
    )
    policy = issued["data"]["issueGrant"]
    assert policy["subject"] == "kind:credit_bank" and policy["relation"] == "involved"

    during = gql("ehbg-groningen", CASE, {"id": case_id})["data"]["case"]
    assert during["reasons"] and "reasons" not in during["withheld"]

    revoked = gql("gemeente-groningen", REVOKE, {"id": policy["id"]})
    assert revoked["data"]["revokePolicy"]["revokedAt"]
    after = gql("ehbg-groningen", CASE, {"id": case_id})["data"]["case"]
    assert after["reasons"] is None and "reasons" in after["withheld"]


def test_a_municipality_cannot_issue_for_another_municipality(gql: GraphQL) -> None:
    body = gql(
        "gemeente-zaanstad",
        ISSUE_GRANT,
        {"input": {"municipality": "groningen", "partnerKind": "WELFARE", "fields": ["phase"]}},
    )
    assert error_codes(body) == ["NOT_ALLOWED"]
    assert "only for its own municipality" in body["errors"][0]["message"]


def test_a_corporation_cannot_widen_access_with_a_grant(gql: GraphQL) -> None:
    body = gql(
        "zowonen",
        ISSUE_GRANT,
        {"input": {"municipality": "sittard-geleen", "partnerKind": "WELFARE", "fields": ["all"]}},
    )
    assert error_codes(body) == ["NOT_ALLOWED"]
    assert "a corporation may restrict" in body["errors"][0]["message"]


def test_bad_policy_input_changes_nothing(gql: GraphQL) -> None:
    cases = [
        (
            {"municipality": "groningen", "partnerKind": "WELFARE", "fields": ["shoeSize"]},
            "INVALID_INPUT",
            "unknown field or field group: shoeSize",
        ),
        (
            {"municipality": "atlantis", "partnerKind": "WELFARE", "fields": ["phase"]},
            "INVALID_INPUT",
            "unknown municipality 'atlantis'",
        ),
        (
            {"municipality": "groningen", "partner": "nobody", "fields": ["phase"]},
            "INVALID_INPUT",
            "unknown partner 'nobody'",
        ),
        ({"municipality": "groningen", "fields": []}, "INVALID_INPUT", "at least one field"),
        (
            {"municipality": "groningen", "fields": ["phase"], "purpose": "p" * 201},
            "INVALID_INPUT",
            "purpose has 201 characters; it holds at most 200",
        ),
        (
            {
                "municipality": "groningen",
                "partnerKind": "WELFARE",
                "partner": "flanderijn",
                "fields": ["phase"],
            },
            "INVALID_INPUT",
            "only one",
        ),
        (
            {"municipality": "groningen", "partnerKind": "WELFARE", "fields": ["phase"]},
            "INVALID_INPUT",
            "a grant names at least one purpose registered in its municipality",
        ),
        (
            {"municipality": "groningen", "fields": ["phase"], "purposes": ["marketing"]},
            "INVALID_INPUT",
            "unknown purpose: marketing (not registered in groningen)",
        ),
        (
            {
                "municipality": "groningen",
                "fields": ["phase"],
                "purposes": ["eviction_prevention"],
                "phases": ["early_signal", "limbo"],
            },
            "INVALID_INPUT",
            "unknown phase: limbo",
        ),
        (
            {
                "municipality": "groningen",
                "fields": ["phase"],
                "purposes": ["eviction_prevention"],
                "involvementRole": "astrologer",
            },
            "INVALID_INPUT",
            "unknown involvement role 'astrologer'",
        ),
        (
            {
                "municipality": "groningen",
                "fields": ["phase"],
                "purposes": ["eviction_prevention"],
                "validFrom": "2027-01-01",
                "validUntil": "2026-12-31",
            },
            "INVALID_INPUT",
            "validUntil 2026-12-31 is before validFrom 2027-01-01",
        ),
    ]
    before = gql("gemeente-groningen", '{ policies(municipality: "groningen") { id } }')
    for grant, code, message in cases:
        body = gql("gemeente-groningen", ISSUE_GRANT, {"input": grant})
        assert error_codes(body) == [code], grant
        assert message in body["errors"][0]["message"]
    after = gql("gemeente-groningen", '{ policies(municipality: "groningen") { id } }')
    assert after["data"] == before["data"]


def test_an_unknown_partner_kind_is_refused_by_the_schema(gql: GraphQL) -> None:
    body = gql(
        "gemeente-groningen",
        ISSUE_GRANT,
        {"input": {"municipality": "groningen", "partnerKind": "ASTROLOGER", "fields": ["phase"]}},
    )
    assert error_codes(body) == ["INVALID_INPUT"]
    assert "ASTROLOGER" in body["errors"][0]["message"]


def test_a_restriction_narrows_the_owners_own_cases(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    case_id = involved_case(sessions, "wij-groningen", "nijestee")
    visible = gql("wij-groningen", CASE, {"id": case_id})["data"]["case"]
    assert visible["phase"]
    issued = gql(
        "nijestee",
        """mutation { issueRestriction(input: {
        sharedFields: ["evictionDate"], partnerKind: DISTRICT_TEAM }) { id owner subject } }""",
    )
    assert issued["data"]["issueRestriction"]["owner"] == "nijestee"
    narrowed = gql("wij-groningen", CASE, {"id": case_id})["data"]["case"]
    assert narrowed["phase"] is None and "phase" in narrowed["withheld"]
    # Other involved partners are not affected by a restriction aimed at district teams.
    woonkans_case = involved_case(sessions, "bureau-woonkans", "nijestee")
    assert gql("bureau-woonkans", CASE, {"id": woonkans_case})["data"]["case"]["phase"]


def test_an_over_long_purpose_is_refused_and_no_restriction_issued(gql: GraphQL) -> None:
    issue = """mutation($input: RestrictionInput!) { issueRestriction(input: $input) { id } }"""
    body = gql("nijestee", issue, {"input": {"sharedFields": ["phase"], "purpose": "p" * 201}})
    assert error_codes(body) == ["INVALID_INPUT"]
    assert body["errors"][0]["message"] == "purpose has 201 characters; it holds at most 200"
    assert gql("nijestee", "{ policies { id } }")["data"]["policies"] == []


def test_a_municipality_cannot_restrict(gql: GraphQL) -> None:
    body = gql(
        "gemeente-groningen",
        """mutation { issueRestriction(input: {
        sharedFields: ["evictionDate"] }) { id } }""",
    )
    assert error_codes(body) == ["NOT_ALLOWED"]


def test_only_the_issuer_revokes(gql: GraphQL) -> None:
    grants = gql("gemeente-groningen", '{ policies(municipality: "groningen") { id issuer } }')
    policy_id = grants["data"]["policies"][0]["id"]
    body = gql("gemeente-zaanstad", REVOKE, {"id": policy_id})
    assert error_codes(body) == ["NOT_FOUND"]
    again = gql("gemeente-groningen", REVOKE, {"id": policy_id})
    assert again["data"]["revokePolicy"]["revokedAt"]
    twice = gql("gemeente-groningen", REVOKE, {"id": policy_id})
    assert error_codes(twice) == ["CONFLICT"]


def test_a_malformed_policy_id_is_invalid_input(gql: GraphQL) -> None:
    for malformed in ("twelve", "99999999999999999999", "-1", "0"):
        body = gql("gemeente-groningen", REVOKE, {"id": malformed})
        assert error_codes(body) == ["INVALID_INPUT"], malformed
        assert body["errors"][0]["message"] == f"{malformed!r} is not a policy id"


def test_explain_access_names_the_deciding_policy(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    case_id = involved_case(sessions, "partners-in-welzijn", "zowonen", phase=Phase.COURT)
    body = gql(
        "partners-in-welzijn",
        """query($id: ID!) { explainAccess(caseId: $id) {
        partner relation decisions { field allowed decidedBy } } }""",
        {"id": case_id},
    )
    explanation = body["data"]["explainAccess"]
    assert explanation["relation"] == "INVOLVED"
    decisions = {d["field"]: d for d in explanation["decisions"]}
    assert decisions["evictionDate"]["allowed"] is True
    assert decisions["contactName"]["allowed"] is False
    assert decisions["contactName"]["decidedBy"].startswith("policy:")


def test_the_owner_explains_for_another_partner_but_that_partner_cannot_ask_for_others(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    case_id = involved_case(sessions, "partners-in-welzijn", "zowonen", phase=Phase.COURT)
    query = """query($id: ID!, $p: String) { explainAccess(caseId: $id, partner: $p) {
        partner decisions { field allowed } } }"""
    owner_view = gql("zowonen", query, {"id": case_id, "p": "partners-in-welzijn"})
    allowed = [d["field"] for d in owner_view["data"]["explainAccess"]["decisions"] if d["allowed"]]
    assert allowed == ["evictionDate"]
    body = gql("partners-in-welzijn", query, {"id": case_id, "p": "gkb-sittard-geleen"})
    assert error_codes(body) == ["NOT_ALLOWED"]


def test_dry_run_shows_the_effect_of_a_draft_without_issuing_it(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    case_id = involved_case(sessions, "wij-groningen", "nijestee")
    body = gql(
        "gemeente-groningen",
        """query($id: ID!) { dryRunGrant(caseId: $id,
        partner: "wij-groningen", grant: {municipality: "groningen", partnerKind: DISTRICT_TEAM,
        fields: ["reasons"], purposes: ["eviction_prevention"],
        validUntil: "2099-12-31"}) {
        field allowedNow allowedWithDraft } }""",
        {"id": case_id},
    )
    rows = {r["field"]: r for r in body["data"]["dryRunGrant"]}
    assert rows["reasons"] == {"field": "reasons", "allowedNow": False, "allowedWithDraft": True}
    assert rows["phase"]["allowedNow"] and rows["phase"]["allowedWithDraft"]
    case = gql("wij-groningen", CASE, {"id": case_id})["data"]["case"]
    assert case["reasons"] is None  # nothing was issued


def test_access_history_is_for_the_owner_and_the_municipality(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    case_id = involved_case(sessions, "partners-in-welzijn", "zowonen", phase=Phase.COURT)
    gql(
        "partners-in-welzijn",
        "query($id: ID!) { case(id: $id) { evictionDate contactName } }",
        {"id": case_id},
        purpose="eviction_prevention",
    )
    query = """query($id: ID!) { accessHistory(caseId: $id) { partner purpose
        fieldsDisclosed fieldsWithheld } }"""
    history = gql("zowonen", query, {"id": case_id})["data"]["accessHistory"]
    welfare = [h for h in history if h["partner"] == "partners-in-welzijn"]
    assert welfare == [
        {
            "partner": "partners-in-welzijn",
            "purpose": "eviction_prevention",
            "fieldsDisclosed": ["evictionDate"],
            "fieldsWithheld": ["contactName"],
        }
    ]
    assert gql("gemeente-sittard-geleen", query, {"id": case_id})["data"]["accessHistory"]
    assert error_codes(gql("partners-in-welzijn", query, {"id": case_id})) == ["NOT_ALLOWED"]


def test_a_partner_reads_its_own_side_of_the_access_log(gql: GraphQL) -> None:
    listed = gql("wij-groningen", "{ cases(first: 3) { nodes { id phase } } }")["data"]["cases"]
    ids = {n["id"] for n in listed["nodes"]}
    mine = gql("wij-groningen", "{ myDisclosures(limit: 10) { caseId partner fieldsDisclosed } }")
    entries = mine["data"]["myDisclosures"]
    assert {e["caseId"] for e in entries} == ids
    assert all(
        e["partner"] == "wij-groningen" and e["fieldsDisclosed"] == ["phase"] for e in entries
    )


def test_the_municipality_sees_the_owners_restrictions_that_override_its_covenant(
    gql: GraphQL,
) -> None:
    query = (
        """{ policies(municipality: "sittard-geleen") { id kind issuer municipality fields } }"""
    )
    officer = gql("gemeente-sittard-geleen", query)["data"]["policies"]
    restrictions = [p for p in officer if p["kind"] == "restriction"]
    # ZOwonen's "share only the eviction date", with its text: what explainAccess names.
    assert [(p["issuer"], p["municipality"], p["fields"]) for p in restrictions] == [
        ("zowonen", "*", ["evictionDate"])
    ]
    assert any(p["kind"] == "grant" for p in officer)
    # A partner working there sees the covenant, not another corporation's restriction.
    welfare = gql("partners-in-welzijn", query)["data"]["policies"]
    assert [p for p in welfare if p["kind"] == "restriction"] == []
    # Nor does another municipality's officer see it through its own list.
    other = gql("gemeente-groningen", '{ policies(municipality: "groningen") { issuer kind } }')
    assert {"issuer": "zowonen", "kind": "restriction"} not in other["data"]["policies"]


def test_the_field_catalogue_lists_every_field_with_its_groups_and_sensitivity(
    gql: GraphQL,
) -> None:
    catalogue = gql(
        "gemeente-zaanstad", "{ fieldCatalogue { name description sensitive groups } }"
    )["data"]["fieldCatalogue"]
    by_name = {f["name"]: f for f in catalogue}
    assert len(by_name) == len(catalogue)
    contact = by_name["contactPhone"]
    assert contact["sensitive"] and {"identity", "earlySignal", "homeVisit"} <= set(
        contact["groups"]
    )
    assert contact["description"] == "the tenant's phone number"
    eviction = by_name["evictionDate"]
    assert not eviction["sensitive"] and "eviction" in eviction["groups"]
    assert "ownCase" not in by_name["municipalContact"]["groups"]
    # What an officer may name in a grant: every field here is accepted, nothing else is.
    assert {"evictionDate", "annotationHomeVisit", "agreementText", "inventoryLog"} <= set(by_name)


def test_the_field_catalogue_gives_every_field_a_dutch_description(gql: GraphQL) -> None:
    query = "{ fieldCatalogue { name description descriptionNl } }"
    catalogue = gql("gemeente-zaanstad", query)["data"]["fieldCatalogue"]
    assert catalogue
    for field in catalogue:
        dutch = field["descriptionNl"]
        # Dutch, not the English copied over, and not left blank.
        assert dutch.strip() and dutch == dutch.strip(), field["name"]
        assert dutch != field["description"], field["name"]
    by_name = {f["name"]: f for f in catalogue}
    assert by_name["contactPhone"]["descriptionNl"] == "het telefoonnummer van de huurder"
    assert by_name["earlySignalledOn"]["description"] == (
        "the date of the statutory early signal to the municipality"
    )
