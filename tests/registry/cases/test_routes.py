"""Routes by reason through the real app: a nuisance case goes from registration to a
behaviour agreement without any arrears field, preconditions or early signal; a case of
illegal use takes the same road to court but has no mediation or behaviour agreement; each
route refuses what is not its own, with nothing changed."""

from __future__ import annotations

from typing import Any

from tests.conftest import GraphQL
from tests.helpers import error_codes

REGISTER = """mutation($input: RegisterCaseInput!) { registerCase(input: $input) {
  id phase reasons arrearsAmount arrearsMonths earlySignalledOn signals { signalledOn } } }"""
ANNOTATE = """mutation($c: ID!, $kind: AnnotationKind!) { addAnnotation(input: {caseId: $c,
  kind: $kind, occurredOn: "2026-11-02"}) { id kind author } }"""
MOVE = """mutation($id: ID!, $to: Phase!) { moveCase(id: $id, to: $to) { id phase } }"""
JUDGMENT = """mutation($id: ID!) { requestJudgment(id: $id, requestedOn: "2026-11-02") {
  id phase } }"""


def _case(reasons: list[str], **more: Any) -> dict[str, Any]:
    return {
        "municipality": "zaanstad",
        "householdComposition": "SINGLE",
        "childrenInvolved": False,
        "reasons": reasons,
        "contact": {"name": "Test Huishouden", "address": "Proefweg 3", "postalCode": "1501 AB"},
        **more,
    }


def _ok(body: dict[str, Any], field: str) -> Any:
    assert "errors" not in body, body
    return body["data"][field]


def test_a_nuisance_case_from_registration_to_a_behaviour_agreement(gql: GraphQL) -> None:
    case = _ok(gql("parteon", REGISTER, {"input": _case(["NUISANCE"])}), "registerCase")
    # No arrears, no preconditions, no early signal: the corporation's intervention.
    assert case["phase"] == "INTERVENTION"
    assert (case["arrearsAmount"], case["arrearsMonths"], case["earlySignalledOn"]) == (
        None,
        None,
        None,
    )
    assert case["signals"] == []
    # Not through the early signal: the route refuses it and says what may follow.
    early = gql("parteon", MOVE, {"id": case["id"], "to": "EARLY_SIGNAL"})
    assert error_codes(early) == ["CONFLICT"]
    assert early["errors"][0]["message"].startswith(
        "illegal transition: moveCase to early_signal is not allowed from phase intervention; "
        "allowed: requestJudgment to court"
    )
    for kind in ("WARNING", "MEDIATION", "BEHAVIOUR_AGREEMENT"):
        added = _ok(gql("parteon", ANNOTATE, {"c": case["id"], "kind": kind}), "addAnnotation")
        assert (added["kind"], added["author"]) == (kind, "parteon")
    kinds = gql("parteon", "query($c: ID!) { annotations(caseId: $c) { kind } }", {"c": case["id"]})
    # Recorded at one instant of the test's clock: compared as a set.
    assert {a["kind"] for a in _ok(kinds, "annotations")} == {
        "WARNING",
        "MEDIATION",
        "BEHAVIOUR_AGREEMENT",
    }
    # The agreement broken, the corporation goes to court; a refusal brings it back.
    assert _ok(gql("parteon", JUDGMENT, {"id": case["id"]}), "requestJudgment")["phase"] == "COURT"
    back = _ok(gql("parteon", MOVE, {"id": case["id"], "to": "INTERVENTION"}), "moveCase")
    assert back["phase"] == "INTERVENTION"
    collection = gql("parteon", MOVE, {"id": case["id"], "to": "COLLECTION"})
    assert error_codes(collection) == ["CONFLICT"]


def test_illegal_use_goes_to_court_without_mediation(gql: GraphQL) -> None:
    case = _ok(gql("parteon", REGISTER, {"input": _case(["ILLEGAL_ACTIVITY"])}), "registerCase")
    assert case["phase"] == "INTERVENTION"
    _ok(gql("parteon", ANNOTATE, {"c": case["id"], "kind": "WARNING"}), "addAnnotation")
    mediation = gql("parteon", ANNOTATE, {"c": case["id"], "kind": "MEDIATION"})
    assert error_codes(mediation) == ["INVALID_INPUT"]
    assert mediation["errors"][0]["message"] == (
        "a mediation annotation belongs to a case of nuisance"
    )
    assert _ok(gql("parteon", JUDGMENT, {"id": case["id"]}), "requestJudgment")["phase"] == "COURT"


def test_rent_arrears_with_nuisance_takes_the_arrears_route(gql: GraphQL) -> None:
    both = _case(
        ["RENT_ARREARS", "NUISANCE"],
        arrearsAmount="1300.00",
        arrearsMonths=2,
        contactAttempted=True,
        debtHelpReferred=True,
        reminderSent=True,
        tenantDidNotObject=True,
    )
    case = _ok(gql("parteon", REGISTER, {"input": both}), "registerCase")
    assert case["phase"] == "EARLY_SIGNAL"
    assert [s["signalledOn"] is not None for s in case["signals"]] == [True]
    # Nuisance among the reasons: a behaviour agreement is in place here too.
    _ok(gql("parteon", ANNOTATE, {"c": case["id"], "kind": "BEHAVIOUR_AGREEMENT"}), "addAnnotation")


def test_each_route_refuses_what_is_not_its_own(gql: GraphQL) -> None:
    arrears_on_nuisance = gql(
        "parteon", REGISTER, {"input": _case(["NUISANCE"], arrearsAmount="10.00", arrearsMonths=1)}
    )
    assert error_codes(arrears_on_nuisance) == ["INVALID_INPUT"]
    assert arrears_on_nuisance["errors"][0]["message"] == (
        "a case without rent_arrears among its reasons records no arrears; "
        "add RENT_ARREARS to the reasons"
    )
    no_arrears = gql(
        "parteon",
        REGISTER,
        {
            "input": _case(
                ["RENT_ARREARS"],
                contactAttempted=True,
                debtHelpReferred=True,
                reminderSent=True,
                tenantDidNotObject=True,
            )
        },
    )
    assert error_codes(no_arrears) == ["INVALID_INPUT"]
    assert no_arrears["errors"][0]["message"] == (
        "a rent-arrears case needs arrearsAmount and arrearsMonths"
    )
    unchecked = gql(
        "parteon",
        REGISTER,
        {"input": _case(["RENT_ARREARS"], arrearsAmount="10.00", arrearsMonths=1)},
    )
    assert error_codes(unchecked) == ["INVALID_INPUT"]
    assert unchecked["errors"][0]["message"].startswith(
        "the early signal needs its statutory preconditions; not met: "
    )
    listed = gql("parteon", "{ cases(filter: {phase: INTERVENTION}) { nodes { id } } }")
    assert _ok(listed, "cases")["nodes"] == []  # nothing was registered
