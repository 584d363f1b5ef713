"""What a release states about itself agrees: the version in pyproject.toml is the one the
installed package reports and both command lines print."""

from __future__ import annotations

import importlib.metadata
import tomllib
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from clients.cli import main as client_main
from registry.cli import main as registry_main

ROOT = Path(__file__).parent.parent


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
