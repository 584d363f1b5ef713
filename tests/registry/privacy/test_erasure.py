"""Erasure of a household (AVG art. 17): who may erase, what is found and removed, what stays
for the logs, a retry, the operator's command, and concurrent erasures."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from clients.tokens import sign_token
from registry.cli import main as cli
from registry.db import Base
from registry.models import (
    Annotation,
    AuditLogOpening,
    Case,
    CaseContact,
    Involvement,
)
from registry.privacy.erasure import KEPT, case_tables, naming_a_case_without_a_key
from tests.arrange import involved_case
from tests.conftest import AUDIENCE, DemoKey, GraphQL
from tests.helpers import error_codes
from tests.servers import serving

ERASE = "mutation($id: ID!) { eraseHousehold(caseId: $id) { caseId erasedAt rowsRemoved } }"
READ = "query($id: ID!) { case(id: $id) { id contactName } }"


def _state(sessions: sessionmaker[Session], case_id: str) -> tuple[Any, ...]:
    """What an erasure changes: the case's key and mark, its rows, the log's entries."""
    parsed = uuid.UUID(case_id)
    with sessions() as session:
        case = session.get(Case, parsed)
        assert case is not None
        return (
            case.data_key,
            case.erased_at,
            session.get(CaseContact, parsed) is not None,
            session.scalar(select(func.count()).where(Involvement.case_id == parsed)),
            session.scalar(select(func.count()).where(Annotation.case_id == parsed)),
            session.scalar(select(func.count()).select_from(AuditLogOpening)),
        )


def test_every_table_naming_a_case_is_erased_or_kept_for_a_reason() -> None:
    erased = {t.name for t in case_tables()}
    # Found through foreign keys, so a table a feature adds is erased without a list here.
    assert {"case_contact", "involvement", "annotation", "action_item", "agreement"} <= erased
    assert {"agreement_party", "inventory", "pickup_request", "municipal_contact"} <= erased
    # A table naming a case without a foreign key cannot be found so: it must say why it stays.
    assert naming_a_case_without_a_key() == set(KEPT), (
        "a table names a case without a foreign key and is not in KEPT: give it a foreign "
        "key to case_record (then erasure removes its rows) or say in KEPT why it stays"
    )
    for table in Base.metadata.tables.values():
        refers = any(k.column.table.name in erased | {"case_record"} for k in table.foreign_keys)
        if refers and table.name != "case_record":
            assert table.name in erased or table.name in KEPT, table.name


def test_only_the_owner_and_the_municipality_erase_and_others_change_nothing(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    case_id = involved_case(sessions, "partners-in-welzijn", "zowonen")
    before = _state(sessions, case_id)
    involved = gql("partners-in-welzijn", ERASE, {"id": case_id})
    assert error_codes(involved) == ["NOT_ALLOWED"]
    assert involved["errors"][0]["message"] == (
        "only the case's owner and its municipality erase its household's data"
    )
    stranger = gql("parteon", ERASE, {"id": case_id})
    assert error_codes(stranger) == ["NOT_FOUND"]
    assert stranger["errors"][0]["message"] == f"case {case_id} not found"
    assert error_codes(gql("zowonen", ERASE, {"id": "not-a-case"})) == ["INVALID_INPUT"]
    assert _state(sessions, case_id) == before


def test_the_municipality_erases_and_a_retry_answers_the_first_erasure(
    gql: GraphQL, sessions: sessionmaker[Session]
) -> None:
    case_id = involved_case(sessions, "partners-in-welzijn", "zowonen")
    assert gql("zowonen", READ, {"id": case_id})["data"]["case"]["contactName"]
    first = gql("gemeente-sittard-geleen", ERASE, {"id": case_id})["data"]["eraseHousehold"]
    assert first["caseId"] == case_id and first["rowsRemoved"] >= 2  # contact, involvement
    key, erased_at, contact, involvements, _annotations, _ = _state(sessions, case_id)
    assert key is None and erased_at is not None
    assert (contact, involvements) == (False, 0)
    again = gql("zowonen", ERASE, {"id": case_id})["data"]["eraseHousehold"]
    assert again == {**first, "rowsRemoved": 0}
    # Gone from every read and list; the partner once involved no longer relates to it.
    for partner in ("zowonen", "partners-in-welzijn"):
        assert error_codes(gql(partner, READ, {"id": case_id})) == ["NOT_FOUND"]
    listed = gql("zowonen", "{ cases(first: 500) { nodes { id } } }")["data"]["cases"]["nodes"]
    assert case_id not in {c["id"] for c in listed}


def test_the_operator_erases_from_the_command_line(
    sessions: sessionmaker[Session], database_url: str
) -> None:
    case_id = involved_case(sessions, "partners-in-welzijn", "zowonen")
    runner = CliRunner()
    done = runner.invoke(cli, ["erase", case_id, "--database-url", database_url])
    assert done.exit_code == 0, done.output
    assert f"case {case_id} erased at" in done.output
    assert "case_contact 1" in done.output
    key, erased_at, contact, *_ = _state(sessions, case_id)
    assert (key, contact) == (None, False) and erased_at is not None
    again = runner.invoke(cli, ["erase", case_id, "--database-url", database_url])
    assert again.exit_code == 0 and "erased already" in again.output
    missing = runner.invoke(cli, ["erase", str(uuid.uuid4()), "--database-url", database_url])
    assert missing.exit_code == 1 and "not found" in missing.output
    bad = runner.invoke(cli, ["erase", "nope", "--database-url", database_url])
    assert bad.exit_code == 1 and "is not a case id" in bad.output


@pytest.fixture
def servers(database_url: str, log_key_file: Path, tmp_path: Path) -> Iterator[list[str]]:
    """Two registry processes on the test's database, as behind a load balancer."""
    env = {
        "KETENREGISTER_AUDIENCE": AUDIENCE,
        "KETENREGISTER_LOG_KEY_FILE": str(log_key_file),
        "KETENREGISTER_LOG_ORIGIN": "ketenregister.test/log",
        "KETENREGISTER_QUEUE_TIMEOUT_SECONDS": "20",
        "KETENREGISTER_MAX_REQUESTS_PER_PARTNER": "20",
        "KETENREGISTER_RATE_LIMIT": "",
    }
    with serving(database_url, tmp_path, processes=2, env=env) as urls:
        yield urls


