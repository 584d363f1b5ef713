"""``ketenregister import FILE --as PARTNER`` as an operator runs it for a corporation: every
line checked as ``registerCase`` checks it, nothing imported when one is refused, the cases
then readable like registered ones, sealed at rest, a re-run and a concurrent run harmless."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result
from sqlalchemy import func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from registry.cli import main
from registry.imports.batches import case_id_for
from registry.models import AccessLogRecord, Case, CaseContact, OutboxEvent
from tests.arrange import NEW_CASE, REGISTER_CASE
from tests.conftest import PG_URL, GraphQL

COMMAND = str(Path(sys.executable).with_name("ketenregister"))
READ = """query($id: ID!) { case(id: $id) { municipality owner phase householdComposition
  arrearsAmount arrearsMonths earlySignalledOn contactName contactAddress withheld } }"""


def _line(number: int, **changes: Any) -> dict[str, Any]:
    contact = {**NEW_CASE["contact"], "name": f"Huishouden Import{number:05d}"}
    return NEW_CASE | {"reference": f"ZO-{number:05d}", "contact": contact} | changes


def _jsonl(path: Path, lines: list[dict[str, Any] | str]) -> Path:
    path.write_text("".join((x if isinstance(x, str) else json.dumps(x)) + "\n" for x in lines))
    return path


def _run(database_url: str, *arguments: str) -> Result:
    return CliRunner().invoke(
        main, ["import", *arguments, "--database-url", database_url], catch_exceptions=False
    )


def _answer(body: dict[str, Any]) -> tuple[Any, list[Any]]:
    """What a partner notices of an answer: its data and its errors' codes."""
    return body["data"], [e["extensions"]["code"] for e in body.get("errors", [])]


def _cases(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(Case)) or 0


