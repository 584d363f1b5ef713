"""An imported case is stored exactly as a registered one: the same rows, column by column.

The import writes its rows without the ORM's unit of work (``registry.bulkwrite``: COPY on
PostgreSQL), so nothing but this comparison shows that the two roads store the same thing: a
case registered through ``registerCase`` and the same household imported in a batch large
enough to be copied, read back from the database table by table.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

from click.testing import CliRunner
from sqlalchemy import Table, select
from sqlalchemy.orm import Session, selectinload, sessionmaker

from registry.bulkwrite import COPY_FROM
from registry.cli import main
from registry.imports.batches import case_id_for
from registry.models import AccessLogRecord, Case, CaseContact, CaseSignal, OutboxEvent
from registry.models.notification import OutboxAddressee
from tests.arrange import NEW_CASE, REGISTER_CASE
from tests.conftest import GraphQL

#: What differs between any two cases, or between a request and an import made a moment apart.
_OWN = {"id", "case_id", "event_id", "data_key", "registered_at", "updated_at", "recorded_at"}
_OWN |= {"occurred_at", "traceparent"}
_OWN |= {"name", "address", "postal_code", "phone", "email"}  # sealed: opened below


def _row(session: Session, model: type[Any], column: str, value: Any) -> dict[str, Any]:
    table = model.__table__
    assert isinstance(table, Table)
    found = session.execute(select(table).where(table.c[column] == value)).mappings().all()
    assert len(found) == 1, (model, found)
    return {k: v for k, v in found[0].items() if k not in _OWN}


def _stored(session: Session, case_id: uuid.UUID) -> dict[str, Any]:
    """Every row the case has in the tables a registration writes, and its contact opened."""
    case = session.get(Case, case_id, options=[selectinload(Case.contact)])
    assert case is not None and case.contact is not None and case.data_key is not None
    event = session.scalars(select(OutboxEvent.id).where(OutboxEvent.case_id == case_id)).one()
    return {
        "case": _row(session, Case, "id", case_id),
        "contact": _row(session, CaseContact, "case_id", case_id),
        "opened": {
            attr: getattr(case.contact, attr)
            for attr in ("name", "address", "postal_code", "phone", "email")
        },
        "signal": _row(session, CaseSignal, "case_id", case_id),
        "event": _row(session, OutboxEvent, "case_id", case_id),
        "addressees": session.scalars(
            select(OutboxAddressee.partner_id).where(OutboxAddressee.event_id == event)
        ).all(),
    }


def test_an_imported_case_is_stored_as_a_registered_one(
    database_url: str, sessions: sessionmaker[Session], gql: GraphQL, tmp_path: Path
) -> None:
    contact = {**NEW_CASE["contact"], "phone": "06-12345678", "email": "huishouden@example.nl"}
    sent = NEW_CASE | {"contact": contact}
    registered = gql("zowonen", REGISTER_CASE, {"input": sent})
    assert "errors" not in registered, registered
    # The same household among enough others that the batch is copied, not inserted.
    lines = [
        sent | {"reference": f"ZO-{n}", "contact": contact | {"name": f"Ander {n}"}}
        for n in range(COPY_FROM + 10)
    ]
    lines[7]["contact"] = contact
    path = tmp_path / "caseload.jsonl"
    path.write_text("".join(json.dumps(line) + "\n" for line in lines))
    done = CliRunner().invoke(
        main, ["import", str(path), "--as", "zowonen", "--database-url", database_url]
    )
    assert done.exit_code == 0, done.output
    with sessions() as session:
        imported = _stored(session, case_id_for("zowonen", "ZO-7"))
        assert imported == _stored(session, uuid.UUID(registered["data"]["registerCase"]["id"]))
        assert imported["opened"]["email"] == "huishouden@example.nl"
        assert imported["contact"]["address_index"] is not None  # found at the front desk
        traces = session.scalars(select(OutboxEvent.traceparent)).all()
        assert all(traces)  # a webhook continues the trace of the import or request it reports
        logged = session.scalars(
            select(AccessLogRecord.outcome).where(AccessLogRecord.operation == "import")
        ).all()
        assert logged == ["identified"] * len(lines)
