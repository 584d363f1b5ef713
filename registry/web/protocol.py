"""The HTTP connection protocol ``serve`` runs: uvicorn's h11 protocol, except that a request
the HTTP layer itself refuses (headers over its limit, malformed HTTP) is answered in the
registry's JSON error shape with ``extensions.code``, like every other refusal, instead of
uvicorn's plain text."""

from __future__ import annotations

import json

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

_BODY = json.dumps(
    {
        "errors": [
            {
                "message": "malformed HTTP request, or its headers are over the size limit",
                "extensions": {"code": "BAD_REQUEST"},
            }
        ]
    }
).encode()


class JsonErrorsH11Protocol(H11Protocol):
    """h11 with the registry's JSON answer to requests refused before the app sees them."""

    def send_400_response(self, msg: str) -> None:
        """Answer 400 in JSON and close; uvicorn's reason (``msg``) stays in its own log."""
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(_BODY)).encode()),
            (b"connection", b"close"),
        ]
        for event in (
            h11.Response(status_code=400, headers=headers, reason=b"Bad Request"),
            h11.Data(data=_BODY),
            h11.EndOfMessage(),
        ):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()
