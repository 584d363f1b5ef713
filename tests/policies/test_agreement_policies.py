"""Truth tables for agreements, against the real permissions and model: who may take which
agreement action, and which agreement fields the demo covenants release to whom."""

from __future__ import annotations

import pytest

from policies import Permission, PolicyEngine, PolicyRow, Relation, permits
from policies.decisions import PolicyEffect
from registry.access.vocabulary import VOCABULARY
from registry.agreements.fields import AGREEMENT_FIELDS as AGREEMENT_DECLARED
from tests.helpers import access_key

AGREEMENT_FIELDS = AGREEMENT_DECLARED.names
FIELD_GROUPS = VOCABULARY.groups

P = Permission
ACTIONS = {
    # permission: the (kind, relation) pairs that may, out of those tried below
    P.AGREEMENT_PROPOSE: {
        ("woonkans", "involved"),
        ("district_team", "involved"),
        ("corporation", "owner"),
    },
    P.AGREEMENT_CONSENT_RECORD: {
        ("woonkans", "involved"),
        ("district_team", "involved"),
        ("corporation", "owner"),
    },
    P.AGREEMENT_SIGN: {
        (kind, relation)
        for kind in (
            "woonkans",
            "district_team",
            "corporation",
            "municipality",
            "credit_bank",
            "care",
        )
        for relation in ("owner", "municipality", "involved")
    },
    P.AGREEMENT_REVIEW_RECORD: {("woonkans", "involved")},
    P.AGREEMENT_CLOSE: {("woonkans", "involved")},
    P.AGREEMENT_REVIEWS_DUE: {
        ("woonkans", r) for r in ("owner", "municipality", "involved", "none")
    },
    P.AGREEMENT_FIGURES_READ: {
        (k, r)
        for k in ("woonkans", "municipality")
        for r in ("owner", "municipality", "involved", "none")
    },
}
KINDS = ("woonkans", "district_team", "corporation", "municipality", "credit_bank", "care")
RELATIONS = ("owner", "municipality", "involved", "none")


@pytest.mark.parametrize("permission", list(ACTIONS))
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("relation", RELATIONS)
def test_agreement_permissions(permission: Permission, kind: str, relation: str) -> None:
    assert permits(kind, relation, permission) is ((kind, relation) in ACTIONS[permission])


GRONINGEN = (
    PolicyRow(
        "g1",
        PolicyEffect.GRANT,
        "kind:woonkans",
        "involved",
        "groningen",
        "*",
        ("secondChance", "agreement"),
    ),
    PolicyRow(
        "g2",
        PolicyEffect.GRANT,
        "kind:district_team",
        "involved",
        "groningen",
        "*",
        ("homeVisit", "agreementTerms"),
    ),
    PolicyRow("r1", PolicyEffect.RESTRICTION, "*", "involved", "*", "zowonen", ("evictionDate",)),
)
ALL_AGREEMENT = frozenset(AGREEMENT_FIELDS)


@pytest.mark.parametrize(
    ("partner", "kind", "relation", "municipality", "owner", "agreement_fields"),
    [
        ("bureau-woonkans", "woonkans", Relation.INVOLVED, "groningen", "nijestee", ALL_AGREEMENT),
        (
            "wij-groningen",
            "district_team",
            Relation.INVOLVED,
            "groningen",
            "nijestee",
            FIELD_GROUPS["agreementTerms"],
        ),
        ("nijestee", "corporation", Relation.OWNER, "groningen", "nijestee", ALL_AGREEMENT),
        (
            "gemeente-groningen",
            "municipality",
            Relation.MUNICIPALITY,
            "groningen",
            "nijestee",
            frozenset(),
        ),
        ("meldpunt", "care", Relation.INVOLVED, "groningen", "nijestee", frozenset()),
        ("bureau-woonkans", "woonkans", Relation.INVOLVED, "zaanstad", "parteon", frozenset()),
        # An owner's restriction narrows agreement fields too, whatever a grant says.
        ("bureau-woonkans", "woonkans", Relation.INVOLVED, "groningen", "zowonen", frozenset()),
        ("bureau-woonkans", "woonkans", Relation.NONE, "groningen", "nijestee", frozenset()),
    ],
)
def test_agreement_fields_released_by_the_demo_covenant(
    partner: str,
    kind: str,
    relation: Relation,
    municipality: str,
    owner: str,
    agreement_fields: frozenset[str],
) -> None:
    readable = PolicyEngine(VOCABULARY, GRONINGEN).readable_fields(
        access_key(partner, kind, relation, municipality, owner)
    )
    assert readable & ALL_AGREEMENT == agreement_fields


def test_the_terms_a_party_signs_leave_out_reviews_and_the_log() -> None:
    assert FIELD_GROUPS["agreementTerms"] == ALL_AGREEMENT - {"agreementReviews", "agreementLog"}
