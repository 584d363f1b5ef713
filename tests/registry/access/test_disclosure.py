"""The disclosure choke point: one vocabulary with the policies, decisions once per key."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select
from sqlalchemy.exc import InvalidRequestError
from sqlalchemy.orm import Session, selectinload, sessionmaker

from policies import PolicyEngine, Relation
from registry.access.disclosure import Disclosure
from registry.access.policystore import active_rows
from registry.access.principal import Principal
from registry.access.vocabulary import VOCABULARY
from registry.cases.fields import CASE_FIELDS
from registry.models import Case
from registry.tracing import trace_from_header
from schema.types.case import Case as CaseType

FIELDS = VOCABULARY.names
GROUPS = VOCABULARY.groups
#: The case record's fields and the household's identity and contact details.
CASE_AND_IDENTITY = (
    GROUPS["all"]
    - GROUPS["annotations"]
    - GROUPS["agreement"]
    - GROUPS["inventory"]
    - {"shelterTask"}
    - GROUPS["aftercareContact"]
    - {"aftercareFollowUps"}
)


def test_every_case_policy_field_is_a_view_field_and_back() -> None:
    assert set(CASE_FIELDS.names) == CASE_AND_IDENTITY
    attributes = {f.python_name for f in CaseType.__strawberry_definition__.fields}
    assert set(CASE_FIELDS.field_of_attribute) <= attributes


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
        engine = PolicyEngine(VOCABULARY, active_rows(session))
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
        disclosure = Disclosure(engine, principal, today=dt.date(2026, 11, 2))
        views = [
            disclosure.case_view(c, Relation.MUNICIPALITY, frozenset({"contactName", "phase"}))
            for c in cases
        ]
    assert len(views) == len(cases) > 50
    assert all(v.contact_name and v.phase is None for v in views)
    # One key per phase (one municipality, one owner): one decision per field and phase, not
    # per case.
    phases = {c.phase for c in cases}
    assert engine.decisions_taken == len(FIELDS) * len(phases) < len(cases) * len(FIELDS)
    assert len(disclosure.released) == len(cases)
    record = next(iter(disclosure.released.values()))
    assert record.disclosed == {"contactName"} and record.withheld == {"phase"}
