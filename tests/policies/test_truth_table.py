"""Truth tables: demo partner × relation × phase × purpose × day × field → allowed, decided by
the real model.conf and the demo's real policy rows as stored in the database.

The same table is decided by node-casbin in ``test_node_casbin.py``: ``TABLE`` is the one
source of both."""

from __future__ import annotations

from collections.abc import Callable
from typing import NamedTuple

import pytest

from policies import NO_PURPOSE, AccessKey, PolicyEngine, Relation
from registry.access.vocabulary import VOCABULARY
from tests.helpers import access_key

FIELDS = VOCABULARY.names
FIELD_GROUPS = VOCABULARY.groups

HOME_VISIT = FIELD_GROUPS["homeVisit"]
EARLY_SIGNAL = FIELD_GROUPS["earlySignal"]
INVENTORY = FIELD_GROUPS["inventory"]
SECOND_CHANCE = FIELD_GROUPS["secondChance"]
EVICTION_NOTICE = frozenset({"evictionDate", "bailiff"})
STATUTORY = EARLY_SIGNAL | INVENTORY | EVICTION_NOTICE
#: The new contact details after an eviction: never the landlord's (its own-case rule).
AFTERCARE_CONTACT = FIELD_GROUPS["aftercareContact"]
#: What every demo covenant grants its municipality for aftercare, for the covenant's purpose.
MUNICIPAL_AFTERCARE = AFTERCARE_CONTACT | {"aftercareFollowUps"}
NOTHING: frozenset[str] = frozenset()

COVENANT = "eviction_prevention"
DEBT_HELP = "schuldhulpverlening"
TODAY = "2026-11-02"
AFTER_THE_COVENANT = "2029-01-01"  # the demo covenants end on 2028-12-31
BEFORE_THE_COVENANT = "2023-12-31"  # they begin on the demo history's first day


class Row(NamedTuple):
    """One request and exactly the fields it may read."""

    partner: str
    kind: str
    relation: Relation
    municipality: str
    owner: str
    phase: str
    purpose: str
    expected: frozenset[str]
    day: str = TODAY
    role: str = ""


PIW = ("partners-in-welzijn", "welfare", Relation.INVOLVED, "sittard-geleen")

