"""Checking the webhooks the registry sends, on the receiving partner's side.

The registry signs every webhook as Standard Webhooks 1.0 asks (standardwebhooks.com,
symmetric scheme): ``webhook-signature`` holds ``v1,<base64 HMAC-SHA256>`` of
``{webhook-id}.{webhook-timestamp}.{body}`` under the endpoint's ``whsec_`` secret (shown once,
when the partner subscribed). A receiver must check the signature in constant time, refuse a
timestamp outside a few minutes (replays), and deduplicate on ``webhook-id`` (a redelivery
carries the same id). :func:`verify_webhook` does the first two and returns the event.

It is checked against the test values of the standard's reference library
(``tests/clients/test_webhooks.py``); that library is not a dependency, since it adds nothing
these lines do not, and raises a bare ``ValueError`` on a malformed signature entry.

Example:
    >>> import base64, hashlib, hmac, json
    >>> secret = "whsec_" + base64.b64encode(b"k" * 32).decode()
    >>> body = json.dumps({"type": "case.closed", "data": {"caseId": "c-1"}}).encode()
    >>> mac = hmac.new(b"k" * 32, b"msg_1.1700000000." + body, hashlib.sha256).digest()
    >>> headers = {
    ...     "webhook-id": "msg_1",
    ...     "webhook-timestamp": "1700000000",
    ...     "webhook-signature": "v1," + base64.b64encode(mac).decode(),
    ... }
    >>> verify_webhook(secret, headers, body, now=1700000060)["type"]
    'case.closed'
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

#: How far a webhook's timestamp may be from the receiver's clock, in seconds (the
#: specification's suggestion): wider lets a captured webhook be replayed for longer.
DEFAULT_TOLERANCE_SECONDS = 5 * 60
_SECRET_PREFIX = "whsec_"  # noqa: S105 - the format's prefix, not a secret


class WebhookVerificationError(Exception):
    """A webhook that did not come from the registry as sent: answer it ``400`` and drop it.

    The message names the failed check (a missing header, the timestamp, the signature).
    """


def verify_webhook(
    secret: str,
    headers: Mapping[str, str],
    body: bytes,
    *,
    now: float | None = None,
    tolerance: float = DEFAULT_TOLERANCE_SECONDS,
) -> dict[str, Any]:
    """Check a received webhook and return its event (the JSON body).

    Args:
        secret: The endpoint's ``whsec_`` secret.
        headers: The request's headers; names are matched case-insensitively.
        body: The raw request body, exactly as received (not re-serialised JSON).
        now: Unix time to check the timestamp against; the current time by default.
        tolerance: Seconds the timestamp may differ from ``now``.

    Raises:
        WebhookVerificationError: a header is missing, the timestamp is outside the
            tolerance, no ``v1`` signature matches, or the body is not a JSON object.
        ValueError: ``secret`` is not a ``whsec_`` secret (a configuration error).
    """
    if not secret.startswith(_SECRET_PREFIX):
        raise ValueError("a webhook secret starts with 'whsec_'")
    try:
        key = base64.b64decode(secret.removeprefix(_SECRET_PREFIX), validate=True)
    except binascii.Error:
        raise ValueError("the webhook secret is not base64 after 'whsec_'") from None
    lowered = {name.lower(): value for name, value in headers.items()}
    webhook_id = lowered.get("webhook-id")
    timestamp = lowered.get("webhook-timestamp")
    signatures = lowered.get("webhook-signature")
    if not webhook_id or not timestamp or not signatures:
        raise WebhookVerificationError(
            "missing webhook-id, webhook-timestamp or webhook-signature header"
        )
    current = time.time() if now is None else now
    if not timestamp.isdigit() or abs(current - int(timestamp)) > tolerance:
        raise WebhookVerificationError(
            f"webhook-timestamp {timestamp!r} is more than {tolerance:g} s from now"
        )
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    expected = base64.b64encode(hmac.new(key, signed, hashlib.sha256).digest())
    # Several signatures may be sent, separated by spaces (while a secret is rotated); one
    # valid v1 signature is enough. Each is compared in constant time.
    if not any(
        version == "v1" and hmac.compare_digest(signature.encode(), expected)
        for version, _, signature in (entry.partition(",") for entry in signatures.split())
    ):
        raise WebhookVerificationError("no v1 signature in webhook-signature matches the body")
    try:
        event = json.loads(body)
    except ValueError:
        raise WebhookVerificationError("the body is not JSON") from None
    if not isinstance(event, dict):
        raise WebhookVerificationError("the body is not a JSON object")
    return event
