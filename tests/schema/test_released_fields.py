"""The GraphQL types of the released aggregates have exactly the fields their declarations fill,
and every field of the policy vocabulary is declared exactly once.

Adding a released field is its declaration (``registry/*/fields.py``) and its GraphQL field; a
field in one and not the other fails here.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from strawberry.types.base import StrawberryObjectDefinition

from policies import VocabularyError
from registry.access.fields import ReleasedField, ReleasedFields, attribute
from registry.access.vocabulary import VOCABULARY
from registry.aftercare.fields import AFTERCARE_CONTACT_FIELDS, FOLLOW_UP_FIELDS
from registry.agreements.fields import AGREEMENT_FIELDS
from registry.cases.fields import ANNOTATION_FIELDS, CASE_FIELDS
from registry.inventory.fields import INVENTORY_FIELDS
from registry.models import AnnotationKind
from registry.shelter.fields import SHELTER_FIELDS
from schema.build import build_schema

#: Per GraphQL type, its fields that no policy releases: what the row is, whose, and what the
#: policies withheld of it.
NOT_RELEASED = {
    "Case": {"id", "relation", "withheld"},
    "Agreement": {"id", "caseId", "withheld"},
    "Inventory": {"id", "caseId", "withheld", "pickupCode"},
}
TABLES: dict[str, ReleasedFields[Any, Any]] = {
    "Case": CASE_FIELDS,
    "Agreement": AGREEMENT_FIELDS,
    "Inventory": INVENTORY_FIELDS,
}


@pytest.fixture(scope="module")
def graphql_fields() -> dict[str, set[str]]:
    """Per released GraphQL type, the names of its fields as the schema serves them."""
    schema = build_schema(introspection=True)
    names = schema.config.name_converter
    fields = {}
    for type_name in TABLES:
        definition = schema.get_type_by_name(type_name)
        assert isinstance(definition, StrawberryObjectDefinition)
        fields[type_name] = {names.from_field(f) for f in definition.fields}
    return fields


@pytest.mark.parametrize("type_name", sorted(TABLES))
def test_a_type_has_exactly_the_fields_its_declarations_fill(
    graphql_fields: dict[str, set[str]], type_name: str
) -> None:
    declared = set(TABLES[type_name].field_of_graphql_name)
    assert graphql_fields[type_name] - NOT_RELEASED[type_name] == declared
    assert not NOT_RELEASED[type_name] & declared


def test_every_declared_field_is_a_field_of_the_vocabulary() -> None:
    declared = [*CASE_FIELDS, *ANNOTATION_FIELDS.values(), *AGREEMENT_FIELDS, *INVENTORY_FIELDS]
    assert [d.name for d in declared if d.name not in VOCABULARY.fields] == []


def test_every_vocabulary_field_has_exactly_one_declaration() -> None:
    declared = Counter(
        d.name
        for table in (
            CASE_FIELDS,
            ANNOTATION_FIELDS.values(),
            AGREEMENT_FIELDS,
            INVENTORY_FIELDS,
            SHELTER_FIELDS,
            AFTERCARE_CONTACT_FIELDS,
            FOLLOW_UP_FIELDS,
        )
        for d in table
    )
    assert declared == Counter(VOCABULARY.names)


def test_every_annotation_kind_is_declared() -> None:
    assert set(ANNOTATION_FIELDS) == set(AnnotationKind)


def test_a_table_refuses_a_field_twice_and_an_attribute_filled_twice() -> None:
    phase = attribute("phase", "the phase", lambda c, _: c, description_nl="de fase")
    with pytest.raises(VocabularyError, match="field 'phase' is declared twice"):
        ReleasedFields(phase, phase)
    again = ReleasedField(
        "phaseAgain", "the phase again", {"phase": lambda c, _: c}, description_nl="de fase weer"
    )
    with pytest.raises(VocabularyError, match="view attribute 'phase' is filled twice"):
        ReleasedFields(phase, again)
