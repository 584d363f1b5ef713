"""The demo's witnesses: Gemeente Groningen and Bureau Woonkans each run one next to the demo
registry, as partners would, with ``ketenregister-client witness serve`` on 127.0.0.1.

They are separate processes of the partner's command line (the registry imports nothing of
``clients``); their keys and state files live under ``<data dir>/witnesses/<partner>/`` and
outlive a restart of the demo. A witness that cannot start is left out with a warning: the
demo then serves checkpoints with fewer cosignatures, and a partner's witness policy says so.
"""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import FrameType

import httpx

#: (partner id, witness name): the municipality and the bureau of the second-chance agreements.
DEMO_WITNESSES = (
    ("gemeente-groningen", "gemeente-groningen.demo/witness"),
    ("bureau-woonkans", "bureau-woonkans.demo/witness"),
)
_START_SECONDS = 15.0


@dataclass(frozen=True)
class DemoWitness:
    """A running demo witness: whose it is, where it listens, and its verifier key."""

    partner: str
    url: str
    vkey: str


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _verifier_key(client: Path, folder: Path, name: str) -> str:
    """The witness's verifier key, made with its secret key on first use."""
    vkey_file = folder / "witness.vkey"
    if not vkey_file.exists():
        folder.mkdir(parents=True, exist_ok=True)
        # Our own command line next to this interpreter, with arguments we made: no shell.
        keygen = [str(client), "witness", "keygen", "--name", name]
        made = subprocess.run(  # noqa: S603
            [*keygen, "--out", str(folder / "witness.key")],
            capture_output=True,
            text=True,
            check=True,
            timeout=_START_SECONDS,
        )
        vkey_file.write_text(made.stdout)
    return vkey_file.read_text().strip()


def _answers(url: str, process: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + _START_SECONDS
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{url}/", timeout=1).status_code == 200:
                return True
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    return False


def _exit(signum: int, _frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


@contextmanager
def _sigterm_unwinds() -> Iterator[None]:
    """Make SIGTERM unwind the stack, so the witnesses are stopped: uvicorn re-raises the
    signal once the demo's server has shut down, and by default it would just end the process."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGTERM, _exit)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@contextmanager
def running(
    data_dir: Path, log_verifier_key: str, warn: Callable[[str], None]
) -> Iterator[list[DemoWitness]]:
    """Start the demo's witnesses for the log of ``log_verifier_key``; yield those that
    answer, and stop them all afterwards (also when the demo is ended by SIGTERM)."""
    client = Path(sys.executable).with_name("ketenregister-client")
    if not client.exists():
        warn(f"no {client}: the demo runs without witnesses")
        yield []
        return
    processes: list[subprocess.Popen[bytes]] = []
    with _sigterm_unwinds():
        try:
            started = []
            for partner, name in DEMO_WITNESSES:
                folder = data_dir / "witnesses" / partner
                try:
                    vkey = _verifier_key(client, folder, name)
                except (subprocess.SubprocessError, OSError) as exc:
                    warn(f"the witness of {partner} has no key ({exc}); left out")
                    continue
                port = _free_port()
                processes.append(_serve(client, folder, log_verifier_key, port))
                started.append(DemoWitness(partner, f"http://127.0.0.1:{port}", vkey))
            answering = []
            for witness, process in zip(started, processes, strict=True):
                if _answers(witness.url, process):
                    answering.append(witness)
                else:
                    log = data_dir / "witnesses" / witness.partner / "witness.log"
                    warn(f"the witness of {witness.partner} did not start (see {log}); left out")
            yield answering
        finally:
            _stop(processes)


def _serve(client: Path, folder: Path, log_verifier_key: str, port: int) -> subprocess.Popen[bytes]:
    with (folder / "witness.log").open("ab") as log:
        return subprocess.Popen(  # noqa: S603 (as keygen above)
            [
                *(str(client), "witness", "serve"),
                *("--secret-key", str(folder / "witness.key")),
                *("--state-file", str(folder / "state.json")),
                *("--log-key", log_verifier_key, "--port", str(port)),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        process.terminate()
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
