"""Real registry server processes (``ketenregister serve``) on 127.0.0.1, as a deployment runs
them behind a load balancer, each on its own copy of a database: for tests of what many partner
systems do at once, for the SDK's examples, and for the load benchmark (``bench/bench_load.py``).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url


class ServerStartError(Exception):
    """A server process could not be started, or did not become healthy in time."""


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
    worker: bool = False,
    start_timeout: float = 30.0,
) -> Iterator[list[str]]:
    """Start ``processes`` server processes on one database; yields their base URLs and stops
    them afterwards (SIGTERM, and SIGKILL for one that hangs), also after an error.

    With ``worker`` the first process runs the webhook delivery worker, as one process of a
    deployment does; the others only answer requests. Each logs to a file in ``log_dir``,
    whose end ``ServerStartError`` shows when a process exits early or is not healthy within
    ``start_timeout`` seconds.
    """
    command = Path(sys.executable).with_name("ketenregister")
    if not command.exists():
        raise ServerStartError("no ketenregister command next to this Python: pip install -e .")
    started: list[tuple[subprocess.Popen[bytes], str, Path]] = []
    try:
        for number in range(processes):
            port = free_port()
            log = log_dir / f"server-{number}.log"
            runs_worker = worker and number == 0
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [
                        *(str(command), "serve", "--database-url", database_url),
                        *("--host", "127.0.0.1", "--port", str(port)),
                        "--worker" if runs_worker else "--no-worker",
                    ],
                    env={**os.environ, **(env or {})},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            started.append((process, f"http://127.0.0.1:{port}", log))
        for process, url, log in started:
            _wait_until_ready(process, url, log, start_timeout)
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


def _tail(log: Path) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-40:])


def _wait_until_ready(
    process: subprocess.Popen[bytes], url: str, log: Path, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise ServerStartError(f"server on {url} exited early:\n{_tail(log)}")
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise ServerStartError(f"server on {url} not healthy after {timeout:g} s:\n{_tail(log)}")


@contextmanager
def copy_of(template: str, folder: Path, name: str) -> Iterator[str]:
    """A fresh copy of the template database, named ``name``: a SQLite file in ``folder``, or a
    PostgreSQL database made from the template and dropped afterwards."""
    url = make_url(template)
    if url.get_backend_name() == "sqlite":
        target = folder / f"{name}.sqlite3"
        for suffix in ("", "-wal"):  # the log too, if the last server left one
            if Path(f"{url.database}{suffix}").exists():
                shutil.copyfile(f"{url.database}{suffix}", f"{target}{suffix}")
        yield f"sqlite:///{target}"
        return
    admin = create_engine(
        url.set(database="postgres", drivername="postgresql+psycopg"), isolation_level="AUTOCOMMIT"
    )
    copy = f"{url.database}_{name}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{url.database}"'))
    try:
        yield url.set(database=copy).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{copy}" WITH (FORCE)'))
        admin.dispose()