TABLE: list[Row] = [
    # ZOwonen's example. From the court phase on ZOwonen shares only the eviction date with
    # every involved organisation...
    Row(*PIW, "zowonen", "court", COVENANT, frozenset({"evictionDate"})),
    Row(*PIW, "zowonen", "eviction", COVENANT, frozenset({"evictionDate"})),
    Row(
        "gkb-sittard-geleen",
        "credit_bank",
        Relation.INVOLVED,
        "sittard-geleen",
        "zowonen",
        "court",
        COVENANT,
        frozenset({"evictionDate"}),
    ),
    Row(
        "flanderijn",
        "bailiff",
        Relation.INVOLVED,
        "sittard-geleen",
        "zowonen",
        "judgment_served",
        COVENANT,
        frozenset({"evictionDate"}),
    ),
    # ...while earlier the area team's home visit for debt help sees what it needs, on
    # ZOwonen's cases as on any other owner's.
    Row(*PIW, "zowonen", "early_signal", DEBT_HELP, HOME_VISIT),
    Row(*PIW, "zowonen", "collection", DEBT_HELP, HOME_VISIT),
    Row(
        "gebiedsteam-sittard-geleen",
        "district_team",
        Relation.INVOLVED,
        "sittard-geleen",
        "zowonen",
        "early_signal",
        DEBT_HELP,
        HOME_VISIT,
    ),
    Row(*PIW, "other-corp", "collection", DEBT_HELP, HOME_VISIT),
    # Partners in Welzijn after the home-visit phases: the home-visit grant no longer applies,
    # whatever the purpose; the eviction date reaches it for the covenant's purpose.
    Row(*PIW, "other-corp", "court", DEBT_HELP, NOTHING),
    Row(*PIW, "other-corp", "court", COVENANT, frozenset({"evictionDate"})),
    Row(*PIW, "zowonen", "court", DEBT_HELP, NOTHING),
    # Before the early signal (arrears only) the home visit is not the covenant's yet.
    Row(*PIW, "other-corp", "arrears", DEBT_HELP, NOTHING),
    # A wrong purpose: the covenant's other purpose, one no grant names, or none at all.
    Row(*PIW, "other-corp", "early_signal", COVENANT, frozenset({"evictionDate"})),
    Row(*PIW, "other-corp", "early_signal", "marketing_campagne", NOTHING),
    Row(*PIW, "other-corp", "early_signal", NO_PURPOSE, NOTHING),
    # An expired grant releases nothing; nor one not yet in force.
    Row(*PIW, "other-corp", "early_signal", DEBT_HELP, NOTHING, AFTER_THE_COVENANT),
    Row(*PIW, "other-corp", "early_signal", DEBT_HELP, NOTHING, BEFORE_THE_COVENANT),
    Row(
        "flanderijn",
        "bailiff",
        Relation.INVOLVED,
        "deventer",
        "ieder1",
        "eviction",
        COVENANT,
        NOTHING,
        AFTER_THE_COVENANT,
    ),
    # The owner reads everything of its own case but how the household answered the
    # municipality's offer of help: a built-in rule, for any purpose, in any phase, any day.
    Row(
        "zowonen",
        "corporation",
        Relation.OWNER,
        "sittard-geleen",
        "zowonen",
        "court",
        NO_PURPOSE,
        frozenset(FIELDS) - {"municipalContact"} - AFTERCARE_CONTACT,
        AFTER_THE_COVENANT,
    ),
    Row(
        "nijestee",
        "corporation",
        Relation.OWNER,
        "groningen",
        "nijestee",
        "arrears",
        COVENANT,
        frozenset(FIELDS) - {"municipalContact"} - AFTERCARE_CONTACT,
    ),
    # The municipality reads the statutory early-signal fields, the eviction's date and bailiff
    # and the inventory it must store (art. 556 lid 3 Rv), whatever the purpose; a restriction
    # cannot touch them.
    Row(
        "gemeente-sittard-geleen",
        "municipality",
        Relation.MUNICIPALITY,
        "sittard-geleen",
        "zowonen",
        "eviction",
        NO_PURPOSE,
        STATUTORY,
    ),
    Row(
        "gemeente-groningen",
        "municipality",
        Relation.MUNICIPALITY,
        "groningen",
        "nijestee",
        "court",
        COVENANT,
        STATUTORY | MUNICIPAL_AFTERCARE,
    ),
    # Zaanstad's own grant (annotations) is for the covenant's purpose only.
    Row(
        "gemeente-zaanstad",
        "municipality",
        Relation.MUNICIPALITY,
        "zaanstad",
        "parteon",
        "collection",
        COVENANT,
        STATUTORY | FIELD_GROUPS["annotations"] | MUNICIPAL_AFTERCARE,
    ),
    Row(
        "gemeente-zaanstad",
        "municipality",
        Relation.MUNICIPALITY,
        "zaanstad",
        "parteon",
        "collection",
        NO_PURPOSE,
        STATUTORY,
    ),
    # Groningen lets Bureau Woonkans see what a second-chance decision needs, and the
    # agreements it monitors: no contact data.
    Row(
        "bureau-woonkans",
        "woonkans",
        Relation.INVOLVED,
        "groningen",
        "nijestee",
        "after_eviction",
        COVENANT,
        SECOND_CHANCE | FIELD_GROUPS["agreement"],
    ),
    # A Groningen grant does not reach a case in Deventer.
    Row(
        "flanderijn",
        "bailiff",
        Relation.INVOLVED,
        "deventer",
        "ieder1",
        "eviction",
        COVENANT,
        frozenset({"evictionDate", "contactName", "contactAddress"}),
    ),
    Row(
        "bureau-woonkans",
        "woonkans",
        Relation.INVOLVED,
        "deventer",
        "ieder1",
        "after_eviction",
        COVENANT,
        NOTHING,
    ),
    # A partner continuing aftercare (the involvement role a follow-up gives it) reads where
    # the household can be reached, and the aftercare fields, besides what its kind reads;
    # the same district team in another role does not.
    Row(
        "wij-groningen",
        "district_team",
        Relation.INVOLVED,
        "groningen",
        "nijestee",
        "after_eviction",
        COVENANT,
        HOME_VISIT | FIELD_GROUPS["agreementTerms"] | AFTERCARE_CONTACT | FIELD_GROUPS["aftercare"],
        role="aftercare",
    ),
    Row(
        "wij-groningen",
        "district_team",
        Relation.INVOLVED,
        "groningen",
        "nijestee",
        "after_eviction",
        COVENANT,
        HOME_VISIT | FIELD_GROUPS["agreementTerms"],
        role="home_visits",
    ),
    # ... and not for another purpose.
    Row(
        "wij-groningen",
        "district_team",
        Relation.INVOLVED,
        "groningen",
        "nijestee",
        "after_eviction",
        DEBT_HELP,
        NOTHING,
        role="aftercare",
    ),
    # Welfare has no grant in Groningen: involved, but nothing released.
    Row(
        "partners-in-welzijn",
        "welfare",
        Relation.INVOLVED,
        "groningen",
        "nijestee",
        "early_signal",
        DEBT_HELP,
        NOTHING,
    ),
    # No relation: nothing at all, whatever the grants say.
    Row(
        "wij-groningen",
        "district_team",
        Relation.NONE,
        "groningen",
        "nijestee",
        "early_signal",
        COVENANT,
        NOTHING,
    ),
    Row(
        "gemeente-zaanstad",
        "municipality",
        Relation.NONE,
        "groningen",
        "nijestee",
        "court",
        COVENANT,
        NOTHING,
    ),
]