def test_concurrent_erasures_of_one_case_erase_it_once(
    servers: list[str], sessions: sessionmaker[Session], demo_keys: dict[str, DemoKey]
) -> None:
    case_id = involved_case(sessions, "partners-in-welzijn", "zowonen")
    with sessions() as session:
        entries_before = session.scalar(select(func.count()).select_from(AuditLogOpening))
    key = demo_keys["zowonen"]

    def send(n: int) -> httpx.Response:
        token = sign_token(
            partner_id=key.partner, key_id=key.kid, private_key=key.private_key, audience=AUDIENCE
        )
        return httpx.post(
            f"{servers[n % 2]}/graphql",
            json={"query": ERASE, "variables": {"id": case_id}},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )

    with ThreadPoolExecutor(6) as pool:
        answers = [r.json() for r in pool.map(send, range(6))]
    assert all("errors" not in a for a in answers), answers
    removed = sorted(a["data"]["eraseHousehold"]["rowsRemoved"] for a in answers)
    assert removed[:-1] == [0] * 5 and removed[-1] > 0  # erased once; the rest are retries
    assert len({a["data"]["eraseHousehold"]["erasedAt"] for a in answers}) == 1
    with sessions() as session:
        entries = session.scalar(select(func.count()).select_from(AuditLogOpening))
    assert entries == (entries_before or 0) + 1  # one case.erased event in the signed log
