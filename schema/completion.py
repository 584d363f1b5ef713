"""Completing plain objects in one step: the cost of a large list near reading its rows.

graphql-core completes every field of every object on its own: a resolve-info object, a
path, the resolver, then the value's completion, about a dozen calls per field. A page of
500 cases with every field is some 15,000 fields, and a municipality pulling 10,000 cases
300,000: most of such a request went there (issue 17).

Most fields the registry returns are plain: the released views (``registry.cases.views``)
already hold exactly what a partner may receive, and strawberry reads such a field as an
attribute of its source object (a "basic" field: no resolver, no extension, no argument).
For an object whose selected fields are all plain, ``PlainCompletion`` reads the attributes
and coerces the values in one pass, through the same type definitions graphql-core uses, so
the answer is the same to the byte. A plan per object type and selection is made once per
request and used for every object of a list.

Anything else takes graphql-core's own road: a field with a resolver or arguments, an
abstract type, a type with an ``is_type_of`` check, middleware. And whenever the one-pass
completion meets a value it cannot complete (a null in a non-null field, a value its type
refuses), that object is completed again the ordinary way, which raises the error GraphQL
prescribes, at its path. Reading a view's attributes twice changes nothing.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLLeafType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    is_leaf_type,
)
from graphql.execution.collect_fields import FieldDetailsList, GroupedFieldSet
from graphql.pyutils import Path, Undefined
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext
from strawberry.schema.schema_converter import CustomGraphQLEnumType, GraphQLCoreConverter

#: Completes one value of a field's type.
Complete = Callable[[Any], Any]
#: Each response key with the attribute it reads (None: ``__typename``) and how its value
#: is completed.
Plan = tuple[tuple[str, str | None, Complete | str], ...]


class _LeftToGraphQLCoreError(Exception):
    """A value the one-pass completion leaves to graphql-core (which raises the error)."""


def _leaf(leaf_type: GraphQLLeafType) -> Complete:
    if isinstance(leaf_type, CustomGraphQLEnumType):
        return _enum(leaf_type)
    coerce = leaf_type.coerce_output_value

    def complete(value: Any) -> Any:
        coerced = coerce(value)
        if coerced is Undefined or coerced is None:
            raise _LeftToGraphQLCoreError
        return coerced

    return complete


def _enum(enum_type: CustomGraphQLEnumType) -> Complete:
    """strawberry's enum coercion (the name of the first value equal to the member's value),
    looked up instead of searched: a list of 10,000 cases has tens of thousands of them."""
    names: dict[Any, str] = {}
    for name, value in enum_type.values.items():
        names.setdefault(value.value, name)
    wrapped, coerce = enum_type.wrapped_cls, enum_type.coerce_output_value

    def complete(value: Any) -> Any:
        if isinstance(value, wrapped):
            name = names.get(value.value)
            if name is not None:
                return name
        coerced: Any = coerce(value)
        if coerced is Undefined or coerced is None:
            raise _LeftToGraphQLCoreError
        return coerced

    return complete


class PlainCompletion(StrawberryGraphQLCoreExecutionContext):
    """graphql-core's execution, with objects whose selected fields are all plain completed
    in one pass (see the module's docstring)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # (type, id of the grouped field set) -> (the field set, kept alive so its id stays
        # its own for the request; its plan, None when it has none).
        self._plans: dict[tuple[str, int], tuple[GroupedFieldSet, Plan | None]] = {}

    def execute_fields(
        self,
        parent_type: GraphQLObjectType,
        source_value: Any,
        path: Path | None,
        grouped_field_set: GroupedFieldSet,
        position_context: Any,
    ) -> Any:
        """Complete ``source_value`` in one pass when its selection is plain; otherwise, or
        on any value the pass cannot complete, as graphql-core does."""
        if path is not None and not _middleware(self):
            plan = self._plan(parent_type, grouped_field_set)
            if plan is not None:
                with contextlib.suppress(Exception):  # graphql-core completes it again, and raises
                    return _run(plan, source_value)
        return super().execute_fields(
            parent_type, source_value, path, grouped_field_set, position_context
        )

    def _plan(self, parent_type: GraphQLObjectType, grouped: GroupedFieldSet) -> Plan | None:
        key = (parent_type.name, id(grouped))
        known = self._plans.get(key)
        if known is None:
            known = self._plans[key] = (grouped, self._make_plan(parent_type, grouped))
        return known[1]

    def _make_plan(self, parent_type: GraphQLObjectType, grouped: GroupedFieldSet) -> Plan | None:
        if parent_type.is_type_of is not None:
            return None
        steps: list[tuple[str, str | None, Complete | str]] = []
        for response_name, details in grouped.items():
            node = details[0].node
            name = node.name.value
            if name == "__typename":
                steps.append((response_name, None, parent_type.name))
                continue
            field = self.schema.get_field(parent_type, name)
            if field is None:
                return None
            definition = field.extensions.get(GraphQLCoreConverter.DEFINITION_BACKREF)
            if (
                definition is None
                or not getattr(field.resolve, "_is_default", False)
                or definition.default_resolver is not getattr
                or field.args
                or node.arguments
            ):
                return None
            complete = self._completer(field.type, details)
            if complete is None:
                return None
            steps.append((response_name, definition.python_name, complete))
        return tuple(steps)

    def _completer(self, of: GraphQLOutputType, details: FieldDetailsList) -> Complete | None:
        """How to complete a value of type ``of`` in one pass; None: not plain."""
        if isinstance(of, GraphQLNonNull):
            inner = self._completer(of.of_type, details)
            if inner is None:
                return None

            def non_null(value: Any) -> Any:
                if value is None:
                    raise _LeftToGraphQLCoreError
                completed = inner(value)
                if completed is None:
                    raise _LeftToGraphQLCoreError
                return completed

            return non_null
        if isinstance(of, GraphQLList):
            item = self._completer(of.of_type, details)
            if item is None:
                return None

            def listed(value: Any) -> Any:
                if value is None:
                    return None
                if isinstance(value, str | bytes | dict):
                    raise _LeftToGraphQLCoreError  # not a list: graphql-core says so
                return [item(x) for x in value]

            return listed
        if is_leaf_type(of):
            leaf = _leaf(of)
            return lambda value: None if value is None else leaf(value)
        if isinstance(of, GraphQLObjectType):
            grouped, _new_defers, _forbidden = self.collect_subfields(of, details)
            if _new_defers:
                return None
            plan = self._plan(of, grouped)
            if plan is None:
                return None
            return lambda value: None if value is None else _run(plan, value)
        return None  # interfaces and unions: graphql-core decides the runtime type


def _middleware(context: PlainCompletion) -> bool:
    """Whether some middleware wraps the resolvers (strawberry always passes a manager)."""
    manager = context.middleware_manager
    return manager is not None and bool(manager.middlewares)


def _run(plan: Plan, source: Any) -> dict[str, Any]:
    return {
        name: (complete if attribute is None else complete(getattr(source, attribute)))  # type: ignore[operator]
        for name, attribute, complete in plan
    }
