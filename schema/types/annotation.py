"""GraphQL types of annotations and action items."""

from __future__ import annotations

import datetime as dt

import strawberry

from registry.models import AnnotationKind

# strawberry.enum decorates the registry's enum itself and returns it, and strawberry would
# register an undecorated enum under its class name on first use anyway: fields are annotated
# with the registry's enums. The names below are those same classes, for resolvers' imports.
AnnotationKindType = strawberry.enum(AnnotationKind, name="AnnotationKind")


@strawberry.type(description="A task a case-conference decision gave a partner.")
class ActionItem:
    id: strawberry.ID
    case_id: strawberry.ID
    annotation_id: strawberry.ID
    description: str
    assignee: str
    due_on: dt.date
    done_at: dt.datetime | None
    done_by: str | None
    overdue: bool = strawberry.field(description="Open and past its due date today.")


@strawberry.type(
    description=(
        "What a partner recorded on a case. Never changed: a correction is a new annotation "
        "whose `corrects` names the one it corrects."
    )
)
class Annotation:
    id: strawberry.ID
    case_id: strawberry.ID
    kind: AnnotationKind
    author: str
    actor: str | None = strawberry.field(description="Your staff member; only shown to the author.")
    occurred_on: dt.date
    note: str | None
    recorded_at: dt.datetime
    corrects: strawberry.ID | None
    corrected_by: strawberry.ID | None
    action_items: list[ActionItem]


@strawberry.input(description="A task for a partner, from a case-conference decision.")
class ActionItemInput:
    description: str
    assignee: str
    due_on: dt.date


@strawberry.input(description="An annotation on a case you may see.")
class AnnotationInput:
    case_id: strawberry.ID
    kind: AnnotationKind
    occurred_on: dt.date
    note: str | None = None
    corrects: strawberry.ID | None = strawberry.field(
        default=None, description="An annotation of yours that this one corrects."
    )
    action_items: list[ActionItemInput] = strawberry.field(
        default_factory=list, description="Only for a case-conference decision."
    )
