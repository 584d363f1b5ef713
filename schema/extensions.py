"""Schema extensions of the registry's own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from graphql import GraphQLResolveInfo
from strawberry.extensions import SchemaExtension

from schema.context import field_names


class DiscloseSelection(SchemaExtension):
    """Tell the disclosure choke point what the caller selected of each top-level operation.

    Services build case views without knowing the GraphQL selection; with this, every view
    made while a root field resolves reads and logs only the fields the caller asked for.
    """

    def resolve(
        self,
        _next: Callable[..., Any],
        root: Any,
        info: GraphQLResolveInfo[Any],
        *args: Any,
        **kwargs: Any,
    ) -> Any:
        if info.path.prev is not None:  # only top-level fields: nested ones are values
            return _next(root, info, *args, **kwargs)
        disclosure = info.context.disclosure
        previous = disclosure.selection
        disclosure.selection = field_names(info, nested=True)
        try:
            return _next(root, info, *args, **kwargs)
        finally:
            disclosure.selection = previous
