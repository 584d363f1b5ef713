"""The server's own log: one JSON object per line that operators can index, through a real
``ketenregister serve`` process and through ``serverlog.configure`` itself."""

from __future__ import annotations

import io
import json
import logging
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from registry import serverlog
from registry.serverlog import LogFormat
from tests.conftest import AUDIENCE
from tests.servers import serving

MALFORMED = "Bearer abc.def.ghi"


@pytest.fixture
def restored_logging() -> Iterator[None]:
    """Put the process's logging back as it was: pytest's capture depends on it."""
    root = logging.getLogger()
    handlers, level = root.handlers[:], root.level
    uvicorn = {name: logging.getLogger(name) for name in ("uvicorn", "uvicorn.error")}
    saved = {name: (lg.handlers[:], lg.propagate) for name, lg in uvicorn.items()}
    yield
    root.handlers, root.level = handlers, level
    for name, (kept, propagate) in saved.items():
        uvicorn[name].handlers, uvicorn[name].propagate = kept, propagate


def _lines(log: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]


def test_serve_logs_why_a_token_was_refused_as_one_json_object_per_line(
    database_url: str, tmp_path: Path
) -> None:
    env = {"KETENREGISTER_AUDIENCE": AUDIENCE, "KETENREGISTER_LOG_FORMAT": "json"}
    with serving(database_url, tmp_path, processes=1, env=env) as (url,):
        answer = httpx.post(
            f"{url}/graphql",
            json={"query": "{ __typename }"},
            headers={"Authorization": MALFORMED},
        )
    assert answer.status_code == 401
    lines = _lines(tmp_path / "server-0.log")  # every line parses, or this raises
    refused = [line for line in lines if line["logger"] == "registry.access.auth"]
    assert [(line["level"], line["event"]) for line in refused] == [
        ("info", "token refused (malformed): malformed token: DecodeError")
    ]
    assert all({"timestamp", "level", "logger", "event"} <= line.keys() for line in lines)
    access = [line for line in lines if line["logger"] == "uvicorn.access"]
    assert any('"POST /graphql HTTP/1.1" 401' in str(line["event"]) for line in access)


def test_serve_speaks_plainly_to_a_person_when_asked(database_url: str, tmp_path: Path) -> None:
    env = {"KETENREGISTER_AUDIENCE": AUDIENCE, "KETENREGISTER_LOG_FORMAT": "console"}
    with serving(database_url, tmp_path, processes=1, env=env) as (url,):
        httpx.post(
            f"{url}/graphql", json={"query": "{ __typename }"}, headers={"Authorization": MALFORMED}
        )
    text = (tmp_path / "server-0.log").read_text()
    assert "token refused (malformed)" in text
    assert not text.lstrip().startswith("{")


def test_an_unknown_log_format_is_refused_in_one_line(database_url: str) -> None:
    command = Path(sys.executable).with_name("ketenregister")
    run = subprocess.run(
        [str(command), "serve", "--database-url", database_url, "--port", "1"],
        env={"KETENREGISTER_LOG_FORMAT": "xml", "PATH": ""},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert run.returncode == 1
    assert run.stderr.splitlines() == [
        "Error: invalid setting: KETENREGISTER_LOG_FORMAT: Input should be 'json' or 'console' "
        "(got 'xml')"
    ]
    assert "Traceback" not in run.stderr


@pytest.mark.usefixtures("restored_logging")
def test_an_unexpected_error_is_one_line_with_its_traceback_in_a_field() -> None:
    out = io.StringIO()
    serverlog.configure(LogFormat.JSON, "info", stream=out)
    try:
        raise KeyError("boom")
    except KeyError:
        logging.getLogger("registry.app").exception("request failed")
    logging.getLogger("registry.app").debug("not shown below the chosen level")
    (line,) = out.getvalue().splitlines()
    record = json.loads(line)
    assert (record["level"], record["logger"], record["event"]) == (
        "error",
        "registry.app",
        "request failed",
    )
    assert "Traceback" in record["exception"]
    assert "KeyError: 'boom'" in record["exception"]


def test_an_unknown_level_is_refused_by_name() -> None:
    with pytest.raises(ValueError, match="unknown log level 'loud'"):
        serverlog.configure(LogFormat.JSON, "loud")
