"""The SDK's typed results agree with the registry's schema: every operation of
``clients.operations`` is a valid document against ``schema/schema.graphql``, and its result
type (``clients.results``) has exactly the keys it selects, each nullable exactly when the
schema's field is, of the Python type the JSON of that GraphQL type arrives as."""

from __future__ import annotations

import types
import typing
from pathlib import Path
from typing import Any

import pytest

from clients import operations

graphql = pytest.importorskip("graphql", reason="graphql-core checks the documents (dev extra)")

SDL = Path(__file__).parent.parent.parent / "schema" / "schema.graphql"
#: What the JSON of each scalar arrives as (Decimal as text: no cent is lost).
SCALARS: dict[str, Any] = {
    "ID": str,
    "String": str,
    "Date": str,
    "DateTime": str,
    "Decimal": str,
    "Int": int,
    "Float": float,
    "Boolean": bool,
    "JSON": Any,
}


@pytest.fixture(scope="module")
def schema() -> Any:
    if not SDL.exists():  # the SDK installed alone, without the server's checkout
        pytest.skip("schema/schema.graphql is not here")
    return graphql.build_schema(SDL.read_text(encoding="utf-8"))


def _optional(hint: Any) -> tuple[Any, bool]:
    """``X | None`` -> ``(X, True)``; anything else -> ``(hint, False)``."""
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        rest = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(rest) == 1 and len(typing.get_args(hint)) == 2:
            return rest[0], True
    return hint, False


def _check(gql_type: Any, hint: Any, selection: Any, path: str) -> list[str]:
    """Problems of ``hint`` as the Python type of a field of ``gql_type`` selected so."""
    inner, optional = _optional(hint)
    nullable = not graphql.is_non_null_type(gql_type)
    problems = []
    if optional != nullable:
        problems.append(f"{path}: {'nullable' if nullable else 'non-null'} in the schema")
    gql_type = graphql.get_nullable_type(gql_type)
    if graphql.is_list_type(gql_type):
        if typing.get_origin(inner) is not list:
            return [*problems, f"{path}: a list in the schema, {inner!r} here"]
        return problems + _check(gql_type.of_type, typing.get_args(inner)[0], selection, path)
    if graphql.is_enum_type(gql_type):
        return problems + ([] if inner is str else [f"{path}: an enum is a str, not {inner!r}"])
    if graphql.is_scalar_type(gql_type):
        expected = SCALARS[gql_type.name]
        ok = inner is expected
        return problems + ([] if ok else [f"{path}: {gql_type.name} is {expected}, not {inner}"])
    hints = typing.get_type_hints(inner)
    selected = {(s.alias or s.name).value: s for s in selection.selections}
    if set(hints) != set(selected):
        return [
            *problems,
            f"{path}: selected {sorted(selected)}, typed {sorted(hints)} ({inner.__name__})",
        ]
    for key, field_node in selected.items():
        field = gql_type.fields[field_node.name.value]
        problems += _check(field.type, hints[key], field_node.selection_set, f"{path}.{key}")
    return problems


@pytest.mark.parametrize("name", sorted(operations.OPERATIONS))
def test_each_operation_is_valid_and_its_result_type_matches_the_schema(
    schema: Any, name: str
) -> None:
    spec = operations.OPERATIONS[name]
    document = graphql.parse(spec.document)

    assert graphql.validate(schema, document) == []
    (definition,) = document.definitions
    (top,) = definition.selection_set.selections
    assert top.name.value == spec.field
    root = schema.mutation_type if definition.operation.value == "mutation" else schema.query_type
    field = root.fields[spec.field]
    assert _check(field.type, spec.result, top.selection_set, spec.field) == []


def test_the_check_notices_a_missing_key_a_wrong_nullability_and_a_wrong_type(
    schema: Any,
) -> None:
    class Wrong(typing.TypedDict):
        origin: str | None  # non-null in the schema
        size: str  # an Int
        rootHash: str  # ...and note, signedAt, verifierKey are not typed

    top = graphql.parse("{ auditLogCheckpoint { origin size rootHash note } }")
    selection = top.definitions[0].selection_set.selections[0].selection_set
    field = schema.query_type.fields["auditLogCheckpoint"]
    assert _check(field.type, Wrong, selection, "c") == [
        "c: selected ['note', 'origin', 'rootHash', 'size'], typed ['origin', 'rootHash', "
        "'size'] (Wrong)"
    ]
    del top, selection
    top = graphql.parse("{ auditLogCheckpoint { origin size rootHash } }")
    selection = top.definitions[0].selection_set.selections[0].selection_set
    assert _check(field.type, Wrong, selection, "c") == [
        "c.origin: non-null in the schema",
        "c.size: Int is <class 'int'>, not <class 'str'>",
    ]


def test_every_public_operation_builder_is_checked() -> None:
    built = {
        getattr(operations, name)
        for name in operations.__all__
        if name not in {"OPERATIONS", "Operation"}
    }
    assert len(built) == len(operations.OPERATIONS)
