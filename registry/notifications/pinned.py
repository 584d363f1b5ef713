"""One webhook POST over a connection pinned to the checked addresses, within a deadline.

The address policy (``registry.notifications.targets``) resolved the host once and judged every
address. A connection made the usual way would resolve the name again, and a name that just
answered with a public address may now answer with an internal one (DNS rebinding). So the
request goes through httpcore with a network backend that connects only to the checked
addresses. The URL is left as it is: the Host header, TLS SNI and certificate verification all
stay with the host name.

httpcore's timeouts bound each read and write, not the attempt: a receiver that trickles its
answer a byte at a time would hold a delivery thread for as long as it likes. Every network
operation is therefore clamped to what is left of the attempt's deadline.

No redirect is followed (this is httpcore, which does not): Standard Webhooks counts a 3xx as
a failure, and following one would send the signed event where the partner did not subscribe.
"""

from __future__ import annotations

import functools
import ssl
import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpcore

from registry.notifications.targets import Target

#: What an attempt can fail with on the way (raised by httpcore or the TLS layer). A receiver
#: that misbehaves in any of these ways costs an attempt, never the worker.
TRANSPORT_ERRORS = (
    httpcore.TimeoutException,
    httpcore.NetworkError,
    httpcore.ProtocolError,
    httpcore.UnsupportedProtocol,
    OSError,  # ssl.SSLError among them
)


@dataclass(frozen=True)
class Answer:
    """The status line and headers of the receiver's answer (its body is never read)."""

    status: int
    headers: dict[str, str]


class _Deadline:
    def __init__(self, seconds: float) -> None:
        self._end = time.monotonic() + seconds

    def clamp(self, timeout: float | None, expired: type[Exception]) -> float:
        left = self._end - time.monotonic()
        if left <= 0:
            raise expired("the attempt ran out of time")
        return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    def __init__(self, inner: httpcore.NetworkStream, deadline: _Deadline) -> None:
        self._inner = inner
        self._deadline = deadline

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._inner.read(max_bytes, self._deadline.clamp(timeout, httpcore.ReadTimeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._inner.write(buffer, self._deadline.clamp(timeout, httpcore.WriteTimeout))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        clamped = self._deadline.clamp(timeout, httpcore.ConnectTimeout)
        return _DeadlineStream(
            self._inner.start_tls(ssl_context, server_hostname, clamped), self._deadline
        )

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _PinnedBackend(httpcore.NetworkBackend):
    """Connects to the target's checked addresses, in order, whatever host httpcore asks for
    (it asks for the URL's host, which must not be resolved again)."""

    def __init__(self, target: Target, deadline: _Deadline) -> None:
        self._target = target
        self._deadline = deadline
        self._system = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        if (host, port) != (self._target.host, self._target.port):
            # Only the checked origin is ever connected to (no proxy, no redirect).
            raise httpcore.ConnectError(f"not the checked target: {host}:{port}")
        failure: Exception = httpcore.ConnectError("no address to connect to")
        for address in self._target.addresses:
            try:
                stream = self._system.connect_tcp(
                    str(address),
                    port,
                    timeout=self._deadline.clamp(timeout, httpcore.ConnectTimeout),
                    local_address=local_address,
                    socket_options=socket_options,
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                failure = exc  # the next checked address may answer
                continue
            return _DeadlineStream(stream, self._deadline)
        raise failure

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise httpcore.UnsupportedProtocol("webhooks go over TCP")


@functools.cache
def _system_trust() -> ssl.SSLContext:
    # Loading the trust store takes a while; one context serves every attempt (and thread).
    return httpcore.default_ssl_context()


def post(
    target: Target,
    body: bytes,
    headers: dict[str, str],
    *,
    connect_timeout: float,
    deadline: float,
    ssl_context: ssl.SSLContext | None = None,
) -> Answer:
    """POST ``body`` to the checked ``target`` and read the status line and headers; connects
    within ``connect_timeout`` seconds and gives up ``deadline`` seconds after starting; TLS is
    verified against ``ssl_context`` (by default the trust store httpx uses). Raises one of
    ``TRANSPORT_ERRORS``."""
    clock = _Deadline(deadline)
    url = httpcore.URL(
        scheme=target.url.raw_scheme,
        host=target.url.raw_host,
        port=target.url.port,
        target=target.url.raw_path,
    )
    timeouts = {"connect": connect_timeout, "read": deadline, "write": deadline, "pool": deadline}
    # One connection per attempt and none kept: a pooled connection would outlive the check
    # that allowed it.
    with (
        httpcore.ConnectionPool(
            ssl_context=ssl_context or _system_trust(),
            max_connections=1,
            max_keepalive_connections=0,
            network_backend=_PinnedBackend(target, clock),
        ) as pool,
        pool.stream(
            "POST",
            url,
            headers=[(name.encode(), value.encode()) for name, value in headers.items()],
            content=body,
            extensions={"timeout": timeouts},
        ) as response,
    ):
        answered = {
            name.decode("latin-1").lower(): value.decode("latin-1")
            for name, value in response.headers
        }
        return Answer(response.status, answered)
