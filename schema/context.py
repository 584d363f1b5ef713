"""The typed GraphQL context: the registry's per-request scope."""

from __future__ import annotations

from typing import Any, TypeAlias

import strawberry
from graphql import (
    FieldNode,
    FragmentSpreadNode,
    GraphQLResolveInfo,
    InlineFragmentNode,
    SelectionSetNode,
)

from registry.request import RequestScope

Info: TypeAlias = strawberry.Info[RequestScope, None]


def field_names(info: GraphQLResolveInfo[Any], *, nested: bool) -> frozenset[str]:
    """The field names selected below the field ``info`` resolves (graphql-core's info)."""
    names: set[str] = set()
    fragments = info.fragments

    def walk(selection_set: SelectionSetNode | None) -> None:
        if selection_set is None:
            return
        for node in selection_set.selections:
            if isinstance(node, FieldNode):
                names.add(node.name.value)
                if nested:
                    walk(node.selection_set)
            elif isinstance(node, InlineFragmentNode):
                walk(node.selection_set)
            elif isinstance(node, FragmentSpreadNode):
                fragment = fragments.get(node.name.value)
                if fragment is not None:
                    walk(fragment.selection_set)

    for field_node in info.field_nodes:
        walk(field_node.selection_set)
    return frozenset(names)


def requested_fields(info: Info) -> frozenset[str]:
    """Every field name selected below the current field, fragments included.

    The registry reads and logs only the case fields a caller asked for; a name that is not a
    case field is simply ignored there.
    """
    return field_names(info._raw_info, nested=True)


def selected_fields(info: Info) -> frozenset[str]:
    """The field names selected directly below the current field (fragments included, nested
    selections not): what a caller asked for of one object."""
    return field_names(info._raw_info, nested=False)
