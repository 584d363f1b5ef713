"""Truth tables for stored inventory, against the real permissions, model and the demo's stored
policy rows: who may take which inventory action, and which inventory fields reach whom."""

from __future__ import annotations

import pytest

from policies import Permission, PolicyEngine, Relation, permits
from registry.access.vocabulary import VOCABULARY
from registry.inventory.fields import INVENTORY_FIELDS as INVENTORY_DECLARED
from tests.helpers import access_key

INVENTORY_FIELDS = INVENTORY_DECLARED.names

P = Permission
KINDS = ("bailiff", "municipality", "storage", "corporation", "district_team", "woonkans")
RELATIONS = ("owner", "municipality", "involved", "none")
ACTIONS = {
    # permission: the (kind, relation) pairs that may, out of those tried below
    P.INVENTORY_RECORD: {("bailiff", "involved"), ("municipality", "municipality")},
    P.INVENTORY_KEEP: {("storage", r) for r in RELATIONS},
    P.PICKUP_REQUEST: {
        ("storage", "involved"),
        ("bailiff", "involved"),
        ("municipality", "municipality"),
    },
    P.MUNICIPAL_CONTACT_RECORD: {("municipality", "municipality")},
    P.PICKUP_RELEASE: {("municipality", "municipality")},
    P.COLLECTION_RECORD: {("storage", "involved"), ("municipality", "municipality")},
    P.DISPOSAL_RECORD: {("municipality", "municipality")},
    P.INVENTORY_CLOCKS_READ: {("municipality", r) for r in RELATIONS},
}


@pytest.mark.parametrize("permission", list(ACTIONS))
@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("relation", RELATIONS)
def test_inventory_permissions(permission: Permission, kind: str, relation: str) -> None:
    assert permits(kind, relation, permission) is ((kind, relation) in ACTIONS[permission])


ALL = frozenset(INVENTORY_FIELDS)
TABLE = [
    # The storage provider learns whether a release is authorised, and nothing else.
    (
        "opslag-zaanstad",
        "storage",
        Relation.INVOLVED,
        "zaanstad",
        "parteon",
        frozenset({"inventoryReleaseAuthorised"}),
    ),
    # The bailiff reads what it recorded and the pickups it may ask for; not the contact.
    (
        "kerckhoffs-lasonder",
        "bailiff",
        Relation.INVOLVED,
        "zaanstad",
        "parteon",
        frozenset({"inventoryStorage", "inventoryDates", "inventoryPickup"}),
    ),
    # The municipality reads all of it, by statute, in every municipality.
    ("gemeente-zaanstad", "municipality", Relation.MUNICIPALITY, "zaanstad", "parteon", ALL),
    ("gemeente-deventer", "municipality", Relation.MUNICIPALITY, "deventer", "ieder1", ALL),
    # The district team's covenant holds no inventory fields.
    (
        "wijkteam-zaandam-noord",
        "district_team",
        Relation.INVOLVED,
        "zaanstad",
        "parteon",
        frozenset(),
    ),
    # No covenant for storage outside Zaanstad; and no relation, nothing at all.
    ("opslag-zaanstad", "storage", Relation.INVOLVED, "deventer", "ieder1", frozenset()),
    ("opslag-zaanstad", "storage", Relation.NONE, "zaanstad", "parteon", frozenset()),
]


@pytest.mark.parametrize(
    ("partner", "kind", "relation", "municipality", "owner", "expected"),
    TABLE,
    ids=[f"{row[0]}-{row[2]}-{row[3]}" for row in TABLE],
)
def test_inventory_fields(
    engine: PolicyEngine,
    partner: str,
    kind: str,
    relation: Relation,
    municipality: str,
    owner: str,
    expected: frozenset[str],
) -> None:
    readable = engine.readable_fields(access_key(partner, kind, relation, municipality, owner))
    assert readable & ALL == expected


def test_the_storage_provider_reads_nothing_of_the_case_itself(engine: PolicyEngine) -> None:
    key = access_key("opslag-zaanstad", "storage", Relation.INVOLVED, "zaanstad", "parteon")
    assert engine.readable_fields(key) == {"inventoryReleaseAuthorised"}


def test_the_municipality_reads_the_inventory_by_a_built_in_rule() -> None:
    key = access_key(
        "gemeente-zaanstad", "municipality", Relation.MUNICIPALITY, "zaanstad", "parteon"
    )
    decided = {d.field: d.decided_by for d in PolicyEngine(VOCABULARY, []).explain(key)}
    assert {decided[f] for f in INVENTORY_FIELDS} == {"builtin:statutory-storage"}
