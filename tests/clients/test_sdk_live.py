"""The partner SDK and command line against the real registry over real HTTP on 127.0.0.1."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from clients import RegistryClient
from clients.cli import main
from clients.errors import NotAllowedError, UnauthenticatedError
from registry.models import Case, Involvement
from tests.clients.conftest import key_file_for
from tests.conftest import AUDIENCE, DemoKey


def _zowonen_case_with_welfare(sessions: sessionmaker[Session]) -> str:
    with sessions() as session:
        return str(
            session.scalar(
                select(Case.id)
                .join(Involvement, Involvement.case_id == Case.id)
                .where(
                    Case.owner_id == "zowonen",
                    Involvement.partner_id == "partners-in-welzijn",
                    Case.eviction_date.is_not(None),
                )
            )
        )


def test_the_sdk_reads_a_case_as_the_policies_allow(
    registry_url: str,
    demo_keys: dict[str, DemoKey],
    tmp_path: Path,
    sessions: sessionmaker[Session],
) -> None:
    case_id = _zowonen_case_with_welfare(sessions)
    path = key_file_for(tmp_path, demo_keys["partners-in-welzijn"], registry_url)
    with RegistryClient.from_key_file(
        path, act="outreach-worker-3", purpose="eviction_prevention"
    ) as client:
        case = client.case(case_id)
        assert case is not None
        assert case["evictionDate"] and case["owner"] is None
        assert "contactName" in case["withheld"]
        assert client.case("00000000-0000-4000-8000-000000000000") is None
        with pytest.raises(NotAllowedError, match="only the owner and the municipality"):
            client.execute(
                "query($id: ID!) { accessHistory(caseId: $id) { partner } }", {"id": case_id}
            )


def test_a_key_the_registry_does_not_know_is_refused(registry_url: str, tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "stranger.json"
    result = runner.invoke(
        main,
        [
            "keygen",
            "--partner",
            "zowonen",
            "--kid",
            "zowonen-new",
            "--registry",
            registry_url,
            "--audience",
            AUDIENCE,
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    with RegistryClient.from_key_file(out) as client, pytest.raises(UnauthenticatedError):
        client.execute("{ cases(first: 1) { nodes { id } } }")


def test_the_command_line_queries_and_prints_tokens(
    registry_url: str,
    demo_keys: dict[str, DemoKey],
    tmp_path: Path,
    sessions: sessionmaker[Session],
) -> None:
    case_id = _zowonen_case_with_welfare(sessions)
    path = key_file_for(tmp_path, demo_keys["partners-in-welzijn"], registry_url)
    runner = CliRunner()
    shown = runner.invoke(
        main, ["--key-file", str(path), "--purpose", "eviction_prevention", "case", case_id]
    )
    assert shown.exit_code == 0, shown.output
    assert '"evictionDate": "' in shown.output and '"owner": null' in shown.output
    missing = runner.invoke(
        main, ["--key-file", str(path), "case", "00000000-0000-4000-8000-000000000000"]
    )
    assert missing.exit_code == 1
    token = runner.invoke(main, ["--key-file", str(path), "token"])
    assert token.exit_code == 0 and token.output.count(".") == 2
