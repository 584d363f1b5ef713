"""Standard Webhooks signatures: the specification's published test vector, and fresh secrets."""

from __future__ import annotations

import base64

import pytest

from registry.notifications import signing

# The vector the Standard Webhooks libraries test against (the specification's example).
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # noqa: S105 - the published test secret
MSG_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
TIMESTAMP = 1614265330
BODY = b'{"test": 2432232314}'


def test_signature_matches_the_published_vector() -> None:
    assert signing.sign(SECRET, MSG_ID, TIMESTAMP, BODY) == (
        "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
    )


def test_headers_carry_id_timestamp_and_signature() -> None:
    headers = signing.headers(SECRET, MSG_ID, TIMESTAMP, BODY)
    assert headers["webhook-id"] == MSG_ID
    assert headers["webhook-timestamp"] == str(TIMESTAMP)
    assert headers["webhook-signature"] == signing.sign(SECRET, MSG_ID, TIMESTAMP, BODY)


def test_new_secrets_are_whsec_with_32_random_bytes() -> None:
    first, second = signing.new_secret(), signing.new_secret()
    assert first.startswith("whsec_")
    assert len(base64.b64decode(first.removeprefix("whsec_"))) == 32
    assert first != second


def test_a_secret_without_its_prefix_is_refused() -> None:
    with pytest.raises(ValueError, match="starts with 'whsec_'"):
        signing.sign("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", MSG_ID, TIMESTAMP, BODY)
