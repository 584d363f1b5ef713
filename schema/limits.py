"""The limits a request is held to before graphql-core validates and runs it.

Each check here is linear in the size of the request, and runs first, so that no document
within the token and body limits makes the registry work for long, not even while it is being
refused:

- **depth**: how deeply fields nest, introspection fields included;
- **cost**: the most objects the answer may hold. A list counts at its page size (its own
  ``first`` or ``limit``, or that of the connection field above it, or the argument's default),
  times the lists and aliases above it. Every object counts one, fields of scalars nothing
  (each object has a bounded number of them). A list without a page size counts
  ``UNPAGED_LIST_SIZE`` items. Introspection counts nothing: it is answered from the schema in
  memory, and graphql-core's own rule stops its recursion;
- **input objects** with more fields than any input type has (necessarily wrong, and each
  of graphql-core's errors about them would print the whole object again);
- **text** no database stores: a NUL character (PostgreSQL refuses it, SQLite keeps it) or a
  lone surrogate (neither encodes it), in a variable or a string in the document.

Fragments are measured once each (per page size), so spreading a fragment many times costs
the check nothing extra; a fragment cycle counts nothing (validation reports it).
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInt,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    NamedTypeNode,
    Node,
    ObjectValueNode,
    OperationDefinitionNode,
    SchemaMetaFieldDef,
    SelectionSetNode,
    StringValueNode,
    TypeMetaFieldDef,
    TypeNameMetaFieldDef,
    Undefined,
    ValueNode,
    VariableNode,
    get_named_type,
    get_nullable_type,
    is_composite_type,
    is_introspection_type,
    is_list_type,
    value_from_ast,
)
from graphql.language.ast import QUERY_DOCUMENT_KEYS

from registry.errors import InvalidInputError

#: Arguments that say how many items a list holds.
PAGE_SIZE_ARGUMENTS = ("first", "limit")
#: How many items a list without a page size argument counts as.
UNPAGED_LIST_SIZE = 3

_Value = StringValueNode | ObjectValueNode


@dataclass(frozen=True)
class Cost:
    """How deeply an operation's fields nest, and the most objects its answer may hold."""

    depth: int
    objects: int


def operation_costs(
    schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any] | None
) -> dict[str, Cost]:
    """The cost of each operation in ``document`` by name (``anonymous`` when it has none)."""
    measure = _Measure(schema, document, variables or {})
    return {
        (definition.name.value if definition.name else "anonymous"): measure.operation(definition)
        for definition in document.definitions
        if isinstance(definition, OperationDefinitionNode)
    }


def check(
    schema: GraphQLSchema,
    document: DocumentNode,
    variables: Mapping[str, Any] | None,
    *,
    max_depth: int,
    max_cost: int,
) -> list[GraphQLError]:
    """What is wrong with the request by these limits; empty when it is within them."""
    values: list[_Value] = [
        n for n in _nodes(document) if isinstance(n, StringValueNode | ObjectValueNode)
    ]
    errors = [*_unstorable_text(values, variables), *_oversized_objects(schema, values)]
    for name, cost in operation_costs(schema, document, variables).items():
        if cost.depth > max_depth:
            errors.append(
                GraphQLError(
                    f"'{name}' nests fields {cost.depth} deep: it exceeds maximum operation "
                    f"depth of {max_depth}"
                )
            )
        if cost.objects > max_cost:
            errors.append(
                GraphQLError(
                    f"'{name}' costs {cost.objects:,}, over the maximum cost of {max_cost:,}: "
                    "its answer may hold that many objects (every list counted at its page "
                    "size, first or limit, times the lists and aliases above it). Ask for "
                    "smaller pages or fewer aliases."
                )
            )
    return errors


