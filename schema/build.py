"""Assemble the schema from each aggregate's queries and mutations, with the GraphQL defaults
of DESIGN.md: depth, cost, alias and token limits, no suggestions, introspection by setting."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import strawberry
from graphql.validation.rules import overlapping_fields_can_be_merged
from strawberry.extensions import (
    DisableIntrospection,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    SchemaExtension,
)
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types

from schema.aftercare import AftercareMutation, AftercareQuery
from schema.agreements import AgreementMutation, AgreementQuery
from schema.annotations import AnnotationMutation, AnnotationQuery
from schema.auditlog import AuditLogQuery
from schema.cases import CaseMutation, CaseQuery
from schema.completion import PlainCompletion
from schema.coordination import CoordinationMutation, CoordinationQuery
from schema.extensions import ConcealSchema, KnownValid, Validation
from schema.household import HouseholdQuery
from schema.inventory import InventoryMutation, InventoryQuery
from schema.lifecycle import LifecycleMutation, LifecycleQuery
from schema.meetings import MeetingMutation, MeetingQuery
from schema.monitor import MonitorQuery
from schema.notifications import NotificationMutation, NotificationQuery
from schema.policies import PolicyMutation, PolicyQuery
from schema.privacy import PrivacyMutation, PrivacyQuery
from schema.scalars import SCALAR_OVERRIDES
from schema.shelter import ShelterMutation, ShelterQuery
from schema.signals import SignalMutation, SignalQuery

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
        SignalQuery,
        CoordinationQuery,
        MeetingQuery,
        ShelterQuery,
        AftercareQuery,
        MonitorQuery,
        PrivacyQuery,
        HouseholdQuery,
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
        SignalMutation,
        CoordinationMutation,
        MeetingMutation,
        ShelterMutation,
        AftercareMutation,
        PrivacyMutation,
    ),
)


#: The most objects one answer may hold (see ``schema/limits.py``). A page of 500 cases with
#: every field and their involvements (2,501) passes, six pages of 500 (3,006) do not; five
#: took 0.3 to 0.6 s on the demo, depending on the machine's load.
DEFAULT_MAX_COST = 3000


# graphql-core meters its comparisons of same-named fields and gives up past a budget; at its
# default a document of 1,990 identical fields takes 300 ms to refuse. A real document needs
# a few hundred; read first, so that a renamed setting fails here rather than silently.
overlapping_fields_can_be_merged.MAX_COMPLEXITY_BUDGET = min(
    overlapping_fields_can_be_merged.MAX_COMPLEXITY_BUDGET, 50_000
)


def build_schema(
    *,
    introspection: bool,
    max_depth: int = 10,
    max_aliases: int = 30,
    max_tokens: int = 2000,
    max_cost: int = DEFAULT_MAX_COST,
    plain_completion: bool = True,
) -> strawberry.Schema:
    """The registry's schema with its limits; introspection only when configured, and without
    it no suggestion or type name in GraphQL's own error messages."""
    known_valid = KnownValid()
    # Factories, not instances: strawberry builds fresh extensions for every request.
    extensions: list[Callable[[], SchemaExtension] | type[SchemaExtension]] = [
        # A partner system sends the same few documents over and over: parse each once.
        lambda: ParserCache(maxsize=512),
        lambda: Validation(
            max_depth=max_depth,
            max_cost=max_cost,
            hide_suggestions=not introspection,
            known_valid=known_valid,
        ),
        lambda: MaxAliasesLimiter(max_alias_count=max_aliases),
        lambda: MaxTokensLimiter(max_token_count=max_tokens),
    ]
    if not introspection:
        extensions += [DisableIntrospection, ConcealSchema]
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        extensions=extensions,
        scalar_overrides=SCALAR_OVERRIDES,
        config=StrawberryConfig(disable_field_suggestions=True),
        # Plain objects (released views) completed in one pass: large lists near their floor.
        execution_context_class=PlainCompletion if plain_completion else None,
    )


def printed_sdl() -> str:
    """The schema as SDL, as kept in ``schema/schema.graphql``."""
    return build_schema(introspection=True).as_str() + "\n"


if __name__ == "__main__":  # python -m schema.build > schema/schema.graphql
    print(printed_sdl(), end="")
