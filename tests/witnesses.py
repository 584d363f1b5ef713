"""Witnesses as partners run them: ``ketenregister-client witness serve`` processes on 127.0.0.1
(or, where a test is about the registry rather than the witness, the same witness app served
in a thread, which starts in a fraction of the time), and a registry app that asks them."""

from __future__ import annotations

import base64
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import httpx
import uvicorn
from sqlalchemy.orm import Session, sessionmaker

from clients import witness as witness_server
from clients.cosignature import WitnessSigner
from registry.app import create_app
from registry.config import Settings
from tests.conftest import AppClient, Clock
from tests.servers import free_port

#: The demo's witnesses: the municipality and the bureau that runs second-chance agreements.
DEMO_WITNESSES = ("gemeente-groningen.test/witness", "bureau-woonkans.test/witness")


class WitnessProcess:
    """One witness: its key and state file in ``folder``, and its server process (which can
    be stopped and started again on the same state)."""

    def __init__(self, folder: Path, name: str, log_keys: Sequence[str]) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.folder = folder
        self.secret_key = folder / "witness.key"
        signer = WitnessSigner.generate(name)
        signer.write(self.secret_key)
        self.signer_name = name
        self.vkey = signer.key.vkey
        self.state_file = folder / "state.json"
        self.log_keys = list(log_keys)
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._process: subprocess.Popen[bytes] | None = None
        self._http = httpx.Client(timeout=10)  # closed by stop, made again by start
        self._log = folder / "witness.log"

    def start(self) -> None:
        """Start the process; return once it answers."""
        if self._http.is_closed:
            self._http = httpx.Client(timeout=10)
        command = Path(sys.executable).with_name("ketenregister-client")
        log_keys = [arg for key in self.log_keys for arg in ("--log-key", key)]
        with self._log.open("ab") as out:
            self._process = subprocess.Popen(
                [
                    *(str(command), "witness", "serve", "--secret-key", str(self.secret_key)),
                    *("--state-file", str(self.state_file), *log_keys, "--port", str(self.port)),
                ],
                env={k: v for k, v in os.environ.items() if not k.startswith("KETENREGISTER_")},
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                raise AssertionError(f"witness exited early:\n{self.output()}")
            try:
                if self._http.get(f"{self.url}/", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"witness did not start in time:\n{self.output()}")

    def stop(self) -> None:
        """Stop the process (its state file stays; it can be started again)."""
        self._http.close()
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def output(self) -> str:
        """What the process wrote (its log)."""
        return self._log.read_text(errors="replace") if self._log.exists() else ""

    def add_checkpoint(self, old: int, proof: Sequence[bytes], note: str) -> httpx.Response:
        """POST one add-checkpoint request, as a log sends it."""
        head = f"old {old}\n" + "".join(base64.b64encode(h).decode() + "\n" for h in proof)
        return self._http.post(f"{self.url}/add-checkpoint", content=(head + "\n" + note).encode())


class WitnessThread(WitnessProcess):
    """The same witness (key, state file, HTTP app) served by uvicorn in a thread."""

    def __init__(self, folder: Path, name: str, log_keys: Sequence[str]) -> None:
        super().__init__(folder, name, log_keys)
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        """Serve the witness (reading its state file afresh, as a restart does)."""
        if self._http.is_closed:
            self._http = httpx.Client(timeout=10)
        served = witness_server.Witness(
            WitnessSigner.from_file(self.secret_key), self.log_keys, self.state_file
        )
        config = uvicorn.Config(
            witness_server.create_app(served), host="127.0.0.1", port=self.port, log_level="error"
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            assert time.monotonic() < deadline, "witness did not start"
            time.sleep(0.01)

    def stop(self) -> None:
        """Stop serving (the state file stays)."""
        self._http.close()
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self._server = self._thread = None


@contextmanager
def running_witnesses(
    folder: Path, names: Sequence[str], log_keys: Sequence[str], *, processes: bool = True
) -> Iterator[list[WitnessProcess]]:
    """Start one witness per name (processes in parallel, or threads), stop them afterwards."""
    kind = WitnessProcess if processes else WitnessThread
    witnesses = [kind(folder / f"w{n}", name, log_keys) for n, name in enumerate(names)]
    with ExitStack() as stack:
        for witness in witnesses:
            stack.callback(witness.stop)
        _start_all(witnesses)
        yield witnesses


def _start_all(witnesses: Sequence[WitnessProcess]) -> None:
    errors: list[BaseException] = []

    def start(witness: WitnessProcess) -> None:
        try:
            witness.start()
        except BaseException as error:  # reported in the main thread
            errors.append(error)

    threads = [threading.Thread(target=start, args=(w,)) for w in witnesses]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


def witnessed_app(
    settings: Settings,
    sessions: sessionmaker[Session],
    clock: Clock,
    witnesses: Sequence[tuple[str, str]],
) -> AppClient:
    """The real app, configured with witnesses as ``(URL, verifier key)`` pairs."""
    configured = settings.replace(witnesses=tuple(witnesses), witness_timeout_seconds=5.0)
    return AppClient(create_app(configured, clock=clock, session_factory=sessions))


@contextmanager
def serving_in_thread(app: Any) -> Iterator[str]:
    """Serve an ASGI app with uvicorn on 127.0.0.1 in a thread; yields its base URL."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=0, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)
