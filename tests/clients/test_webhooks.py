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


# The Standard Webhooks reference library's test values (the standard's repository,
# libraries/python/tests/test_webhooks.py): one secret, message id, timestamp and payload,
# the signature they give, and the cases its suite checks. The verifier here is the SDK's
# own (about thirty lines, no dependency); these show it agrees with the reference.
VECTOR_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # noqa: S105 - a published test value
VECTOR_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
VECTOR_TIMESTAMP = 1614265330
VECTOR_PAYLOAD = b'{"test": 2432232314}'
VECTOR_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
#: The reference suite's "invalid signature": the valid one with its last byte changed.
VECTOR_WRONG = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OA="
#: A well-formed signature of something else, in its multi-signature case.
VECTOR_OTHER = "Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc="
TOLERANCE = 5 * 60


def _vector(**changes: str | None) -> dict[str, str]:
    headers = {
        "webhook-id": VECTOR_ID,
        "webhook-timestamp": str(VECTOR_TIMESTAMP),
        "webhook-signature": VECTOR_SIGNATURE,
    }
    for name, value in changes.items():
        header = "webhook-" + name
        if value is None:
            del headers[header]
        else:
            headers[header] = value
    return headers


def test_the_reference_signature_is_accepted_and_its_json_returned() -> None:
    event = verify_webhook(VECTOR_SECRET, _vector(), VECTOR_PAYLOAD, now=VECTOR_TIMESTAMP)
    assert event == {"test": 2432232314}


def test_the_registry_signs_the_reference_vector_as_the_reference_does() -> None:
    headers = signing.headers(VECTOR_SECRET, VECTOR_ID, VECTOR_TIMESTAMP, VECTOR_PAYLOAD)
    assert headers["webhook-signature"] == VECTOR_SIGNATURE


@pytest.mark.parametrize("missing", ["id", "timestamp", "signature"])
def test_the_reference_vector_without_a_header_is_refused(missing: str) -> None:
    with pytest.raises(WebhookVerificationError, match="missing webhook-id"):
        verify_webhook(
            VECTOR_SECRET, _vector(**{missing: None}), VECTOR_PAYLOAD, now=VECTOR_TIMESTAMP
        )


def test_the_reference_vector_with_a_timestamp_that_is_no_number_is_refused() -> None:
    with pytest.raises(WebhookVerificationError, match="'hello' is more than 300 s from now"):
        verify_webhook(
            VECTOR_SECRET, _vector(timestamp="hello"), VECTOR_PAYLOAD, now=VECTOR_TIMESTAMP
        )


def test_the_reference_vector_with_its_last_signature_byte_changed_is_refused() -> None:
    with pytest.raises(WebhookVerificationError, match="no v1 signature"):
        verify_webhook(
            VECTOR_SECRET, _vector(signature=VECTOR_WRONG), VECTOR_PAYLOAD, now=VECTOR_TIMESTAMP
        )


@pytest.mark.parametrize("late", [-(TOLERANCE + 1), TOLERANCE + 1])
def test_the_reference_vector_a_second_outside_the_tolerance_is_refused(late: int) -> None:
    now = VECTOR_TIMESTAMP + late  # the webhook is too old, or from the future
    with pytest.raises(WebhookVerificationError, match="more than 300 s from now"):
        verify_webhook(VECTOR_SECRET, _vector(), VECTOR_PAYLOAD, now=now)
    edge = VECTOR_TIMESTAMP + (TOLERANCE if late > 0 else -TOLERANCE)
    assert verify_webhook(VECTOR_SECRET, _vector(), VECTOR_PAYLOAD, now=edge)


def test_the_reference_multi_signature_header_is_accepted_for_its_one_valid_v1() -> None:
    several = " ".join(
        [f"v1,{VECTOR_OTHER}", f"v2,{VECTOR_OTHER}", VECTOR_SIGNATURE, f"v1,{VECTOR_OTHER}"]
    )
    event = verify_webhook(
        VECTOR_SECRET, _vector(signature=several), VECTOR_PAYLOAD, now=VECTOR_TIMESTAMP
    )
    assert event == {"test": 2432232314}
    only_v2 = f"v2,{VECTOR_SIGNATURE.removeprefix('v1,')}"  # the right MAC, another scheme
    with pytest.raises(WebhookVerificationError, match="no v1 signature"):
        verify_webhook(
            VECTOR_SECRET, _vector(signature=only_v2), VECTOR_PAYLOAD, now=VECTOR_TIMESTAMP
        )


def test_malformed_signature_entries_are_refused_not_crashed_on() -> None:
    for garbage in ("v1", "v1,", ",", "v1,%%%", "v1,g0hM9SsE v1"):
        with pytest.raises(WebhookVerificationError, match="no v1 signature"):
            verify_webhook(
                VECTOR_SECRET, _vector(signature=garbage), VECTOR_PAYLOAD, now=VECTOR_TIMESTAMP
            )
