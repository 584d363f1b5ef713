"""What every command shares: the global options, the SDK client made from them, and how
results and errors reach the terminal (one line, never a traceback)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import click
import httpx

from clients.errors import RegistryClientError
from clients.keyfile import KeyFileError
from clients.sdk import RegistryClient


@dataclass(frozen=True)
class Options:
    """The options given before the command: the key file and whom the access log names."""

    key_file: Path | None
    act: str | None
    purpose: str | None


def registry_client(options: Options) -> RegistryClient:
    """The SDK client of the key file in ``options`` (a usage error without one)."""
    if options.key_file is None:
        raise click.UsageError("--key-file is required for this command")
    try:
        return RegistryClient.from_key_file(
            options.key_file, act=options.act, purpose=options.purpose
        )
    # ValueError: a bad private key; httpx.InvalidURL: a bad registry URL in the key file.
    except (KeyFileError, OSError, ValueError, httpx.InvalidURL) as exc:
        raise click.ClickException(one_line(str(exc))) from None


@contextmanager
def reported() -> Iterator[None]:
    """Turn registry and network errors into a one-line message and exit code 1."""
    # Partners' operators see one line, never a traceback (which could quote a query).
    try:
        yield
    except RegistryClientError as exc:
        prefix = f"{exc.code}: " if exc.code else ""
        raise click.ClickException(one_line(prefix + exc.message)) from None
    except httpx.HTTPError as exc:
        raise click.ClickException(one_line(f"cannot reach the registry: {exc}")) from None


def print_json(value: Any) -> None:
    """Print ``value`` as indented JSON on stdout."""
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


def one_line(text: str) -> str:
    """``text`` with its white space folded, for a message on one line."""
    return " ".join(text.split())
