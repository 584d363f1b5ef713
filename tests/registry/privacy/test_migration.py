"""Migration 0013 seals what a previous release stored in the clear, and a downgrade opens it
again, on the real database."""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command
from sqlalchemy import select

from registry.db import make_engine, make_session_factory
from registry.demo import seed as demo
from registry.migrate import alembic_config, upgrade
from registry.models import CaseContact
from tests.conftest import DEMO_TODAY


def test_0013_seals_stored_contact_details_and_a_downgrade_opens_them(
    empty_database_url: str,
) -> None:
    url = empty_database_url
    upgrade(url)
    engine = make_engine(url)
    try:
        sessions = make_session_factory(engine)
        with sessions.begin() as session:
            demo.seed(session, cases_per_municipality=2, today=DEMO_TODAY)
        with sessions() as session:
            names = {c.case_id: c.name for c in session.scalars(select(CaseContact))}
        assert names
        # The previous release: plain text columns, the values readable as they were.
        command.downgrade(alembic_config(url), "0012")
        with engine.connect() as conn:
            plain = dict(conn.execute(sa.text("SELECT case_id, name FROM case_contact")).all())
        assert sorted(plain.values()) == sorted(names.values())
        # And up again: sealed anew under fresh case keys, read through the models as before.
        upgrade(url)
        with engine.connect() as conn:
            stored = conn.execute(sa.text("SELECT name FROM case_contact")).scalars().all()
        assert all(bytes(value)[:1] == b"\x01" for value in stored)
        assert not {bytes(value) for value in stored} & {n.encode() for n in names.values()}
        with sessions() as session:
            again = {c.case_id: c.name for c in session.scalars(select(CaseContact))}
        assert again == names
    finally:
        engine.dispose()
