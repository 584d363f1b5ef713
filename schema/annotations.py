"""Queries and mutations on annotations and action items."""

from __future__ import annotations

from typing import cast

import strawberry

# Named so: ``annotations`` is taken by ``from __future__ import annotations``.
from registry.cases import annotations as annotation_service
from schema.context import Info
from schema.types.annotation import ActionItem, Annotation, AnnotationInput


@strawberry.type
class AnnotationQuery:
    @strawberry.field(
        description="A case's annotations, as far as the policies release them to you."
    )
    def annotations(self, info: Info, case_id: strawberry.ID) -> list[Annotation]:
        scope = info.context
        views = annotation_service.for_case(scope.session, scope.disclosure, case_id, scope.now)
        return cast(list[Annotation], views)

    @strawberry.field(
        description=(
            "Action items of current case-conference decisions on cases you relate to; "
            "`overdue` keeps open ones past their due date, `assignedToMe` yours."
        )
    )
    def action_items(
        self, info: Info, overdue: bool = False, assigned_to_me: bool = False
    ) -> list[ActionItem]:
        scope = info.context
        views = annotation_service.action_items(
            scope.session,
            scope.disclosure,
            scope.now,
            overdue_only=overdue,
            assigned_to_me=assigned_to_me,
        )
        return cast(list[ActionItem], views)


@strawberry.type
class AnnotationMutation:
    @strawberry.mutation(description="Record what you did on a case you may see.")
    def add_annotation(self, info: Info, input: AnnotationInput) -> Annotation:
        scope = info.context
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
        view = scope.mutate(annotation_service.add, scope.session, scope.disclosure, new, scope.now)
        return cast(Annotation, view)

    @strawberry.mutation(description="Mark an action item done (its assignee, or the author).")
    def complete_action_item(self, info: Info, id: strawberry.ID) -> ActionItem:
        scope = info.context
        view = scope.mutate(
            annotation_service.complete_action_item, scope.session, scope.disclosure, id, scope.now
        )
        return cast(ActionItem, view)
