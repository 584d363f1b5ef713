"""The disclosure choke point: one vocabulary with the policies, decisions once per key."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from policies import FIELDS, PolicyEngine, Relation
from policies.fields import CASE_FIELDS, IDENTITY_FIELDS
from registry.access.disclosure import Disclosure
from registry.access.policystore import active_rows
from registry.access.principal import Principal
from registry.cases.views import CASE_FIELD_READERS, CaseView
from registry.models import Case
from registry.tracing import trace_from_header


def test_every_case_policy_field_is_a_view_field_and_back() -> None:
    assert set(CASE_FIELD_READERS) == set(CASE_FIELDS) | set(IDENTITY_FIELDS)
    attributes = set(CaseView.__dataclass_fields__)
    assert {attr for attr, _ in CASE_FIELD_READERS.values()} <= attributes


def test_relationships_never_load_lazily(sessions: sessionmaker[Session]) -> None:
    # An accidental lazy load in a list is an N+1 bug: the relationships refuse it.
    with sessions() as session:
        case = session.scalars(select(Case)).first()
        assert case is not None
        with pytest.raises(InvalidRequestError, match="lazy='raise'"):
            _ = case.involvements


def test_a_list_takes_one_decision_per_field_per_distinct_key(
    sessions: sessionmaker[Session],
) -> None:
    with sessions() as session:
        engine = PolicyEngine(active_rows(session))
        cases = session.scalars(
            select(Case)
            .options(selectinload(Case.contact))
            .where(Case.municipality_code == "groningen")
        ).all()
        principal = Principal(
            "gemeente-groningen",
            "municipality",
            frozenset({"groningen"}),
            None,
            "test",
            trace_from_header(None),
        )
        disclosure = Disclosure(engine, principal)
        views = [
            disclosure.case_view(c, Relation.MUNICIPALITY, frozenset({"contactName", "phase"}))
            for c in cases
        ]
    assert len(views) == len(cases) > 50
    assert all(v.contact_name and v.phase is None for v in views)
    # One key (one municipality, one owner): one decision per field, not per case.
    assert engine.decisions_taken == len(FIELDS)
    assert len(disclosure.released) == len(cases)
    record = next(iter(disclosure.released.values()))
    assert record.disclosed == {"contactName"} and record.withheld == {"phase"}
