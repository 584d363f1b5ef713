"""``ketenregister-client webhooks listen``: a webhook receiver a partner's engineer can start.

It answers as a receiver should (see :mod:`clients.webhooks`): it checks each webhook's
Standard Webhooks signature and timestamp against the endpoint's ``whsec_`` secret, answers
``400`` to one that fails (the registry then retries it), deduplicates on ``webhook-id`` (a
redelivery is answered ``200`` and not printed again) and prints each new event as one JSON line
on stdout, for a script to read. With ``--subscribe`` it subscribes itself to the named events
first (so the secret never has to be copied by hand) and unsubscribes when it stops.

Plain ``http.server`` on purpose: it is a development and diagnosis tool of the SDK, which must
not depend on a web framework; a partner's production receiver lives in its own application.
"""

from __future__ import annotations

import json
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import FrameType
from typing import Any

import click

from clients.cli.context import Options, one_line, registry_client, reported
from clients.webhooks import WebhookVerificationError, verify_webhook

#: The largest body accepted: the registry's events are thin (ids and a type), far below this.
MAX_BODY_BYTES = 1 << 20

_SUBSCRIBE = """\
mutation Subscribe($url: String!, $eventTypes: [String!]!) {
  subscribeWebhook(url: $url, eventTypes: $eventTypes) { subscription { id } secret }
}"""
_UNSUBSCRIBE = "mutation Unsubscribe($id: ID!) { unsubscribeWebhook(id: $id) { id active } }"


class _Receiver:
    """What the handler threads share: the secret, the ids seen, and the output lock."""

    def __init__(self, secret: str, path: str) -> None:
        self.secret = secret
        self.path = path
        self._seen: set[str] = set()
        self._lock = threading.Lock()

    def receive(self, headers: dict[str, str], body: bytes) -> int:
        """Check one webhook, print it if new; the HTTP status to answer."""
        try:
            event = verify_webhook(self.secret, headers, body)
        except WebhookVerificationError as exc:
            click.echo(f"refused a webhook: {one_line(str(exc))}", err=True)
            return 400
        webhook_id = headers.get("webhook-id", "")
        with self._lock:
            if webhook_id in self._seen:
                click.echo(f"duplicate webhook {webhook_id} (already printed)", err=True)
                return 200
            self._seen.add(webhook_id)
            # One line per event, flushed at once: a script may be reading it as it comes.
            sys.stdout.write(json.dumps({"id": webhook_id, **event}, ensure_ascii=False) + "\n")
            sys.stdout.flush()
        return 204


def _handler(receiver: _Receiver) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            """200 on the webhook path: a check (by a person or a script) that it listens."""
            self._answer(200 if self.path == receiver.path else 404)

        def do_POST(self) -> None:
            if self.path != receiver.path:
                self._answer(404)
                return
            length = int(self.headers.get("Content-Length") or 0)
            if length > MAX_BODY_BYTES:
                self._answer(413)
                return
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            self._answer(receiver.receive(headers, body))

        def _answer(self, status: int) -> None:
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            """Quiet: the events themselves are the output."""

    return Handler


@contextmanager
def _stopped_by_sigterm() -> Iterator[None]:
    """Let SIGTERM end the listener like Ctrl-C does, so a subscription is always undone."""

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous: Callable[[int, FrameType | None], Any] | int | None = signal.signal(
        signal.SIGTERM, interrupt
    )
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


@click.group()
def webhooks() -> None:
    """Receive the registry's webhooks."""


@webhooks.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=9000, show_default=True, help="Port to listen on.")
@click.option("--path", default="/hook", show_default=True, help="Path webhooks are posted to.")
@click.option(
    "--secret",
    envvar="KETENREGISTER_WEBHOOK_SECRET",
    help="The endpoint's whsec_ secret (or KETENREGISTER_WEBHOOK_SECRET).",
)
@click.option(
    "--subscribe",
    "event_types",
    multiple=True,
    metavar="EVENT",
    help="Subscribe this listener to EVENT first (repeatable; needs --key-file).",
)
@click.pass_obj
def listen(
    options: Options,
    host: str,
    port: int,
    path: str,
    secret: str | None,
    event_types: tuple[str, ...],
) -> None:
    """Print each webhook that carries a valid signature as a JSON line, until stopped."""
    if not event_types and secret is None:
        raise click.UsageError("give --secret (the whsec_ shown at subscription) or --subscribe")
    if secret is not None and not secret.startswith("whsec_"):
        raise click.UsageError("--secret is the whsec_... secret shown at subscription")
    try:
        server = ThreadingHTTPServer((host, port), _handler(_Receiver(secret or "", path)))
    except OSError as exc:
        raise click.ClickException(one_line(f"cannot listen on {host}:{port}: {exc}")) from None
    url = f"http://{host}:{server.server_address[1]}{path}"
    subscription: str | None = None
    with server, _stopped_by_sigterm():
        try:
            if event_types:
                subscription, secret = _subscribe(options, url, list(event_types))
                server.RequestHandlerClass = _handler(_Receiver(secret, path))
                click.echo(f"subscribed {url} to {', '.join(event_types)}", err=True)
            click.echo(f"listening on {url} (Ctrl-C to stop)", err=True)
            server.serve_forever()
        except KeyboardInterrupt:
            pass
        finally:
            if subscription is not None:
                _unsubscribe(options, subscription)
                click.echo(f"unsubscribed {url}", err=True)


def _subscribe(options: Options, url: str, event_types: list[str]) -> tuple[str, str]:
    with registry_client(options) as client, reported():
        data = client.execute(_SUBSCRIBE, {"url": url, "eventTypes": event_types})
    answer = data["subscribeWebhook"]
    return str(answer["subscription"]["id"]), str(answer["secret"])


def _unsubscribe(options: Options, subscription: str) -> None:
    with registry_client(options) as client, reported():
        client.execute(_UNSUBSCRIBE, {"id": subscription})