def key_of(row: Row) -> AccessKey:
    """The access key a row's request is decided by."""
    return access_key(
        row.partner,
        row.kind,
        row.relation,
        row.municipality,
        row.owner,
        phase=row.phase,
        purpose=row.purpose,
        day=row.day,
        role=row.role,
    )


def row_id(row: Row) -> str:
    """A short name for a row in test output."""
    role = f"-{row.role}" if row.role else ""
    return f"{row.partner}-{row.relation}{role}-{row.owner}-{row.phase}-{row.purpose}-{row.day}"


@pytest.mark.parametrize("row", TABLE, ids=[row_id(r) for r in TABLE])
def test_truth_table(engine: PolicyEngine, row: Row) -> None:
    key = key_of(row)
    decisions = {d.field: d.allowed for d in engine.explain(key)}
    assert set(decisions) == set(FIELDS)  # every field decided, none skipped
    allowed = {field for field, ok in decisions.items() if ok}
    assert allowed == row.expected, (
        f"released too much: {allowed - row.expected}, too little: {row.expected - allowed}"
    )
    assert engine.readable_fields(key) == row.expected


def test_explanation_names_the_deciding_row(engine: PolicyEngine) -> None:
    welfare = access_key(*PIW, "zowonen", phase="court", purpose=COVENANT)
    decided = {d.field: d.decided_by for d in engine.explain(welfare)}
    restriction = decided["contactName"]
    grant = decided["evictionDate"]
    assert restriction.startswith("policy:") and grant.startswith("policy:")
    assert restriction != grant
    # In the early-signal phase the restriction is not in force: the home-visit grant decides.
    early = access_key(*PIW, "zowonen", phase="early_signal", purpose=DEBT_HELP)
    decided_early = {d.field: d.decided_by for d in engine.explain(early)}
    assert decided_early["contactName"].startswith("policy:")
    assert decided_early["contactName"] not in (restriction, grant)
    municipality = access_key(
        "gemeente-zaanstad", "municipality", Relation.MUNICIPALITY, "zaanstad", "parteon"
    )
    decided = {d.field: d.decided_by for d in engine.explain(municipality)}
    assert decided["contactName"] == "builtin:statutory-early-signal"
    assert decided["evictionDate"] == "builtin:statutory-eviction-notice"
    assert decided["phase"] == "default:deny"


def test_decisions_are_taken_once_per_key(demo_engine: Callable[[], PolicyEngine]) -> None:
    engine = demo_engine()
    key = access_key("wij-groningen", "district_team", Relation.INVOLVED, "groningen", "nijestee")
    engine.readable_fields(key)
    taken = engine.decisions_taken
    for _ in range(100):
        engine.readable_fields(key)
    assert engine.decisions_taken == taken == len(FIELDS)


def test_an_empty_policy_set_releases_only_the_built_in_rules() -> None:
    engine = PolicyEngine(VOCABULARY, [])
    involved = access_key("wij-groningen", "district_team", Relation.INVOLVED, "groningen", "x")
    assert engine.readable_fields(involved) == frozenset()
