"""The typed GraphQL context (the registry's per-request scope), and what a caller selected."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TypeAlias

import strawberry
from strawberry.types.nodes import SelectedField, Selection

from registry.request import RequestScope

Info: TypeAlias = strawberry.Info[RequestScope, None]


def _names(selections: Iterable[Selection], *, nested: bool, into: set[str]) -> None:
    # Strawberry resolves fragment spreads into their selections already; a fragment, spread
    # or inline, adds the fields it selects at the level it is spread on.
    for selection in selections:
        if isinstance(selection, SelectedField):
            into.add(selection.name)
            if nested:
                _names(selection.selections, nested=True, into=into)
        else:
            _names(selection.selections, nested=nested, into=into)


def field_names(info: Info, *, nested: bool) -> frozenset[str]:
    """The field names selected below the field ``info`` resolves, fragments included: at any
    depth (``nested``) or only those of the field's own result."""
    names: set[str] = set()
    for field in info.selected_fields:
        _names(field.selections, nested=nested, into=names)
    return frozenset(names)


def requested_fields(info: Info) -> frozenset[str]:
    """Every field name selected below the current field, fragments included.

    The registry reads and logs only the case fields a caller asked for; a name that is not a
    case field is simply ignored there.
    """
    return field_names(info, nested=True)


def selected_fields(info: Info) -> frozenset[str]:
    """The field names selected directly below the current field (fragments included, nested
    selections not): what a caller asked for of one object."""
    return field_names(info, nested=False)


def scope_of(info: Info) -> RequestScope:
    """The request's scope for the operation ``info`` resolves, carrying what the caller
    selected below it (``RequestScope.selection``)."""
    return info.context.selecting(requested_fields(info))
