"""Token attacks against the real app: every one is a 401 that says no more than that."""

from __future__ import annotations

import base64
import json
import secrets
import warnings
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc import jwt
from joserfc.jwk import OKPKey
from sqlalchemy import func, select

from registry.models import AccessLogRecord
from tests.conftest import AUDIENCE, AppClient, Clock, DemoKey

QUERY = {"query": "{ cases(first: 1) { nodes { id } } }"}


def _post(client: AppClient, token: str | None) -> Any:
    headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
    return client.post("/graphql", json=QUERY, headers=headers)


def _claims(clock: Clock, partner: str = "zowonen", **overrides: Any) -> dict[str, Any]:
    now = int(clock.now.timestamp())
    claims = {
        "iss": partner,
        "sub": partner,
        "aud": AUDIENCE,
        "iat": now,
        "exp": now + 120,
        "jti": secrets.token_urlsafe(32),
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def _sign(key: DemoKey | str, claims: dict[str, Any], kid: str | None = None) -> str:
    pem = key.private_key if isinstance(key, DemoKey) else key
    header = {
        "alg": "Ed25519",
        "typ": "JWT",
        "kid": kid or (key.kid if isinstance(key, DemoKey) else "x"),
    }
    return jwt.encode(header, claims, OKPKey.import_key(pem), algorithms=["Ed25519"])


def _b64(data: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).decode().rstrip("=")


def _assert_refused(response: Any) -> None:
    assert response.status_code == 401
    body = response.json()
    assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    assert body["errors"][0]["message"] == "invalid or missing partner token"
    assert "data" not in body


def test_a_good_token_is_accepted(client: AppClient, token_for: Callable[..., str]) -> None:
    response = _post(client, token_for("zowonen"))
    assert response.status_code == 200
    assert response.json()["data"]["cases"]["nodes"]


def test_the_older_eddsa_algorithm_name_is_accepted(
    client: AppClient, demo_keys: dict[str, DemoKey], clock: Clock
) -> None:
    key = demo_keys["zowonen"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # joserfc flags "EdDSA" as deprecated by RFC 9864
        token = jwt.encode(
            {"alg": "EdDSA", "kid": key.kid},
            _claims(clock),
            OKPKey.import_key(key.private_key),
            algorithms=["EdDSA"],
        )
    assert _post(client, token).status_code == 200


def test_missing_or_malformed_authorization(client: AppClient) -> None:
    _assert_refused(_post(client, None))
    _assert_refused(_post(client, "not-a-jwt"))
    response = client.post("/graphql", json=QUERY, headers={"Authorization": "Basic abc"})
    _assert_refused(response)


def test_expired_token(client: AppClient, demo_keys: dict[str, DemoKey], clock: Clock) -> None:
    now = int(clock.now.timestamp())
    _assert_refused(
        _post(client, _sign(demo_keys["zowonen"], _claims(clock, iat=now - 400, exp=now - 200)))
    )


def test_token_living_longer_than_five_minutes(
    client: AppClient, demo_keys: dict[str, DemoKey], clock: Clock
) -> None:
    now = int(clock.now.timestamp())
    _assert_refused(_post(client, _sign(demo_keys["zowonen"], _claims(clock, exp=now + 301))))


def test_token_from_the_future(
    client: AppClient, demo_keys: dict[str, DemoKey], clock: Clock
) -> None:
    now = int(clock.now.timestamp())
    _assert_refused(
        _post(client, _sign(demo_keys["zowonen"], _claims(clock, iat=now + 600, exp=now + 700)))
    )


def test_wrong_audience(client: AppClient, demo_keys: dict[str, DemoKey], clock: Clock) -> None:
    _assert_refused(
        _post(client, _sign(demo_keys["zowonen"], _claims(clock, aud="other-registry")))
    )


def test_replayed_token_is_refused(client: AppClient, token_for: Callable[..., str]) -> None:
    token = token_for("zowonen")
    assert _post(client, token).status_code == 200
    _assert_refused(_post(client, token))


def test_short_jti(client: AppClient, demo_keys: dict[str, DemoKey], clock: Clock) -> None:
    _assert_refused(_post(client, _sign(demo_keys["zowonen"], _claims(clock, jti="abc"))))


def test_signed_with_another_key(
    client: AppClient, demo_keys: dict[str, DemoKey], clock: Clock
) -> None:
    stranger = (
        Ed25519PrivateKey.generate()
        .private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        .decode()
    )
    # Claims to be ZOwonen, names ZOwonen's key id, but is signed by someone else.
    _assert_refused(_post(client, _sign(stranger, _claims(clock), kid=demo_keys["zowonen"].kid)))


def test_partner_posing_as_another(
    client: AppClient, demo_keys: dict[str, DemoKey], clock: Clock
) -> None:
    # Nijestee's own valid key, but the claims say ZOwonen.
    _assert_refused(_post(client, _sign(demo_keys["nijestee"], _claims(clock, partner="zowonen"))))


def test_alg_none(client: AppClient, demo_keys: dict[str, DemoKey], clock: Clock) -> None:
    header = {"alg": "none", "typ": "JWT", "kid": demo_keys["zowonen"].kid}
    _assert_refused(_post(client, f"{_b64(header)}.{_b64(_claims(clock))}."))


def test_tampered_payload(client: AppClient, token_for: Callable[..., str], clock: Clock) -> None:
    header, _, signature = token_for("zowonen").split(".")
    forged = _b64(_claims(clock, partner="nijestee"))
    _assert_refused(_post(client, f"{header}.{forged}.{signature}"))


@pytest.mark.parametrize("claim", ["iat", "exp", "jti", "aud", "iss"])
def test_missing_claim(
    client: AppClient, demo_keys: dict[str, DemoKey], clock: Clock, claim: str
) -> None:
    claims = _claims(clock)
    del claims[claim]
    _assert_refused(_post(client, _sign(demo_keys["zowonen"], claims)))


def test_a_refused_request_discloses_nothing(client: AppClient, sessions: Any) -> None:
    _assert_refused(_post(client, None))
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(AccessLogRecord)) == 0


def test_oversized_tokens_and_claims_are_refused_as_401_json(
    client: AppClient, demo_keys: dict[str, DemoKey], clock: Clock, sessions: Any
) -> None:
    key = demo_keys["zowonen"]
    _assert_refused(_post(client, _sign(key, _claims(clock, jti="j" * 40_000))))
    _assert_refused(_post(client, _sign(key, _claims(clock, jti="j" * 129))))
    _assert_refused(_post(client, _sign(key, _claims(clock, act={"sub": "p" * 65}))))
    _assert_refused(_post(client, _sign(key, _claims(clock, purpose="p" * 201))))
    _assert_refused(_post(client, "x" * 5000))
    assert _post(client, _sign(key, _claims(clock, jti="j" * 128))).status_code == 200
    from registry.models import UsedTokenId

    with sessions() as session:  # only the accepted token was recorded
        assert session.scalar(select(func.count()).select_from(UsedTokenId)) == 1


def test_a_revoked_key_is_refused_within_two_seconds(
    client: AppClient, token_for: Callable[..., str], sessions: Any
) -> None:
    import datetime as dt
    import time

    from registry.models import PartnerKey

    assert _post(client, token_for("zowonen")).status_code == 200
    with sessions.begin() as session:
        for key in session.scalars(select(PartnerKey).where(PartnerKey.partner_id == "zowonen")):
            key.revoked_at = dt.datetime.now(dt.UTC)
    revoked = time.monotonic()
    while _post(client, token_for("zowonen")).status_code == 200:
        assert time.monotonic() - revoked < 2, "a revoked key was still accepted after 2 s"
        time.sleep(0.05)
    _assert_refused(_post(client, token_for("zowonen")))
