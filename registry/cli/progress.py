"""The one progress bar the commands show (``demo``, ``import``, ``log verify``): click's,
on stderr, and only on a terminal (click hides it on a pipe), so that stdout stays the lines a
script reads."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import click


@contextmanager
def progress_bar(length: int, label: str) -> Iterator[Callable[[int], None]]:
    """A bar of ``length`` steps; the function it yields advances it by as many steps."""
    with click.progressbar(length=length, label=label, file=sys.stderr) as bar:
        yield bar.update
