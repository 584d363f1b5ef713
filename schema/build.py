"""Assemble the schema from each aggregate's queries and mutations, with the GraphQL defaults
of DESIGN.md: depth, alias and token limits, no field suggestions, introspection by setting."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import strawberry
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from schema.agreements import AgreementMutation, AgreementQuery
from schema.annotations import AnnotationMutation, AnnotationQuery
from schema.auditlog import AuditLogQuery
from schema.cases import CaseMutation, CaseQuery
from schema.extensions import DiscloseSelection
from schema.inventory import InventoryMutation, InventoryQuery
from schema.lifecycle import LifecycleMutation, LifecycleQuery
from schema.notifications import NotificationMutation, NotificationQuery
from schema.policies import PolicyMutation, PolicyQuery

SDL_PATH = Path(__file__).with_name("schema.graphql")

Query = merge_types(
    "Query",
    (
        CaseQuery,
        PolicyQuery,
        LifecycleQuery,
        AnnotationQuery,
        NotificationQuery,
        AgreementQuery,
        AuditLogQuery,
        InventoryQuery,
    ),
)
Mutation = merge_types(
    "Mutation",
    (
        CaseMutation,
        PolicyMutation,
        LifecycleMutation,
        AnnotationMutation,
        NotificationMutation,
        AgreementMutation,
        InventoryMutation,
    ),
)


def build_schema(
    *, introspection: bool, max_depth: int = 10, max_aliases: int = 30, max_tokens: int = 2000
) -> strawberry.Schema:
    """The registry's schema with its limits; introspection only when configured."""
    # Factories, not instances: strawberry builds fresh extensions for every request.
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        DiscloseSelection,
        lambda: QueryDepthLimiter(max_depth=max_depth),
        lambda: MaxAliasesLimiter(max_alias_count=max_aliases),
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        config=StrawberryConfig(disable_field_suggestions=True),
    )


def printed_sdl() -> str:
    """The schema as SDL, as kept in ``schema/schema.graphql``."""
    return build_schema(introspection=True).as_str() + "\n"


if __name__ == "__main__":  # python -m schema.build > schema/schema.graphql
    print(printed_sdl(), end="")
