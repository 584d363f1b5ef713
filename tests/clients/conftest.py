"""What the tests of the partner SDK and command line share: a live registry over real HTTP
on 127.0.0.1, and a demo partner's key file naming it."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from sqlalchemy.orm import Session, sessionmaker

from clients.keyfile import KeyFile, write_key_file
from registry.app import create_app
from registry.config import Settings
from tests.conftest import AUDIENCE, Clock, DemoKey


@contextmanager
def served(app: Any) -> Iterator[str]:
    """Serve the ASGI ``app`` with uvicorn on a free port of 127.0.0.1 in a thread, for as
    long as the block runs; gives its base URL."""
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


@pytest.fixture
def registry_url(
    settings: Settings, sessions: sessionmaker[Session], clock: Clock
) -> Iterator[str]:
    with served(create_app(settings, session_factory=sessions)) as url:
        yield url


def key_file_for(tmp_path: Path, key: DemoKey, url: str) -> Path:
    """A key file of the demo partner ``key`` for the registry at ``url``."""
    path = tmp_path / f"{key.partner}.json"
    write_key_file(
        path,
        KeyFile(
            partner=key.partner,
            kid=key.kid,
            private_key=key.private_key,
            registry=url,
            audience=AUDIENCE,
        ),
    )
    return path