def test_a_bad_line_is_named_with_its_number_and_nothing_is_imported(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    before = _cases(sessions)
    lines: list[dict[str, Any] | str] = [_line(1), _line(2), _line(3, arrearsMonths=None)]
    lines += [_line(4), "{not json", _line(6, municipality="zaanstad")]
    done = _run(database_url, str(_jsonl(tmp_path / "caseload.jsonl", lines)), "--as", "zowonen")
    assert done.exit_code == 1
    assert "line 3: INVALID_INPUT: a rent-arrears case needs arrearsAmount and arrearsMonths" in (
        done.output
    )
    assert "line 5: INVALID_INPUT: not JSON" in done.output
    assert "line 6: NOT_ALLOWED: zowonen does not work in municipality 'zaanstad'" in done.output
    assert "3 of 6 lines refused; nothing imported" in done.output
    assert _cases(sessions) == before


def test_skip_invalid_imports_the_other_lines_and_lists_the_refused(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    before = _cases(sessions)
    lines: list[dict[str, Any] | str] = [_line(1), _line(2), _line(3, reasons=["EVICTED"])]
    path = _jsonl(tmp_path / "caseload.jsonl", [*lines, _line(4)])
    done = _run(database_url, str(path), "--as", "zowonen", "--skip-invalid")
    assert done.exit_code == 0, done.output
    assert "line 3: INVALID_INPUT: reasons: 'EVICTED' is not one of RENT_ARREARS" in done.output
    assert "imported 3 cases for zowonen; 0 imported already; 1 refused and skipped" in done.output
    assert _cases(sessions) == before + 3
    with sessions() as session:
        assert session.get(Case, case_id_for("zowonen", "ZO-00003")) is None
        assert session.get(Case, case_id_for("zowonen", "ZO-00004")) is not None


def test_a_csv_file_reads_as_the_same_cases_and_names_its_lines(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    header = (
        "reference,municipality,householdComposition,childrenInvolved,reasons,arrearsAmount,"
        "arrearsMonths,contactAttempted,debtHelpReferred,reminderSent,tenantDidNotObject,"
        "contactName,contactAddress,contactPostalCode\n"
    )
    good = "sittard-geleen,SINGLE,false,RENT_ARREARS;NUISANCE,900.50,2,true,true,true,true"
    path = tmp_path / "caseload.csv"
    path.write_text(
        header
        + f"ZO-1,{good},A Test,Proefweg 2,6131 AB\n"
        + f"ZO-2,{good},,Proefweg 3,6131 AB\n"  # line 3: no name
        + f'ZO-3,{good},"Test, B",Proefweg 4,6131 AB\n'
    )
    refused = _run(database_url, str(path), "--as", "zowonen")
    assert refused.exit_code == 1
    assert "line 3: INVALID_INPUT: contact.name is required" in refused.output
    done = _run(database_url, str(path), "--as", "zowonen", "--skip-invalid")
    assert "imported 2 cases" in done.output, done.output
    with sessions() as session:
        case = session.get(Case, case_id_for("zowonen", "ZO-3"))
        assert case is not None
        assert case.reasons == ["nuisance", "rent_arrears"] and str(case.arrears_amount) == "900.50"


def test_imported_cases_read_like_registered_ones_and_are_told_and_logged(
    database_url: str, sessions: sessionmaker[Session], gql: GraphQL, tmp_path: Path
) -> None:
    # registerCase knows no reference: the same input without it.
    sent = {k: v for k, v in _line(1).items() if k != "reference"}
    registered = gql("zowonen", REGISTER_CASE, {"input": sent})
    assert "errors" not in registered, registered
    path = _jsonl(tmp_path / "caseload.jsonl", [_line(1)])
    done = _run(database_url, str(path), "--as", "zowonen")
    assert done.exit_code == 0, done.output
    imported = str(case_id_for("zowonen", "ZO-00001"))
    for partner in ("zowonen", "gemeente-sittard-geleen", "partners-in-welzijn", "nijestee"):
        seen = [
            _answer(gql(partner, READ, {"id": case_id}))
            for case_id in (registered["data"]["registerCase"]["id"], imported)
        ]
        assert seen[0] == seen[1], partner
    owner = gql("zowonen", READ, {"id": imported})["data"]["case"]
    assert owner["contactName"] == "Huishouden Import00001" and owner["phase"] == "EARLY_SIGNAL"
    # The municipality reads the early signal's fields; a partner of no relation nothing.
    municipality = gql("gemeente-sittard-geleen", READ, {"id": imported})["data"]["case"]
    assert municipality["earlySignalledOn"] and municipality["arrearsAmount"] == "1650.00"
    stranger = gql("nijestee", READ, {"id": imported})
    assert stranger["data"] is None and stranger["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    with sessions() as session:
        told = session.scalars(
            select(OutboxEvent.type).where(OutboxEvent.case_id == uuid.UUID(imported))
        ).all()
        assert [str(t) for t in told] == ["case.registered"]
        logged = session.scalars(
            select(AccessLogRecord).where(
                AccessLogRecord.case_id == uuid.UUID(imported),
                AccessLogRecord.operation == "import",
            )
        ).all()
        assert [(r.partner_id, r.outcome) for r in logged] == [("zowonen", "identified")]


def test_imported_contact_details_are_sealed_at_rest(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    secret, address = "Geheime Importnaam Zeldzaam", "Verborgen Adres 7"
    contact = {"name": secret, "address": address, "postalCode": "6131 ZZ"}
    path = _jsonl(tmp_path / "caseload.jsonl", [_line(1, contact=contact)])
    done = _run(database_url, str(path), "--as", "zowonen")
    assert done.exit_code == 0, done.output
    case_id = case_id_for("zowonen", "ZO-00001")
    with sessions() as session:
        case = session.get(Case, case_id)
        assert case is not None and case.data_key is not None  # a key of its own, wrapped
        stored = session.execute(
            select(CaseContact.sealed_name, CaseContact.sealed_address).where(
                CaseContact.case_id == case_id
            )
        ).one()
    assert secret.encode() not in bytes(stored[0]) and address.encode() not in bytes(stored[1])
    if not PG_URL:  # and nowhere in the database's files
        file = Path(make_url(database_url).database or "")
        for part in (file, file.with_name(file.name + "-wal")):
            if part.exists():
                assert secret.encode() not in part.read_bytes()
                assert address.encode() not in part.read_bytes()


def test_a_re_run_skips_what_was_imported_and_says_so(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    path = _jsonl(tmp_path / "caseload.jsonl", [_line(1), _line(2)])
    assert _run(database_url, str(path), "--as", "zowonen").exit_code == 0
    before = _cases(sessions)
    path = _jsonl(tmp_path / "caseload.jsonl", [_line(1), _line(2), _line(3)])
    again = _run(database_url, str(path), "--as", "zowonen")
    assert again.exit_code == 0, again.output
    assert "line 1: reference 'ZO-00001' was imported already: skipped" in again.output
    assert "imported 1 cases for zowonen; 2 imported already" in again.output
    assert _cases(sessions) == before + 1


def test_only_a_corporation_imports_cases(database_url: str, tmp_path: Path) -> None:
    path = _jsonl(tmp_path / "caseload.jsonl", [_line(1)])
    done = _run(database_url, str(path), "--as", "gemeente-sittard-geleen")
    assert done.exit_code == 1
    assert "line 1: NOT_ALLOWED: only a housing corporation registers cases" in done.output
    unknown = _run(database_url, str(path), "--as", "nobody")
    assert unknown.exit_code == 1 and "unknown partner 'nobody'" in unknown.output


def test_two_imports_of_overlapping_files_at_once_write_each_case_once(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    before = _cases(sessions)
    first = _jsonl(tmp_path / "a.jsonl", [_line(n) for n in range(1, 241)])
    second = _jsonl(tmp_path / "b.jsonl", [_line(n) for n in range(121, 361)])

    def run(path: Path) -> subprocess.CompletedProcess[str]:
        arguments = [COMMAND, "import", str(path), "--as", "zowonen", "--batch-size", "20"]
        return subprocess.run(
            [*arguments, "--database-url", database_url],
            capture_output=True,
            text=True,
            timeout=300,
        )

    with ThreadPoolExecutor(3) as pool:
        done = list(pool.map(run, [first, second, first]))
    assert all(d.returncode == 0 for d in done), [d.stderr for d in done]
    imported = [int(re.findall(r"^imported ([\d,]+) cases", d.stdout, re.M)[0]) for d in done]
    assert sum(imported) == 360
    assert _cases(sessions) == before + 360
    ids = [case_id_for("zowonen", f"ZO-{n:05d}") for n in range(1, 361)]
    with sessions() as session:
        told = session.scalar(
            select(func.count()).select_from(OutboxEvent).where(OutboxEvent.case_id.in_(ids))
        )
    assert told == 360


@pytest.mark.parametrize("name", ["caseload.jsonl", "caseload.csv"])
def test_the_documented_example_file_imports(
    database_url: str, sessions: sessionmaker[Session], name: str
) -> None:
    example = Path(__file__).parents[3] / "docs" / "examples" / name
    done = _run(database_url, str(example), "--as", "zowonen")
    assert done.exit_code == 0, done.output
    assert "imported 3 cases for zowonen" in done.output
