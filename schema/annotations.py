"""Queries and mutations on annotations and action items."""

from __future__ import annotations

from typing import cast

import strawberry

# Named so: ``annotations`` is taken by ``from __future__ import annotations``.
from registry.cases import annotations as annotation_service
from schema.context import Info, scope_of
from schema.types.annotation import ActionItem, Annotation, AnnotationInput


@strawberry.type
class AnnotationQuery:
    @strawberry.field(
        description="A case's annotations, as far as the policies release them to you."
    )
    def annotations(self, info: Info, case_id: strawberry.ID) -> list[Annotation]:
        return cast(list[Annotation], annotation_service.for_case(scope_of(info), case_id))

    @strawberry.field(
        description=(
            "Action items of current case-conference decisions on cases you relate to; "
            "`overdue` keeps open ones past their due date, `assignedToMe` yours."
        )
    )
    def action_items(
        self, info: Info, overdue: bool = False, assigned_to_me: bool = False
    ) -> list[ActionItem]:
        views = annotation_service.action_items(
            scope_of(info), overdue_only=overdue, assigned_to_me=assigned_to_me
        )
        return cast(list[ActionItem], views)


@strawberry.type
class AnnotationMutation:
    @strawberry.mutation(description="Record what you did on a case you may see.")
    def add_annotation(self, info: Info, input: AnnotationInput) -> Annotation:
        new = annotation_service.NewAnnotation(
            case_id=input.case_id,
            kind=input.kind,
            occurred_on=input.occurred_on,
            note=input.note,
            corrects=input.corrects,
            action_items=[
                annotation_service.NewActionItem(i.description, i.assignee, i.due_on)
                for i in input.action_items
            ],
        )
        return cast(Annotation, scope_of(info).mutate(annotation_service.add, new))

    @strawberry.mutation(description="Mark an action item done (its assignee, or the author).")
    def complete_action_item(self, info: Info, id: strawberry.ID) -> ActionItem:
        view = scope_of(info).mutate(annotation_service.complete_action_item, id)
        return cast(ActionItem, view)
