"""Partner key files: round trip, owner-only permissions, clear errors."""

import json
import os
import stat
from pathlib import Path

import pytest

from clients.keyfile import KeyFile, KeyFileError, load_key_file, write_key_file
from clients.tokens import generate_key_pair


def _key_file() -> KeyFile:
    private_pem, _ = generate_key_pair()
    return KeyFile(
        partner="zowonen",
        kid="zowonen-2025",
        private_key=private_pem,
        registry="http://127.0.0.1:8000",
        audience="ketenregister",
    )


def test_a_written_key_file_loads_back_unchanged(tmp_path: Path) -> None:
    key_file = _key_file()

    write_key_file(tmp_path / "zowonen.json", key_file)

    assert load_key_file(tmp_path / "zowonen.json") == key_file


def test_the_file_format_is_the_contracts_json(tmp_path: Path) -> None:
    key_file = _key_file()

    write_key_file(tmp_path / "zowonen.json", key_file)

    assert json.loads((tmp_path / "zowonen.json").read_text()) == {
        "partner": "zowonen",
        "kid": "zowonen-2025",
        "private_key": key_file.private_key,
        "registry": "http://127.0.0.1:8000",
        "audience": "ketenregister",
    }


def test_a_key_file_is_readable_by_its_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    previous = os.umask(0)
    try:
        write_key_file(tmp_path / "zowonen.json", _key_file())
    finally:
        os.umask(previous)

    assert stat.S_IMODE((tmp_path / "zowonen.json").stat().st_mode) == 0o600


def test_an_existing_key_file_is_not_overwritten(tmp_path: Path) -> None:
    path = tmp_path / "zowonen.json"
    path.write_text("keep me")

    with pytest.raises(KeyFileError, match=r"zowonen\.json: already exists"):
        write_key_file(path, _key_file())

    assert path.read_text() == "keep me"


def test_overwriting_replaces_the_content_and_tightens_the_mode(tmp_path: Path) -> None:
    path = tmp_path / "zowonen.json"
    path.write_text("old")
    path.chmod(0o644)
    key_file = _key_file()

    write_key_file(path, key_file, overwrite=True)

    assert load_key_file(path) == key_file
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_the_private_key_stays_out_of_repr() -> None:
    key_file = _key_file()

    assert "PRIVATE KEY" not in repr(key_file)
    assert "zowonen-2025" in repr(key_file)


def test_a_missing_field_is_named(tmp_path: Path) -> None:
    path = tmp_path / "zowonen.json"
    fields = {"partner": "zowonen", "kid": "k", "private_key": "x", "registry": "u"}
    path.write_text(json.dumps(fields))

    with pytest.raises(KeyFileError, match=r"missing or empty field\(s\): audience"):
        load_key_file(path)


def test_a_file_that_is_not_json_is_refused_without_quoting_it(tmp_path: Path) -> None:
    path = tmp_path / "zowonen.json"
    path.write_text("-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n")

    with pytest.raises(KeyFileError, match="not a JSON key file") as caught:
        load_key_file(path)

    assert "c2VjcmV0" not in str(caught.value)
