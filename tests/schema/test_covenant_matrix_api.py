"""The covenant matrix through the real app: Sittard-Geleen's covenant as its partners read it,
per kind × relation × phase × group, with ZOwonen's restriction shown for ZOwonen's cases."""

from __future__ import annotations

from typing import Any

from tests.conftest import GraphQL
from tests.helpers import error_codes

MATRIX = """query($m: String!, $p: String!, $o: String, $g: [String!]) {
  covenantMatrix(municipality: $m, purpose: $p, owner: $o, groups: $g) {
    subject relation phase group released withheld decidedBy } }"""


def _cells(body: dict[str, Any]) -> dict[tuple[str, str, str], dict[str, Any]]:
    assert "errors" not in body, body
    return {(c["subject"], c["phase"], c["group"]): c for c in body["data"]["covenantMatrix"]}


def test_the_matrix_shows_the_home_visit_by_phase_and_purpose(gql: GraphQL) -> None:
    variables = {"m": "sittard-geleen", "p": "schuldhulpverlening", "g": ["identity"]}
    cells = _cells(gql("partners-in-welzijn", MATRIX, variables))
    early = cells[("kind:welfare", "early_signal", "identity")]
    assert "contactName" in early["released"] and "contactEmail" in early["withheld"]
    assert any(d.startswith("policy:") for d in early["decidedBy"])
    court = cells[("kind:welfare", "court", "identity")]
    assert court["released"] == [] and court["decidedBy"] == ["default:deny"]
    # The municipality's statutory early-signal fields, in every phase, whatever the purpose.
    own = cells[("partner:gemeente-sittard-geleen", "court", "identity")]
    assert own["relation"] == "MUNICIPALITY" and own["withheld"] == []
    assert own["decidedBy"] == ["builtin:statutory-early-signal"]


def test_an_owner_s_restriction_shows_for_its_cases(gql: GraphQL) -> None:
    variables = {
        "m": "sittard-geleen",
        "p": "eviction_prevention",
        "o": "zowonen",
        "g": ["eviction"],
    }
    cells = _cells(gql("gemeente-sittard-geleen", MATRIX, variables))
    court = cells[("kind:welfare", "court", "eviction")]
    assert court["released"] == ["evictionDate"]
    assert any(d.startswith("policy:") for d in court["decidedBy"])


def test_the_matrix_is_for_the_municipality_s_partners(gql: GraphQL) -> None:
    body = gql("gemeente-zaanstad", MATRIX, {"m": "sittard-geleen", "p": "x"})
    assert error_codes(body) == ["NOT_ALLOWED"]
    body = gql(
        "gemeente-sittard-geleen",
        MATRIX,
        {"m": "sittard-geleen", "p": "x", "g": ["nonsense"]},
    )
    assert error_codes(body) == ["INVALID_INPUT"]
    assert "unknown field group: nonsense" in body["errors"][0]["message"]
