"""Mutations that move a case through its lifecycle (owner only), and the transition table."""

from __future__ import annotations

import datetime as dt
from typing import cast

import strawberry

from registry.cases import lifecycle
from registry.models import ClosureOutcome, EvictionOutcome, Phase
from schema.context import Info, scope_of
from schema.types.case import Case, PhaseType
from schema.types.lifecycle import AftercareInput, LifecycleClosure, LifecycleTransition


@strawberry.type
class LifecycleQuery:
    @strawberry.field(description="Every legal transition between phases, and its operation.")
    def lifecycle_transitions(self) -> list[LifecycleTransition]:
        return [
            LifecycleTransition(source=source, target=target, operation=str(step))
            for (source, target), step in lifecycle.TRANSITIONS.items()
        ]

    @strawberry.field(description="From which phases a case may be closed with each outcome.")
    def lifecycle_closures(self) -> list[LifecycleClosure]:
        return [
            LifecycleClosure(outcome=str(outcome), phases=sorted(phases, key=list(PhaseType).index))
            for outcome, phases in lifecycle.CLOSURES.items()
        ]


@strawberry.type
class LifecycleMutation:
    @strawberry.mutation(description="A plain move to the next phase (owner).")
    def move_case(self, info: Info, id: strawberry.ID, to: Phase) -> Case:
        return cast(Case, scope_of(info).mutate(lifecycle.move, id, to))

    @strawberry.mutation(description="The court was asked to dissolve the lease: to court (owner).")
    def request_judgment(self, info: Info, id: strawberry.ID, requested_on: dt.date) -> Case:
        return cast(Case, scope_of(info).mutate(lifecycle.request_judgment, id, requested_on))

    @strawberry.mutation(description="The judgment was granted and served (owner).")
    def record_judgment(self, info: Info, id: strawberry.ID, granted_on: dt.date) -> Case:
        return cast(Case, scope_of(info).mutate(lifecycle.record_judgment, id, granted_on))

    @strawberry.mutation(
        description="Schedule the eviction, or move it to a new date, with its bailiff (owner)."
    )
    def schedule_eviction(self, info: Info, id: strawberry.ID, date: dt.date, bailiff: str) -> Case:
        return cast(Case, scope_of(info).mutate(lifecycle.schedule_eviction, id, date, bailiff))

    @strawberry.mutation(
        description="The eviction will not take place; the judgment stands (owner)."
    )
    def call_off_eviction(self, info: Info, id: strawberry.ID) -> Case:
        return cast(Case, scope_of(info).mutate(lifecycle.call_off_eviction, id))

    @strawberry.mutation(
        description="What happened on the day: EXECUTED or HOUSEHOLD_GONE (owner)."
    )
    def carry_out_eviction(
        self,
        info: Info,
        id: strawberry.ID,
        outcome: EvictionOutcome,
    ) -> Case:
        return cast(Case, scope_of(info).mutate(lifecycle.carry_out_eviction, id, outcome))

    @strawberry.mutation(description="Where the household went, and the housing block (owner).")
    def record_aftercare(self, info: Info, id: strawberry.ID, input: AftercareInput) -> Case:
        aftercare = lifecycle.Aftercare(
            destination=input.destination,
            arranged_by=input.arranged_by,
            children_involved=input.children_involved,
            housing_block_until=input.housing_block_until,
            housing_block_until_debt_settled=input.housing_block_until_debt_settled,
        )
        return cast(Case, scope_of(info).mutate(lifecycle.record_aftercare, id, aftercare))

    @strawberry.mutation(description="Close the case with its outcome (owner).")
    def close_case(
        self,
        info: Info,
        id: strawberry.ID,
        outcome: ClosureOutcome,
    ) -> Case:
        return cast(Case, scope_of(info).mutate(lifecycle.close, id, outcome))
