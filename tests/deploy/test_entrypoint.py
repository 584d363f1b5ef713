"""The image's commands, run without a container (Docker is not needed): deploy/entrypoint.sh's
``migrate``, ``serve``, ``worker`` and ``healthcheck`` against a SQLite file, the server on
127.0.0.1 on a free port, as the Dockerfile and compose.yaml run them.

By default the script runs on the test's own virtualenv, where the project is installed. With
``KETENREGISTER_TEST_FRESH_VENV=1`` the test first builds the image's install step for real: it
copies what the Dockerfile's build stage copies into an empty folder and ``pip install``s that
into a fresh virtualenv (measured at 30-40 s with a warm pip cache, and it needs the package
index: too slow and too dependent on the network for every run).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest

from tests.deploy.dockerfile import ROOT, build_stage_copies
from tests.servers import free_port

ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"
ORIGIN = "ketenregister.test/log"


@pytest.fixture(scope="module")
def venv_bin(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The folder whose ``ketenregister`` and ``python`` the entrypoint finds on its PATH."""
    if not os.environ.get("KETENREGISTER_TEST_FRESH_VENV"):
        return Path(sys.executable).parent
    work = tmp_path_factory.mktemp("image")
    source = work / "src"
    source.mkdir()
    for copied in build_stage_copies():
        target = source / copied
        if (ROOT / copied).is_dir():
            shutil.copytree(ROOT / copied, target, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / copied, target)
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", str(source)], check=True, timeout=600
    )
    return venv / "bin"


def _environment(venv_bin: Path, tmp_path: Path, port: int) -> dict[str, str]:
    # Nothing of the developer's own settings leaks in: only what the image sets, plus the
    # SQLite file and the loopback address a test may use.
    inherited = {k: v for k, v in os.environ.items() if not k.startswith("KETENREGISTER_")}
    return {
        **inherited,
        "PATH": f"{venv_bin}{os.pathsep}{os.environ.get('PATH', '')}",
        "KETENREGISTER_DATABASE_URL": f"sqlite:///{tmp_path / 'data' / 'registry.sqlite3'}",
        "KETENREGISTER_HOST": "127.0.0.1",
        "KETENREGISTER_PORT": str(port),
        "KETENREGISTER_LOG_ORIGIN": ORIGIN,
        "KETENREGISTER_LOG_KEY_FILE": str(tmp_path / "keys" / "log-signer.key"),
        "KETENREGISTER_DATA_KEY_FILE": str(tmp_path / "data-key" / "data.key"),
    }


def _run(env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ENTRYPOINT), *arguments],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@contextmanager
def _serving(env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(ENTRYPOINT), "serve"], env=env, stdout=out, stderr=subprocess.STDOUT
        )
    try:
        yield process
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _wait_for(url: str, process: subprocess.Popen[bytes], log: Path) -> httpx.Response:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            return httpx.get(url, timeout=2)
        except httpx.TransportError:
            time.sleep(0.1)
    raise AssertionError(f"serve did not answer in time:\n{log.read_text()}")


def test_the_entrypoint_migrates_serves_delivers_and_checks_health(
    venv_bin: Path, tmp_path: Path
) -> None:
    port = free_port()
    env = _environment(venv_bin, tmp_path, port)
    base = f"http://127.0.0.1:{port}"

    assert _run(env, "ketenregister", "--version").stdout.startswith("ketenregister, version ")
    # compose.yaml's log-keygen: a command the entrypoint does not know is run as given.
    keygen = _run(env, "ketenregister", "log", "keygen", "--origin", ORIGIN, "--out",
                  env["KETENREGISTER_LOG_KEY_FILE"])  # fmt: skip
    assert keygen.returncode == 0, keygen.stderr
    assert keygen.stdout.startswith(f"{ORIGIN}+")
    assert Path(env["KETENREGISTER_LOG_KEY_FILE"]).stat().st_mode & 0o777 == 0o600

    # compose.yaml's data-keygen: the households' data key, once; never overwritten.
    data_key = Path(env["KETENREGISTER_DATA_KEY_FILE"])
    made = _run(env, "data-keygen")
    assert made.returncode == 0, made.stderr
    assert data_key.stat().st_mode & 0o777 == 0o600
    written = data_key.read_text()
    again = _run(env, "data-keygen")
    assert again.returncode == 1
    assert again.stderr == f"Error: {data_key} exists; a registry keeps its data key\n"
    assert data_key.read_text() == written

    down = _run(env, "healthcheck")
    assert down.returncode == 1
    assert down.stdout.startswith(f"no answer from {base}/readyz")

    migrate = _run(env, "migrate")
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    assert migrate.stdout == "database is up to date\n"

    log = tmp_path / "serve.log"
    with _serving(env, log) as server:
        health = _wait_for(f"{base}/healthz", server, log)
        assert (health.status_code, health.text) == (200, "ok\n")
        ready = httpx.get(f"{base}/readyz", timeout=5)
        assert (ready.status_code, ready.text) == (200, "ready\n")
        key = httpx.get(f"{base}/log/key", timeout=5)
        assert key.status_code == 200 and key.text == keygen.stdout

        healthy = _run(env, "healthcheck")
        assert (healthy.returncode, healthy.stdout) == (0, "ready\n")

        worker = _run(env, "worker", "--once")
        assert worker.returncode == 0, worker.stdout + worker.stderr
        assert "fanned out 0 events" in worker.stdout

        # serve execs the server: the SIGTERM the container's main process gets on `docker
        # stop` reaches uvicorn, which shuts down cleanly (and then exits by that signal).
        server.terminate()
        assert server.wait(timeout=15) in {0, -signal.SIGTERM}
        assert "Application shutdown complete." in log.read_text()
    with pytest.raises(httpx.TransportError):
        httpx.get(f"{base}/healthz", timeout=2)


@pytest.mark.parametrize("role", ["serve", "worker", "migrate"])
def test_the_roles_refuse_to_start_without_a_data_key(
    venv_bin: Path, tmp_path: Path, role: str
) -> None:
    env = _environment(venv_bin, tmp_path, free_port())
    del env["KETENREGISTER_DATA_KEY_FILE"]
    refused = _run(env, role)
    assert refused.returncode == 1
    assert len(refused.stderr.splitlines()) == 1
    assert refused.stderr.startswith("Error: no data key: set KETENREGISTER_DATA_KEY_FILE")
    assert not (tmp_path / "data" / "registry.sqlite3").exists()
