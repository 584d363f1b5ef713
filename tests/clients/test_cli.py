"""The ``ketenregister-client`` command line, run with click's CliRunner."""

import json
import stat
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from joserfc.jwk import OKPKey

from clients import RegistryClient
from clients.cli import main
from clients.keyfile import KeyFile, load_key_file, write_key_file
from clients.tokens import generate_key_pair

Handler = Callable[[httpx.Request], httpx.Response]


def _key_file(tmp_path: Path) -> Path:
    private_pem, _ = generate_key_pair()
    path = tmp_path / "zowonen.json"
    write_key_file(
        path,
        KeyFile(
            partner="zowonen",
            kid="zowonen-2025",
            private_key=private_pem,
            registry="http://registry.test",
            audience="ketenregister",
        ),
    )
    return path


def _serve(monkeypatch: pytest.MonkeyPatch, handler: Handler) -> list[httpx.Request]:
    """Point every client the command line makes at ``handler`` instead of the network."""
    seen: list[httpx.Request] = []

    def recording(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return handler(request)

    from_key_file = RegistryClient.from_key_file.__func__  # type: ignore[attr-defined]

    def with_mock(cls: type[RegistryClient], /, path: Path, **options: Any) -> RegistryClient:
        return from_key_file(cls, path, transport=httpx.MockTransport(recording), **options)  # type: ignore[no-any-return]

    monkeypatch.setattr(RegistryClient, "from_key_file", classmethod(with_mock))
    return seen


def _reply(body: dict[str, Any], status: int = 200) -> Handler:
    return lambda request: httpx.Response(status, json=body)


def test_keygen_writes_an_owner_only_key_file_and_prints_the_public_key(tmp_path: Path) -> None:
    out = tmp_path / "zowonen.json"

    result = CliRunner().invoke(
        main,
        [
            "keygen",
            "--partner",
            "zowonen",
            "--kid",
            "zowonen-2025",
            "--registry",
            "http://127.0.0.1:8000",
            "--audience",
            "ketenregister",
            "--out",
            str(out),
        ],
    )

    assert result.exit_code == 0, result.output
    key_file = load_key_file(out)
    assert (key_file.partner, key_file.kid, key_file.registry, key_file.audience) == (
        "zowonen",
        "zowonen-2025",
        "http://127.0.0.1:8000",
        "ketenregister",
    )
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    public_pem = OKPKey.import_key(key_file.private_key).as_pem(private=False).decode()
    assert result.stdout == public_pem
    assert "Register this public key for partner 'zowonen'" in result.stderr


def test_keygen_refuses_to_overwrite_a_key_file(tmp_path: Path) -> None:
    out = tmp_path / "zowonen.json"
    out.write_text("registered key")

    result = CliRunner().invoke(
        main,
        [
            "keygen",
            "--partner",
            "zowonen",
            "--kid",
            "k2",
            "--registry",
            "http://r",
            "--audience",
            "a",
            "--out",
            str(out),
        ],
    )

    assert result.exit_code == 1
    assert result.stderr == f"Error: {out}: already exists (not overwritten)\n"
    assert out.read_text() == "registered key"


def test_case_prints_the_record_as_json(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case: dict[str, Any] = {
        "id": "case-1",
        "municipality": "0363",
        "owner": "zowonen",
        "phase": "signal",
        "evictionDate": None,
        "withheld": [],
    }
    seen = _serve(monkeypatch, _reply({"data": {"case": case}}))

    result = CliRunner().invoke(
        main,
        [
            "--key-file",
            str(_key_file(tmp_path)),
            "--act",
            "j.jansen",
            "--purpose",
            "eviction_prevention",
            "case",
            "case-1",
        ],
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == case
    assert json.loads(seen[0].content)["variables"] == {"id": "case-1"}


def test_a_missing_case_is_one_line_and_exit_code_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _serve(monkeypatch, _reply({"data": {"case": None}}))

    result = CliRunner().invoke(main, ["--key-file", str(_key_file(tmp_path)), "case", "c-9"])

    assert result.exit_code == 1
    assert result.stderr == "case c-9 not found (or not visible to you)\n"
    assert result.stdout == ""


def test_a_registry_error_is_one_line_with_its_code_and_no_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _serve(
        monkeypatch,
        _reply(
            {
                "data": None,
                "errors": [
                    {
                        "message": "zowonen may not read\nthis case",
                        "extensions": {"code": "NOT_ALLOWED"},
                    }
                ],
            }
        ),
    )

    result = CliRunner().invoke(main, ["--key-file", str(_key_file(tmp_path)), "case", "c-1"])

    assert result.exit_code == 1
    assert result.stderr == "Error: NOT_ALLOWED: zowonen may not read this case\n"
    assert isinstance(result.exception, SystemExit)


def test_an_unreachable_registry_is_one_line_and_exit_code_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("Connection refused", request=request)

    _serve(monkeypatch, refuse)

    result = CliRunner().invoke(main, ["--key-file", str(_key_file(tmp_path)), "query", "{ a }"])

    assert result.exit_code == 1
    assert result.stderr == "Error: cannot reach the registry: Connection refused\n"


def test_query_reads_the_query_from_a_file_and_takes_variables(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _serve(monkeypatch, _reply({"data": {"cases": []}}))
    (tmp_path / "q.graphql").write_text("query($m: String!) { cases(municipality: $m) { id } }")

    result = CliRunner().invoke(
        main,
        [
            "--key-file",
            str(_key_file(tmp_path)),
            "query",
            f"@{tmp_path / 'q.graphql'}",
            "--variables",
            '{"m": "0363"}',
        ],
    )

    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout) == {"cases": []}
    assert json.loads(seen[0].content) == {
        "query": "query($m: String!) { cases(municipality: $m) { id } }",
        "variables": {"m": "0363"},
    }


def test_variables_must_be_a_json_object(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen = _serve(monkeypatch, _reply({"data": {}}))

    result = CliRunner().invoke(
        main,
        [
            "--key-file",
            str(_key_file(tmp_path)),
            "query",
            "{ a }",
            "--variables",
            "[1]",
        ],
    )

    assert result.exit_code == 2
    assert "Invalid value for --variables: must be a JSON object" in result.stderr
    assert seen == []


def test_commands_that_call_the_registry_need_a_key_file() -> None:
    result = CliRunner().invoke(main, ["case", "case-1"])

    assert result.exit_code == 2
    assert "--key-file is required for this command" in result.stderr


def test_an_unreadable_key_file_is_one_line(tmp_path: Path) -> None:
    result = CliRunner().invoke(main, ["--key-file", str(tmp_path / "nope.json"), "case", "c"])

    assert result.exit_code == 1
    assert result.stderr.startswith("Error: ")
    assert "No such file or directory" in result.stderr
    assert len(result.stderr.splitlines()) == 1
