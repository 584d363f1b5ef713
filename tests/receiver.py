"""A partner system's webhook endpoint for tests: a real HTTP server on 127.0.0.1 that checks
Standard Webhooks signatures the way a receiver must (with the partner SDK's
``clients.webhooks``, written from the specification, not with the registry's signing code),
deduplicates on ``webhook-id``, and answers as scripted; over TLS if given a certificate.
``Silent`` is an endpoint that hangs.
"""

from __future__ import annotations

import contextlib
import json
import socket
import ssl
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from clients.webhooks import WebhookVerificationError, verify_webhook


@dataclass(frozen=True)
class Received:
    """One request as the receiver saw it."""

    path: str
    webhook_id: str
    timestamp: int
    body: bytes
    verified: bool
    answered: int
    #: The Host header, as the sender named the endpoint.
    host: str = ""
    #: The W3C traceparent header the sender passed on, if any.
    traceparent: str | None = None

    @property
    def document(self) -> dict[str, Any]:
        """The JSON body."""
        result: dict[str, Any] = json.loads(self.body)
        return result


class Receiver:
    """Endpoints ``/<name>``; each has a secret (set once subscribed) and a script of status
    codes to answer (200 once the script runs out). With ``tls`` (a server context holding a
    certificate) it speaks https."""

    def __init__(self, clock: Callable[[], float], tls: ssl.SSLContext | None = None) -> None:
        self.clock = clock
        self.secrets: dict[str, str] = {}
        self.script: dict[str, list[int]] = defaultdict(list)
        self.requests: list[Received] = []
        #: The effect of each verified event, once per endpoint and webhook-id (idempotency).
        self.effects: dict[tuple[str, str], Received] = {}
        self._lock = threading.Lock()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                receiver._handle(self)

            def log_message(self, *_args: Any) -> None:
                pass  # keep the test output clean

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.scheme = "http"
        if tls is not None:
            self._server.socket = tls.wrap_socket(self._server.socket, server_side=True)
            self.scheme = "https"
        # A short poll interval: shutdown waits for the loop to look again.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )

    def url(self, name: str, host: str | None = None) -> str:
        """The URL of endpoint ``name`` (by the name ``host`` if given, else by address)."""
        address, port = self._server.server_address[:2]
        return f"{self.scheme}://{host or address!s}:{port}/{name}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def _handle(self, request: BaseHTTPRequestHandler) -> None:
        name = request.path.strip("/")
        body = request.rfile.read(int(request.headers.get("content-length", "0")))
        headers = request.headers
        try:
            verify_webhook(self.secrets[name], dict(headers.items()), body, now=self.clock())
            verified = True
        except (WebhookVerificationError, KeyError):
            verified = False
        with self._lock:
            status = (self.script[name].pop(0) if self.script[name] else 200) if verified else 401
            received = Received(
                name,
                headers.get("webhook-id", ""),
                int(headers.get("webhook-timestamp", "0")),
                body,
                verified,
                status,
                headers.get("host", ""),
                headers.get("traceparent"),
            )
            self.requests.append(received)
            if verified and 200 <= status < 300:
                self.effects.setdefault((name, received.webhook_id), received)
        request.send_response(status)
        request.send_header("content-length", "0")
        request.end_headers()

    def at(self, name: str) -> list[Received]:
        """The requests endpoint ``name`` received, in order."""
        with self._lock:
            return [r for r in self.requests if r.path == name]

    def wait_for(self, count: int, timeout: float = 10.0) -> None:
        """Wait until ``count`` distinct events took effect."""
        deadline = time.monotonic() + timeout
        while len(self.effects) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"{len(self.effects)} of {count} webhooks arrived in time")
            time.sleep(0.02)


class Silent:
    """An endpoint that accepts connections and never answers: a receiver that hangs. With
    ``trickle`` it sends its answer's first line and then a header one byte every ``trickle``
    seconds, never finishing (a receiver that is slow on purpose)."""

    def __init__(self, trickle: float | None = None) -> None:
        self.trickle = trickle
        self.connections: list[socket.socket] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.02)  # accept() looks at the stop flag this often
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._accept, daemon=True)

    def url(self, name: str) -> str:
        """The URL of endpoint ``name``."""
        host, port = self._listener.getsockname()[:2]
        return f"http://{host}:{port}/{name}"

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """Close every connection (the senders' posts then fail at once)."""
        self._stopping.set()
        self._thread.join(5)
        self._listener.close()
        for connection in self.connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
            connection.close()

    def _accept(self) -> None:
        while not self._stopping.is_set():
            try:
                connection, _ = self._listener.accept()
            except TimeoutError:
                continue
            self.connections.append(connection)
            if self.trickle is not None:
                threading.Thread(target=self._drip, args=(connection,), daemon=True).start()

    def _drip(self, connection: socket.socket) -> None:
        assert self.trickle is not None
        with contextlib.suppress(OSError):
            connection.sendall(b"HTTP/1.1 200 OK\r\nX-Slow: ")
            while not self._stopping.wait(self.trickle):
                connection.sendall(b"a")
