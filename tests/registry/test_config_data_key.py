"""The households' data key in a deployment: ``serve`` and ``worker`` refuse to start without
one (or with one that does not parse), with one line saying how to make it, and
``ketenregister data-key keygen`` makes one that they accept. The real command line runs as a
subprocess with none of the developer's settings."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from registry.privacy import keys

CLI = Path(sys.executable).parent / "ketenregister"


def _run(*arguments: str, **variables: str) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("KETENREGISTER_")}
    environment.pop("DATABASE_URL", None)
    return subprocess.run(
        [str(CLI), *arguments],
        env={**environment, **variables},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _database(tmp_path: Path) -> dict[str, str]:
    return {"KETENREGISTER_DATABASE_URL": f"sqlite:///{tmp_path / 'registry.sqlite3'}"}


@pytest.mark.parametrize("command", ["serve", "worker"])
def test_a_server_without_a_data_key_refuses_to_start(tmp_path: Path, command: str) -> None:
    refused = _run(command, **_database(tmp_path))
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [
        "Error: no data key: set KETENREGISTER_DATA_KEY_FILE to a key file (`ketenregister "
        "data-key keygen --out FILE`) or KETENREGISTER_DATA_KEY (`openssl rand -base64 32`); "
        "see docs/deployment.md, 'Data key custody'"
    ]
    assert not (tmp_path / "registry.sqlite3").exists(), "refused before it opened the database"


@pytest.mark.parametrize(
    ("variables", "line"),
    [
        (
            {"KETENREGISTER_DATA_KEY": "not a key"},
            "Error: invalid setting: KETENREGISTER_DATA_KEY: the data key is not base64 of 32 "
            "bytes",
        ),
        (
            {"KETENREGISTER_DATA_KEY": "c2hvcnQ="},
            "Error: invalid setting: KETENREGISTER_DATA_KEY: the data key must be 32 bytes, not 5",
        ),
        (
            {"KETENREGISTER_DATA_KEY_FILE": "/nonexistent/data.key"},
            "Error: invalid setting: KETENREGISTER_DATA_KEY_FILE: cannot read the data key "
            "file: No such file or directory",
        ),
    ],
)
def test_a_bad_data_key_is_refused_in_one_line(
    tmp_path: Path, variables: dict[str, str], line: str
) -> None:
    refused = _run("worker", "--once", **_database(tmp_path), **variables)
    assert refused.returncode == 1
    assert refused.stderr.splitlines() == [line]
    assert "not a key" not in refused.stderr


def test_keygen_makes_a_key_the_worker_accepts_and_never_overwrites_it(tmp_path: Path) -> None:
    key_file = tmp_path / "keys" / "data.key"
    made = _run("data-key", "keygen", "--out", str(key_file))
    assert made.returncode == 0, made.stderr
    assert "set KETENREGISTER_DATA_KEY_FILE" in made.stdout
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    written = key_file.read_text()
    assert keys.read_file(key_file).encoded == written.strip()
    assert written.strip() not in made.stdout + made.stderr, "the key is never printed"

    again = _run("data-key", "keygen", "--out", str(key_file))
    assert again.returncode == 1
    assert again.stderr.splitlines() == [f"Error: {key_file} exists; a registry keeps its data key"]
    assert key_file.read_text() == written

    assert _run("db", "upgrade", **_database(tmp_path)).returncode == 0
    started = _run(
        "worker", "--once", **_database(tmp_path), KETENREGISTER_DATA_KEY_FILE=str(key_file)
    )
    assert started.returncode == 0, started.stderr
    assert "fanned out 0 events" in started.stdout
