"""The SDK's webhook check, against the registry's own signer (sender and receiver written
apart, so a slip in either shows)."""

from __future__ import annotations

import json

import pytest

from clients.webhooks import WebhookVerificationError, verify_webhook
from registry.notifications import signing

NOW = 1_760_000_000
EVENT = {"type": "eviction.scheduled", "data": {"caseId": "c-1"}}
BODY = json.dumps(EVENT).encode()


def _sent(secret: str, body: bytes = BODY, stamp: int = NOW) -> dict[str, str]:
    return signing.headers(secret, "msg_2f3a", stamp, body)


def test_a_webhook_as_the_registry_sends_it_is_accepted_and_its_event_returned() -> None:
    secret = signing.new_secret()
    assert verify_webhook(secret, _sent(secret), BODY, now=NOW + 30) == EVENT


def test_header_names_are_matched_whatever_their_case() -> None:
    secret = signing.new_secret()
    shouting = {name.upper(): value for name, value in _sent(secret).items()}
    assert verify_webhook(secret, shouting, BODY, now=NOW) == EVENT


def test_a_changed_body_or_another_secret_is_refused() -> None:
    secret = signing.new_secret()
    tampered = BODY.replace(b"c-1", b"c-2")
    with pytest.raises(WebhookVerificationError, match=r"no v1 signature .* matches the body"):
        verify_webhook(secret, _sent(secret), tampered, now=NOW)
    with pytest.raises(WebhookVerificationError, match="no v1 signature"):
        verify_webhook(signing.new_secret(), _sent(secret), BODY, now=NOW)


def test_an_old_or_future_timestamp_is_refused_as_a_replay() -> None:
    secret = signing.new_secret()
    with pytest.raises(WebhookVerificationError, match="more than 300 s from now"):
        verify_webhook(secret, _sent(secret), BODY, now=NOW + 301)
    with pytest.raises(WebhookVerificationError, match="more than 300 s from now"):
        verify_webhook(secret, _sent(secret), BODY, now=NOW - 301)
    assert verify_webhook(secret, _sent(secret), BODY, now=NOW + 3600, tolerance=3601) == EVENT


def test_one_valid_signature_among_several_is_enough_while_a_secret_is_rotated() -> None:
    old, new = signing.new_secret(), signing.new_secret()
    headers = _sent(new)
    headers["webhook-signature"] = (
        f"{_sent(old)['webhook-signature']} {headers['webhook-signature']}"
    )
    assert verify_webhook(new, headers, BODY, now=NOW) == EVENT
    headers["webhook-signature"] = "v2," + headers["webhook-signature"].split(",", 2)[-1]
    with pytest.raises(WebhookVerificationError, match="no v1 signature"):
        verify_webhook(new, headers, BODY, now=NOW)


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_a_missing_header_is_refused_by_name(missing: str) -> None:
    secret = signing.new_secret()
    headers = _sent(secret)
    del headers[missing]
    with pytest.raises(WebhookVerificationError, match="missing webhook-id, webhook-timestamp"):
        verify_webhook(secret, headers, BODY, now=NOW)


def test_a_signed_body_that_is_no_json_object_is_refused() -> None:
    secret = signing.new_secret()
    with pytest.raises(WebhookVerificationError, match="not a JSON object"):
        verify_webhook(secret, _sent(secret, b"[1]"), b"[1]", now=NOW)


def test_a_secret_of_another_form_is_a_configuration_error() -> None:
    with pytest.raises(ValueError, match="starts with 'whsec_'"):
        verify_webhook("s3cret", {}, BODY, now=NOW)
