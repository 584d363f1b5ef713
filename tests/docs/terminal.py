"""A terminal as a reader of the README has one: commands run through bash exactly as printed,
in a working directory whose ``.venv`` is the environment running the tests, with the
environment that the ``export`` lines before them built up.

Only placeholders are filled in, each named by the caller and required to be in the command;
a ``<...>`` placeholder left without a value fails rather than reaching bash.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

BASH = shutil.which("bash") or "/bin/bash"
_PLACEHOLDER = re.compile(r"<[^<>\s][^<>\n]*>")
#: Generous: two cores are shared with other test runs, and every command starts Python.
_COMMAND_SECONDS = 120
_START_SECONDS = 60
_STOP_SECONDS = 20


@dataclass(frozen=True)
class Output:
    """What a command printed."""

    stdout: str
    stderr: str


@dataclass(frozen=True)
class Background:
    """A command left running, as in a second terminal; its output goes to files."""

    process: subprocess.Popen[bytes]
    stdout_file: Path
    stderr_file: Path

    def stdout(self) -> str:
        """What it printed on stdout so far."""
        return self.stdout_file.read_text(encoding="utf-8")

    def printed(self) -> str:
        """Both of its streams so far, for a failure message."""
        return self.stdout() + self.stderr_file.read_text(encoding="utf-8")


class Terminal:
    """A shell session in ``directory``: ``.venv/bin`` there is the running interpreter's
    ``bin`` directory, and no ``KETENREGISTER_`` setting of whoever runs the tests leaks in."""

    def __init__(self, directory: Path) -> None:
        scripts = Path(sys.executable).parent
        assert (scripts / "ketenregister").exists(), (
            f"no ketenregister next to {sys.executable}: install the project (pip install -e)"
        )
        self.directory = directory
        (directory / ".venv").mkdir()
        (directory / ".venv" / "bin").symlink_to(scripts, target_is_directory=True)
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("KETENREGISTER_")}
        self._logs = directory / ".terminal"
        self._logs.mkdir()
        self._started = 0

    def run(
        self, command: str, placeholders: Mapping[str, str] | None = None, *, status: int = 0
    ) -> Output:
        """Run ``command`` and require its exit ``status``. An ``export`` line sets the
        variables for the commands after it, as in an interactive shell."""
        script = _filled(command, placeholders or {})
        exporting = script.startswith("export ")
        done = subprocess.run(
            [BASH, "-c", f"{script}\nenv -0" if exporting else script],
            cwd=self.directory,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=_COMMAND_SECONDS,
        )
        assert done.returncode == status, (
            f"exit status {done.returncode}, not {status}, of\n{script}\n"
            f"stdout:\n{done.stdout}\nstderr:\n{done.stderr}"
        )
        if not exporting:
            return Output(done.stdout, done.stderr)
        variables = (item.split("=", 1) for item in done.stdout.split("\0") if "=" in item)
        self.env = {name: value for name, value in variables if name != "_"}
        return Output("", done.stderr)

    @contextmanager
    def started(
        self, command: str, placeholders: Mapping[str, str] | None = None, *, ready: str
    ) -> Iterator[Background]:
        """Run a command that serves until it is stopped; yield once ``ready`` (a URL) answers
        200, then stop it with SIGTERM and require that it stops."""
        script = _filled(command, placeholders or {})
        self._started += 1
        stdout_file = self._logs / f"{self._started}.out"
        stderr_file = self._logs / f"{self._started}.err"
        with stdout_file.open("wb") as out, stderr_file.open("wb") as err:
            process = subprocess.Popen(
                [BASH, "-c", script],
                cwd=self.directory,
                # Unbuffered: what it prints before serving can be read while it serves.
                env={**self.env, "PYTHONUNBUFFERED": "1"},
                stdout=out,
                stderr=err,
                start_new_session=True,  # its own process group: bash and what it started
            )
        background = Background(process, stdout_file, stderr_file)
        try:
            _wait_until_ready(background, ready, script)
            yield background
        finally:
            stopped = _stopped(background.process)
        # Not in `finally`: a failure while it ran is the one to report.
        assert stopped, f"did not stop on SIGTERM:\n{script}\n{background.printed()}"


def _filled(command: str, placeholders: Mapping[str, str]) -> str:
    for placeholder, value in placeholders.items():
        assert placeholder in command, f"{placeholder!r} is not in\n{command}"
        command = command.replace(placeholder, value)
    unfilled = _PLACEHOLDER.findall(command)
    assert not unfilled, f"no value for {unfilled} in\n{command}"
    return command


def _wait_until_ready(background: Background, url: str, script: str) -> None:
    deadline = time.monotonic() + _START_SECONDS
    while time.monotonic() < deadline:
        if background.process.poll() is not None:
            raise AssertionError(
                f"exit status {background.process.returncode} of\n{script}\n{background.printed()}"
            )
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"{url} did not answer 200 in time:\n{script}\n{background.printed()}")


def _stopped(process: subprocess.Popen[bytes]) -> bool:
    """Stop ``process`` and what it started with SIGTERM, as a process manager does; kill
    them if that does not work in time. Whether SIGTERM stopped it."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=_STOP_SECONDS)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        return False
    return True
