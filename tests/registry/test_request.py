"""A request's scope: concurrent mutations queue for the database's write lock, never fail on
it (SQLite refuses a deferred transaction's late lock upgrade at once); one operation's
selection stays its own; permission refusals name the partner or say who may."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from policies import Permission, PolicyEngine, Relation
from registry.access.disclosure import Disclosure
from registry.access.policystore import active_rows
from registry.access.principal import Principal, TraceContext
from registry.access.vocabulary import VOCABULARY
from registry.errors import InvalidInputError, NotAllowedError, NotFoundError
from registry.models import Case
from registry.request import RequestScope
from tests.conftest import Clock, GraphQL

UPDATE = """mutation($id: ID!, $months: Int!) { updateCase(id: $id, input: {
  arrearsMonths: $months }) { arrearsMonths } }"""


def test_concurrent_mutations_all_succeed(gql: GraphQL, sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        ids = [
            str(i)
            for i in session.scalars(select(Case.id).where(Case.owner_id == "nijestee").limit(8))
        ]

    def change(n: int) -> list[object]:
        body = gql("nijestee", UPDATE, {"id": ids[n % len(ids)], "months": 1 + n % 12})
        return list(body.get("errors", []))

    with ThreadPoolExecutor(8) as pool:
        errors = [e for found in pool.map(change, range(24)) for e in found]
    assert errors == []


def _scope(session: Session, clock: Clock, partner: str, kind: str) -> RequestScope:
    trace = TraceContext("0" * 31 + "1", "0" * 15 + "1")
    principal = Principal(partner, kind, frozenset({"sittard-geleen"}), None, "test", trace)
    disclosure = Disclosure(
        PolicyEngine(VOCABULARY, active_rows(session)), principal, today=clock.now.date()
    )
    return RequestScope(session, principal, disclosure, clock.now)


def test_an_operations_selection_is_its_own(sessions: sessionmaker[Session], clock: Clock) -> None:
    with sessions() as session:
        scope = _scope(session, clock, "zowonen", "corporation")
        operation = scope.selecting(frozenset({"phase"}))
        assert operation.selection == {"phase"}
        assert scope.selection is None  # the request's scope is shared by its operations
        assert (operation.session, operation.disclosure) == (scope.session, scope.disclosure)
        assert operation.today == clock.now.date()


def test_a_refusal_names_the_partner_or_says_who_may(
    sessions: sessionmaker[Session], clock: Clock
) -> None:
    with sessions() as session:
        scope = _scope(session, clock, "wij-groningen", "welfare")
        scope.require(Permission.ANNOTATION_ADD, Relation.INVOLVED, "annotate this case")
        with pytest.raises(NotAllowedError, match=r"^wij-groningen may not annotate this case$"):
            scope.require(Permission.ANNOTATION_ADD, Relation.NONE, "annotate this case")
        with pytest.raises(NotAllowedError, match=r"^only a corporation registers cases$"):
            scope.require(
                Permission.CASE_REGISTER,
                Relation.NONE,
                "register cases",
                refusal="only a corporation registers cases",
            )


def test_a_case_is_found_for_the_caller_only(sessions: sessionmaker[Session], clock: Clock) -> None:
    with sessions() as session:
        owned = session.scalars(select(Case.id).where(Case.owner_id == "zowonen").limit(1)).one()
        case, relation = _scope(session, clock, "zowonen", "corporation").find_case(str(owned))
        assert (case.id, relation) == (owned, Relation.OWNER)
        stranger = _scope(session, clock, "nijestee", "corporation")
        with pytest.raises(NotFoundError, match=f"^case {owned} not found$"):
            stranger.find_case(owned)
        with pytest.raises(InvalidInputError, match="is not a case id"):
            stranger.find_case("x")
        with pytest.raises(NotFoundError):
            stranger.find_case(uuid.uuid4(), for_change=True)
