"""Cases through the real app: real tokens, real database, real policies."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from registry.models import AccessLogRecord, Case, Phase
from tests.conftest import GraphQL
from tests.helpers import error_codes

CASE = """query($id: ID!) { case(id: $id) { id municipality owner phase evictionDate
  contactName arrearsAmount withheld } }"""


def _case_id(sessions: sessionmaker[Session], owner: str, **where: Any) -> str:
    with sessions() as session:
        stmt = select(Case.id).where(Case.owner_id == owner).order_by(Case.registered_at)
        for name, value in where.items():
            stmt = stmt.where(getattr(Case, name) == value)
        return str(session.scalars(stmt).first())


def test_involved_welfare_sees_only_the_eviction_date_of_a_zowonen_case(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    body = gql(
        "partners-in-welzijn",
        "{ cases(first: 50) { nodes { id municipality owner "
        "evictionDate contactName withheld } } }",
    )
    nodes = body["data"]["cases"]["nodes"]
    assert nodes, "Partners in Welzijn is involved in demo cases"
    for node in nodes:
        assert node["municipality"] is None and node["owner"] is None
        assert node["contactName"] is None
        assert "contactName" in node["withheld"] and "evictionDate" not in node["withheld"]
    assert any(node["evictionDate"] for node in nodes)


def test_case_of_another_partner_is_answered_like_a_missing_one(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    foreign = _case_id(sessions, "nijestee")
    invisible = gql("zowonen", CASE, {"id": foreign})
    missing = gql("zowonen", CASE, {"id": "00000000-0000-4000-8000-000000000000"})
    assert error_codes(invisible) == error_codes(missing) == ["NOT_FOUND"]
    assert invisible["data"] == missing["data"] is None
    strip = lambda m: m.replace(foreign, "X").replace("00000000-0000-4000-8000-000000000000", "X")  # noqa: E731
    assert strip(invisible["errors"][0]["message"]) == strip(missing["errors"][0]["message"])


def test_every_disclosure_is_logged_once_per_request_per_case(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    case_id = _case_id(sessions, "zowonen")
    body = gql(
        "gemeente-sittard-geleen",
        CASE,
        {"id": case_id},
        act="medewerker-17",
        headers={"traceparent": "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01"},
    )
    assert body["data"]["case"]["contactName"]
    with sessions() as session:
        records = session.scalars(select(AccessLogRecord)).all()
    assert len(records) == 1
    record = records[0]
    assert record.trace_id == "0af7651916cd43dd8448eb211c80319c"
    assert record.actor == "medewerker-17"
    assert record.partner_id == "gemeente-sittard-geleen"
    assert "contactName" in record.fields_disclosed and "phase" in record.fields_withheld


def test_the_municipality_reads_a_scheduled_evictions_date_and_bailiff_by_statute(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    # Zaanstad's covenant releases neither to the municipality; art. 556 lid 3 Rv does.
    with sessions() as session:
        case_id = str(
            session.scalars(
                select(Case.id)
                .where(Case.owner_id == "parteon", Case.phase == Phase.JUDGMENT_SERVED)
                .order_by(Case.registered_at)
            ).first()
        )
    query = "query($id: ID!) { case(id: $id) { evictionDate bailiff phase withheld } }"
    before = gql("gemeente-zaanstad", query, {"id": case_id})["data"]["case"]
    assert before["bailiff"] is None  # no bailiff named yet
    scheduled = gql(
        "parteon",
        """mutation($id: ID!) { scheduleEviction(id: $id, date: "2027-01-20",
        bailiff: "kerckhoffs-lasonder") { evictionDate } }""",
        {"id": case_id},
    )
    assert scheduled["data"]["scheduleEviction"]["evictionDate"] == "2027-01-20"
    read = gql("gemeente-zaanstad", query, {"id": case_id})["data"]["case"]
    assert (read["evictionDate"], read["bailiff"]) == ("2027-01-20", "kerckhoffs-lasonder")
    assert "evictionDate" not in read["withheld"] and "phase" in read["withheld"]
