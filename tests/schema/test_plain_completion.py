"""Completing plain objects in one pass (``schema/completion.py``) answers exactly what
graphql-core's own completion answers: the same data, the same errors at the same paths."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import strawberry
from sqlalchemy.orm import Session, sessionmaker

from registry.access.disclosure import Disclosure
from registry.access.policystore import active_rows, policy_engine
from registry.access.principal import Principal
from registry.request import RequestScope
from registry.tracing import trace_from_header
from schema.build import build_schema
from schema.completion import PlainCompletion

EVERYTHING = """
fragment Household on Case { householdComposition childrenInvolved contactName contactPhone }
query($first: Int!) {
  cases(first: $first) {
    __typename
    nodes {
      __typename id relation withheld municipality owner phase reasons ...Household
      arrears: arrearsAmount arrearsMonths
      earlySignalChecks { contactAttempted tenantDidNotObject __typename }
      checks: earlySignalChecks { reminderSent }
      signals { signalledOn arrearsMonths source repeat districtTeamDueOn }
      collectionPauses { pausedFrom reason }
      earlySignalledOn judgmentRequestedOn evictionDate evictionOutcome shelterArranged
      involvements { partner role since } again: involvements { partner }
      involvementContacts { partner name email }
      registeredAt closedOn closureOutcome coordinator
    }
    pageInfo { endCursor hasNextPage }
  }
}"""

#: Partners of every relation: municipality, owner, and involved with little released.
PARTNERS = ("gemeente-zaanstad", "parteon", "zowonen", "wij-groningen", "flanderijn")


def _execute(
    sessions: sessionmaker[Session], partner: str, *, plain: bool, document: str
) -> dict[str, Any]:
    schema = build_schema(introspection=False, plain_completion=plain, max_cost=10**7)
    with sessions() as session:
        principal = Principal(
            partner, "", frozenset(), None, "eviction_prevention", trace_from_header(None)
        )
        disclosure = Disclosure(
            policy_engine(active_rows(session)), principal, today=dt.date(2026, 12, 3)
        )
        scope = RequestScope(session, principal, disclosure, dt.datetime.now(dt.UTC))
        result = schema.execute_sync(document, {"first": 200}, context_value=scope)
        session.rollback()
    return {
        "data": result.data,
        "errors": [(e.message, e.path) for e in result.errors or ()],
    }


@pytest.mark.parametrize("partner", PARTNERS)
def test_a_list_is_answered_as_graphql_core_answers_it(
    sessions: sessionmaker[Session], partner: str
) -> None:
    ours = _execute(sessions, partner, plain=True, document=EVERYTHING)
    theirs = _execute(sessions, partner, plain=False, document=EVERYTHING)
    assert not theirs["errors"]
    nodes = theirs["data"]["cases"]["nodes"]
    assert nodes, f"{partner} relates to no case in the demo: the comparison would be empty"
    assert ours == theirs


# A schema of its own, to return what the registry's views never do: a null where a value is
# required, a value its type refuses.
@strawberry.type
class Item:
    name: str
    size: int | None


@strawberry.type
class Box:
    label: str
    items: list[Item]


@strawberry.type
class Query:
    @strawberry.field
    def boxes(self) -> list[Box | None]:
        broken = Item(name=None, size=1)  # type: ignore[arg-type]  # the non-null violated
        refused = Item(name="b", size="many")  # type: ignore[arg-type]  # not an Int
        return [
            Box(label="fine", items=[Item(name="a", size=None)]),
            Box(label="null name", items=[broken]),
            Box(label="bad size", items=[refused]),
        ]


@pytest.mark.parametrize(
    "document",
    [
        "{ boxes { label items { name size } } }",
        "{ boxes { label items { __typename n: name } } }",
        "{ boxes { items { size } } }",
    ],
)
def test_errors_are_those_graphql_core_raises_at_the_same_paths(document: str) -> None:
    plain = strawberry.Schema(query=Query, execution_context_class=PlainCompletion)
    ordinary = strawberry.Schema(query=Query)
    ours, theirs = plain.execute_sync(document), ordinary.execute_sync(document)
    assert ours.data == theirs.data
    assert [(e.message, e.path) for e in ours.errors or ()] == [
        (e.message, e.path) for e in theirs.errors or ()
    ]
    if "size" in document:
        assert theirs.errors, "the document meets a refused value: errors are expected"
