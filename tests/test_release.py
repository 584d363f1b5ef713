"""What a release states about itself agrees: the version in pyproject.toml is the one the
installed package reports, both command lines print, the changelog's latest release and
publiccode.yml name; the licence is EUPL-1.2 everywhere."""

from __future__ import annotations

import hashlib
import importlib.metadata
import re
import tomllib
from pathlib import Path

import click
import pytest
import yaml
from click.testing import CliRunner

from clients.cli import main as client_main
from registry.cli import main as registry_main

ROOT = Path(__file__).parent.parent
#: The official English text of the EUPL v. 1.2, as the European Commission publishes it in
#: plain text: the file is kept verbatim.
EUPL_1_2_SHA256 = "6fc9e709ccbfe0d77fbffa2427a983282be2eb88e47b1cdb49f21a83b4d1e665"


def _declared_version() -> str:
    with (ROOT / "pyproject.toml").open("rb") as handle:
        return str(tomllib.load(handle)["project"]["version"])


def test_the_installed_package_reports_the_declared_version() -> None:
    # A stale editable install reports the version it was installed with: reinstall it.
    assert importlib.metadata.version("ketenregister") == _declared_version()


@pytest.mark.parametrize(
    ("command", "name"),
    [(registry_main, "ketenregister"), (client_main, "ketenregister-client")],
)
def test_both_command_lines_print_the_version(command: click.Group, name: str) -> None:
    result = CliRunner().invoke(command, ["--version"])
    assert result.exit_code == 0, result.output
    assert result.output == f"{name}, version {importlib.metadata.version('ketenregister')}\n"


def test_the_changelog_names_the_version_as_its_latest_release() -> None:
    releases = re.findall(
        r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2})$",
        (ROOT / "CHANGELOG.md").read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    assert releases, "CHANGELOG.md has no '## [x.y.z] - YYYY-MM-DD' release heading"
    assert releases[0][0] == _declared_version()


def test_publiccode_yml_agrees_with_the_package_and_the_changelog() -> None:
    publiccode = yaml.safe_load((ROOT / "publiccode.yml").read_text(encoding="utf-8"))
    changelog = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    assert publiccode["publiccodeYmlVersion"] == "0.4"
    assert publiccode["softwareVersion"] == _declared_version()
    assert f"## [{publiccode['softwareVersion']}] - {publiccode['releaseDate']}" in changelog
    assert publiccode["legal"]["license"] == "EUPL-1.2"
    for language, text in publiccode["description"].items():
        assert len(text["shortDescription"]) <= 150, language
        assert 150 <= len(text["longDescription"]) <= 10000, language
        assert text["features"], language


def test_the_licence_is_the_eupl_verbatim_and_the_metadata_says_so() -> None:
    licence = (ROOT / "LICENSE").read_bytes()
    assert hashlib.sha256(licence).hexdigest() == EUPL_1_2_SHA256
    metadata = importlib.metadata.metadata("ketenregister")
    assert metadata["License-Expression"] == "EUPL-1.2"
