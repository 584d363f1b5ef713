"""Fixtures for the policy truth tables."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from policies import PolicyEngine
from registry.access.policystore import active_rows
from registry.access.vocabulary import VOCABULARY
from registry.db import make_engine, make_session_factory


@pytest.fixture(scope="session")
def demo_engine(template: tuple[str, object]) -> Callable[[], PolicyEngine]:
    """A factory of engines built from the demo's stored policy rows (read once)."""
    db = make_engine(template[0])
    try:
        with make_session_factory(db)() as session:
            rows = active_rows(session)
    finally:
        db.dispose()
    return lambda: PolicyEngine(VOCABULARY, rows)


@pytest.fixture(scope="module")
def engine(demo_engine: Callable[[], PolicyEngine]) -> PolicyEngine:
    """One engine per test module: decisions are pure, so tests may share it."""
    return demo_engine()