class _Measure:
    def __init__(
        self, schema: GraphQLSchema, document: DocumentNode, variables: Mapping[str, Any]
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.defaults: dict[str, ValueNode | None] = {}
        self.memo: dict[tuple[str, int | None], Cost] = {}
        self.active: set[str] = set()

    def operation(self, operation: OperationDefinitionNode) -> Cost:
        root = self.schema.get_root_type(operation.operation)
        if root is None:
            return Cost(0, 0)
        self.defaults = {
            v.variable.name.value: v.default_value for v in operation.variable_definitions or ()
        }
        self.memo.clear()  # variable defaults, and so page sizes, differ per operation
        return self.selections(operation.selection_set, root, None)

    def selections(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType, page: int | None
    ) -> Cost:
        depth = objects = 0
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                cost = self.field(node, parent, page)
            elif isinstance(node, InlineFragmentNode):
                condition = self.condition(node.type_condition, parent)
                cost = (
                    self.selections(node.selection_set, condition, page)
                    if condition
                    else Cost(0, 0)
                )
            elif isinstance(node, FragmentSpreadNode):
                cost = self.fragment(node.name.value, page)
            depth, objects = max(depth, cost.depth), objects + cost.objects
        return Cost(depth, objects)

    def fragment(self, name: str, page: int | None) -> Cost:
        fragment = self.fragments.get(name)
        if fragment is None or name in self.active:
            return Cost(0, 0)  # unknown, or a cycle: validation reports both
        key = (name, page)
        if key not in self.memo:
            condition = self.condition(fragment.type_condition, None)
            self.active.add(name)
            try:
                self.memo[key] = (
                    self.selections(fragment.selection_set, condition, page)
                    if condition
                    else Cost(0, 0)
                )
            finally:
                self.active.discard(name)
        return self.memo[key]

    def condition(
        self, condition: NamedTypeNode | None, parent: GraphQLNamedType | None
    ) -> GraphQLNamedType | None:
        if condition is None:
            return parent
        named = self.schema.get_type(condition.name.value)
        return named if is_composite_type(named) else None

    def field(self, node: FieldNode, parent: GraphQLNamedType, page: int | None) -> Cost:
        definition = _field_definition(self.schema, parent, node.name.value)
        if definition is None or node.selection_set is None:
            return Cost(0, 0)  # a scalar, or unknown (validation reports it)
        named = get_named_type(definition.type)
        if not is_composite_type(named):
            return Cost(0, 0)
        size = self.page_size(node, definition)
        listed = is_list_type(get_nullable_type(definition.type))
        # A connection field's page size is that of the list directly below it.
        inner = self.selections(node.selection_set, named, None if listed else size)
        # ``ofType`` unwraps a type reference (``[Case!]!``): the chain ends where the schema's
        # wrappers end and costs nothing, but IDE schema queries nest it 7 to 9 deep.
        step = 0 if parent.name == "__Type" and node.name.value == "ofType" else 1
        if is_introspection_type(named):
            return Cost(inner.depth + step, 0)
        items = 1
        if listed:
            items = size if size is not None else page if page is not None else UNPAGED_LIST_SIZE
        return Cost(inner.depth + step, items * (1 + inner.objects))

    def page_size(self, node: FieldNode, definition: GraphQLField) -> int | None:
        for name in PAGE_SIZE_ARGUMENTS:
            argument = definition.args.get(name)
            if argument is None:
                continue
            given = next((a.value for a in node.arguments or () if a.name.value == name), None)
            raw: Any = Undefined
            if isinstance(given, VariableNode):
                variable = given.name.value
                if variable in self.variables:
                    raw = self.variables[variable]
                elif self.defaults.get(variable) is not None:
                    raw = value_from_ast(self.defaults[variable], GraphQLInt)
            elif given is not None:
                raw = value_from_ast(given, GraphQLInt)
            size = _as_int(raw)
            # Absent, or not an Int (execution refuses that): the argument's default applies.
            return max(size if size is not None else _as_int(argument.default_value) or 0, 0)
        return None


def _as_int(value: Any) -> int | None:
    if value is None or value is Undefined:
        return None
    try:
        # The Int scalar's own coercion: exactly what execution will accept (500.0 is 500).
        parsed = GraphQLInt.parse_value(value)
    except (GraphQLError, TypeError, ValueError):
        return None
    return parsed if isinstance(parsed, int) else None


def _field_definition(
    schema: GraphQLSchema, parent: GraphQLNamedType, name: str
) -> GraphQLField | None:
    if name == "__typename":
        return TypeNameMetaFieldDef
    if parent is schema.query_type and name == "__schema":
        return SchemaMetaFieldDef
    if parent is schema.query_type and name == "__type":
        return TypeMetaFieldDef
    if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
        field: GraphQLField | None = parent.fields.get(name)
        return field
    return None


@functools.cache
def _largest_input_type(schema: GraphQLSchema) -> int:
    return max(
        (len(t.fields) for t in schema.type_map.values() if isinstance(t, GraphQLInputObjectType)),
        default=0,
    )


def _nodes(document: DocumentNode) -> Iterator[Node]:
    """Every node of a document, depth first, without recursion (documents can nest deeply)."""
    stack: list[Node] = [document]
    while stack:
        node = stack.pop()
        yield node
        for key in QUERY_DOCUMENT_KEYS.get(node.kind, ()):
            child = getattr(node, key, None)
            if isinstance(child, Node):
                stack.append(child)
            elif child:
                stack.extend(child)


def _oversized_objects(schema: GraphQLSchema, values: list[_Value]) -> list[GraphQLError]:
    largest = _largest_input_type(schema)
    for node in values:
        if isinstance(node, ObjectValueNode) and len(node.fields) > largest:
            return [
                GraphQLError(
                    f"an input object with {len(node.fields)} fields: no input type has that many",
                    node,
                )
            ]
    return []


def _unstorable(text: str) -> bool:
    if "\x00" in text:
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _strings(value: Any) -> Iterator[str]:
    stack = [value]
    while stack:
        current = stack.pop()
        if isinstance(current, str):
            yield current
        elif isinstance(current, dict):
            stack.extend(current.keys())
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)


def _unstorable_text(
    values: list[_Value], variables: Mapping[str, Any] | None
) -> list[GraphQLError]:
    literals = (n.value for n in values if isinstance(n, StringValueNode))
    if any(_unstorable(text) for text in (*literals, *_strings(dict(variables or {})))):
        message = (
            "the request holds text with a NUL character or a lone surrogate: no field takes it"
        )
        return [GraphQLError(message, original_error=InvalidInputError(message))]
    return []
