"""Real registry server processes (``ketenregister serve``) on 127.0.0.1, as a deployment runs
them behind a load balancer: for tests of what many partner systems do at once."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def serving(
    database_url: str,
    log_dir: Path,
    *,
    processes: int = 2,
    env: dict[str, str] | None = None,
) -> Iterator[list[str]]:
    """Start ``processes`` server processes on one database; yields their base URLs and stops
    them afterwards. Each logs to a file in ``log_dir``, shown if it fails to start."""
    command = Path(sys.executable).with_name("ketenregister")
    started: list[tuple[subprocess.Popen[bytes], str, Path]] = []
    try:
        for number in range(processes):
            port = free_port()
            log = log_dir / f"server-{number}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [
                        *(str(command), "serve", "--database-url", database_url),
                        *("--host", "127.0.0.1", "--port", str(port), "--no-worker"),
                    ],
                    env={**os.environ, **(env or {})},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            started.append((process, f"http://127.0.0.1:{port}", log))
        for process, url, log in started:
            _wait_until_ready(process, url, log)
        yield [url for _, url, _ in started]
    finally:
        for process, _, _ in started:
            process.terminate()
        for process, _, _ in started:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_until_ready(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"server exited early:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError(f"server did not start in time:\n{log.read_text()}")
