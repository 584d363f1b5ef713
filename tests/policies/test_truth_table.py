"""Truth tables: demo partner × relation × field → allowed, decided by the real model.conf and
the demo's real policy rows as stored in the database."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from policies import AccessKey, PolicyEngine, Relation
from registry.access.vocabulary import VOCABULARY

FIELDS = VOCABULARY.names
FIELD_GROUPS = VOCABULARY.groups

HOME_VISIT = FIELD_GROUPS["homeVisit"]
EARLY_SIGNAL = FIELD_GROUPS["earlySignal"]
INVENTORY = FIELD_GROUPS["inventory"]
SECOND_CHANCE = FIELD_GROUPS["secondChance"]
EVICTION_NOTICE = frozenset({"evictionDate", "bailiff"})


# (partner, kind, relation, municipality, owner) → exactly the fields it reads
TABLE: list[tuple[str, str, Relation, str, str, frozenset[str]]] = [
    # ZOwonen shares only the eviction date with every involved organisation...
    (
        "partners-in-welzijn",
        "welfare",
        Relation.INVOLVED,
        "sittard-geleen",
        "zowonen",
        frozenset({"evictionDate"}),
    ),
    (
        "gkb-sittard-geleen",
        "credit_bank",
        Relation.INVOLVED,
        "sittard-geleen",
        "zowonen",
        frozenset({"evictionDate"}),
    ),
    (
        "gebiedsteam-sittard-geleen",
        "district_team",
        Relation.INVOLVED,
        "sittard-geleen",
        "zowonen",
        frozenset({"evictionDate"}),
    ),
    (
        "flanderijn",
        "bailiff",
        Relation.INVOLVED,
        "sittard-geleen",
        "zowonen",
        frozenset({"evictionDate"}),
    ),
    # ...while the same covenant releases the home-visit fields of another owner's case.
    (
        "partners-in-welzijn",
        "welfare",
        Relation.INVOLVED,
        "sittard-geleen",
        "other-corp",
        HOME_VISIT,
    ),
    # The owner reads everything of its own case but how the household answered the
    # municipality's offer of help.
    (
        "zowonen",
        "corporation",
        Relation.OWNER,
        "sittard-geleen",
        "zowonen",
        frozenset(FIELDS) - {"municipalContact"},
    ),
    (
        "nijestee",
        "corporation",
        Relation.OWNER,
        "groningen",
        "nijestee",
        frozenset(FIELDS) - {"municipalContact"},
    ),
    # The municipality reads the statutory early-signal fields, the eviction's date and bailiff
    # and the inventory it must store (art. 556 lid 3 Rv); a restriction cannot touch them.
    (
        "gemeente-sittard-geleen",
        "municipality",
        Relation.MUNICIPALITY,
        "sittard-geleen",
        "zowonen",
        EARLY_SIGNAL | INVENTORY | EVICTION_NOTICE,
    ),
    (
        "gemeente-groningen",
        "municipality",
        Relation.MUNICIPALITY,
        "groningen",
        "nijestee",
        EARLY_SIGNAL | INVENTORY | EVICTION_NOTICE,
    ),
    # Groningen lets Bureau Woonkans see what a second-chance decision needs, and the
    # agreements it monitors: no contact data.
    (
        "bureau-woonkans",
        "woonkans",
        Relation.INVOLVED,
        "groningen",
        "nijestee",
        SECOND_CHANCE | FIELD_GROUPS["agreement"],
    ),
    # A Groningen grant does not reach a case in Deventer.
    (
        "flanderijn",
        "bailiff",
        Relation.INVOLVED,
        "deventer",
        "ieder1",
        frozenset({"evictionDate", "contactName", "contactAddress"}),
    ),
    ("bureau-woonkans", "woonkans", Relation.INVOLVED, "deventer", "ieder1", frozenset()),
    # Welfare has no grant in Groningen: involved, but nothing released.
    ("partners-in-welzijn", "welfare", Relation.INVOLVED, "groningen", "nijestee", frozenset()),
    # No relation: nothing at all, whatever the grants say.
    ("wij-groningen", "district_team", Relation.NONE, "groningen", "nijestee", frozenset()),
    ("gemeente-zaanstad", "municipality", Relation.NONE, "groningen", "nijestee", frozenset()),
]


@pytest.mark.parametrize(
    ("partner", "kind", "relation", "municipality", "owner", "expected"),
    TABLE,
    ids=[f"{row[0]}-{row[2]}-{row[3]}-{row[4]}" for row in TABLE],
)
def test_truth_table(
    engine: PolicyEngine,
    partner: str,
    kind: str,
    relation: Relation,
    municipality: str,
    owner: str,
    expected: frozenset[str],
) -> None:
    key = AccessKey(partner, kind, relation, municipality, owner)
    decisions = {d.field: d.allowed for d in engine.explain(key)}
    assert set(decisions) == set(FIELDS)  # every field decided, none skipped
    allowed = {field for field, ok in decisions.items() if ok}
    assert allowed == expected, (
        f"released too much: {allowed - expected}, too little: {expected - allowed}"
    )
    assert engine.readable_fields(key) == expected


def test_explanation_names_the_deciding_row(engine: PolicyEngine) -> None:
    welfare = AccessKey(
        "partners-in-welzijn", "welfare", Relation.INVOLVED, "sittard-geleen", "zowonen"
    )
    decided = {d.field: d.decided_by for d in engine.explain(welfare)}
    restriction = decided["contactName"]
    grant = decided["evictionDate"]
    assert restriction.startswith("policy:") and grant.startswith("policy:")
    assert restriction != grant
    municipality = AccessKey(
        "gemeente-zaanstad", "municipality", Relation.MUNICIPALITY, "zaanstad", "parteon"
    )
    decided = {d.field: d.decided_by for d in engine.explain(municipality)}
    assert decided["contactName"] == "builtin:statutory-early-signal"
    assert decided["phase"] == "default:deny"


def test_decisions_are_taken_once_per_key(demo_engine: Callable[[], PolicyEngine]) -> None:
    engine = demo_engine()
    key = AccessKey("wij-groningen", "district_team", Relation.INVOLVED, "groningen", "nijestee")
    engine.readable_fields(key)
    taken = engine.decisions_taken
    for _ in range(100):
        engine.readable_fields(key)
    assert engine.decisions_taken == taken == len(FIELDS)


def test_an_empty_policy_set_releases_only_the_built_in_rules() -> None:
    engine = PolicyEngine(VOCABULARY, [])
    involved = AccessKey("wij-groningen", "district_team", Relation.INVOLVED, "groningen", "x")
    assert engine.readable_fields(involved) == frozenset()
