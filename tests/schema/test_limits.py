"""What a document costs before it runs: depth (introspection included) and the most objects
its answer may hold, measured on the real schema."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import get_introspection_query, parse

from registry.errors import InvalidInputError
from schema.build import build_schema
from schema.limits import UNPAGED_LIST_SIZE, Cost, check, operation_costs

SCHEMA = build_schema(introspection=True)._schema


def cost(document: str, variables: dict[str, Any] | None = None) -> Cost:
    (measured,) = operation_costs(SCHEMA, parse(document), variables).values()
    return measured


def test_a_list_counts_at_its_page_size_or_the_default_one() -> None:
    assert cost("{ cases { nodes { id } } }") == Cost(depth=2, objects=1 + 50)
    assert cost("{ cases(first: 500) { nodes { id } pageInfo { hasNextPage } } }").objects == (
        1 + 500 + 1
    )
    assert cost("{ myDisclosures(limit: 7) { caseId } }").objects == 7
    assert cost("{ webhookDeliveries { id } }").objects == 50


def test_a_list_without_a_page_size_counts_a_few_items_and_nesting_multiplies() -> None:
    nested = "{ cases(first: 10) { nodes { id involvements { partner } } } }"
    assert cost(nested) == Cost(depth=3, objects=1 + 10 * (1 + UNPAGED_LIST_SIZE))


def test_aliases_and_fragments_add_up() -> None:
    aliased = " ".join(f"a{i}: cases(first: 500) {{ nodes {{ id }} }}" for i in range(30))
    assert cost("{ " + aliased + " }").objects == 30 * 501
    spread = """{ ...Page a: cases(first: 100) { ...Nodes } }
        fragment Page on Query { cases(first: 200) { ...Nodes } }
        fragment Nodes on CaseConnection { nodes { id } }"""
    assert cost(spread).objects == (1 + 200) + (1 + 100)


@pytest.mark.parametrize(
    ("variables", "objects"),
    [({"n": 500}, 501), ({"n": 500.0}, 501), ({}, 301), ({"n": "500"}, 51), ({"n": None}, 51)],
    ids=["given", "float", "variable-default", "not-an-int", "null"],
)
def test_a_page_size_from_a_variable_counts_as_execution_will_take_it(
    variables: dict[str, Any], objects: int
) -> None:
    # "500" and null are refused when the variables are coerced; they count the default here.
    assert cost("query($n: Int = 300) { cases(first: $n) { nodes { id } } }", variables) == Cost(
        2, objects
    )


def test_a_fragment_is_measured_once_however_often_it_is_spread() -> None:
    # Each fragment spreads the next twice: 2^60 paths, measured in 61 steps.
    fragments = " ".join(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}" for i in range(60))
    document = "{ ...F0 } " + fragments + " fragment F60 on Query { cases { nodes { id } } }"
    assert cost(document).objects == 2**60 * 51


def test_cycles_and_unknown_names_cost_nothing_here() -> None:
    cyclic = (
        "{ ...A } fragment A on Query { ...B } fragment B on Query { ...A cases { nodes { id } } }"
    )
    assert cost(cyclic).objects == 51
    assert cost("{ ...Missing nope { id } cases { nodes { nope } } }") == Cost(2, 51)


def test_introspection_counts_for_depth_but_holds_no_objects() -> None:
    assert cost("{ __schema { types { fields { type { fields { name } } } } } }") == Cost(5, 0)
    # The wrapper chain of a type reference is free, so IDEs' schema queries stay shallow.
    assert cost(get_introspection_query()) == Cost(depth=5, objects=0)


def test_the_limits_name_the_operation_its_cost_and_the_limit() -> None:
    document = parse(
        "query Big { a: cases(first: 500) { nodes { id } } b: cases { nodes { id } } }"
    )
    (error,) = check(SCHEMA, document, None, max_depth=10, max_cost=500)
    assert error.message.startswith("'Big' costs 552, over the maximum cost of 500: ")
    (error,) = check(SCHEMA, document, None, max_depth=1, max_cost=1000)
    assert error.message == "'Big' nests fields 2 deep: it exceeds maximum operation depth of 1"
    assert check(SCHEMA, document, None, max_depth=2, max_cost=552) == []


def test_an_input_object_larger_than_any_input_type_is_refused() -> None:
    fields = " ".join(f"f{i}: 1" for i in range(40))
    (error,) = check(
        SCHEMA,
        parse(f"{{ cases(filter: {{ {fields} }}) {{ nodes {{ id }} }} }}"),
        None,
        max_depth=10,
        max_cost=1000,
    )
    assert error.message == "an input object with 40 fields: no input type has that many"


@pytest.mark.parametrize(
    ("document", "variables"),
    [
        ('{ cases(filter: { municipality: "a\\u0000b" }) { nodes { id } } }', None),
        (
            "query($m: String) { cases(filter: { municipality: $m }) { nodes { id } } }",
            {"m": "\x00"},
        ),
        (
            "query($f: CaseFilterInput) { cases(filter: $f) { nodes { id } } }",
            {"f": {"owner": "\ud800"}},
        ),
    ],
    ids=["nul-literal", "nul-variable", "lone-surrogate-nested"],
)
def test_text_no_database_stores_is_invalid_input(
    document: str, variables: dict[str, Any] | None
) -> None:
    (error,) = check(SCHEMA, parse(document), variables, max_depth=10, max_cost=1000)
    assert isinstance(error.original_error, InvalidInputError)
    assert "NUL character or a lone surrogate" in error.message
