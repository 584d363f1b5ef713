"""Partner tokens: signed with the partner's key, verifiable with its public key."""

import base64
import time
import warnings

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from joserfc import jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import OKPKey
from joserfc.jwt import JWTClaimsRegistry

from clients.tokens import MAX_LIFETIME, generate_key_pair, sign_token

NOW = 1_760_000_000


def _decode(token: str, public_pem: str) -> jwt.Token:
    # Verified the way the registry does: joserfc, alg pinned to Ed25519 (RFC 9864).
    return jwt.decode(token, OKPKey.import_key(public_pem), algorithms=["Ed25519"])


def _sign(private_pem: str, **options: object) -> str:
    defaults: dict[str, object] = {
        "partner_id": "zowonen",
        "key_id": "zowonen-2025",
        "private_key": private_pem,
        "audience": "ketenregister",
    }
    return sign_token(**{**defaults, **options})  # type: ignore[arg-type]


def test_token_verifies_with_the_public_key_and_carries_exactly_the_contract_claims() -> None:
    private_pem, public_pem = generate_key_pair()

    token = _decode(_sign(private_pem, now=NOW), public_pem)

    assert token.header == {"alg": "Ed25519", "typ": "JWT", "kid": "zowonen-2025"}
    jti = token.claims.pop("jti")
    assert token.claims == {
        "iss": "zowonen",
        "sub": "zowonen",
        "aud": "ketenregister",
        "iat": NOW,
        "exp": NOW + 120,
    }
    assert len(base64.urlsafe_b64decode(jti + "=")) == 32


def test_act_and_purpose_are_claims_when_given() -> None:
    private_pem, public_pem = generate_key_pair()

    claims = _decode(
        _sign(private_pem, act="j.jansen", purpose="eviction_prevention"), public_pem
    ).claims

    assert claims["act"] == {"sub": "j.jansen"}
    assert claims["purpose"] == "eviction_prevention"
    assert set(claims) == {"iss", "sub", "aud", "iat", "exp", "jti", "act", "purpose"}


def test_a_current_token_passes_the_registry_claim_checks() -> None:
    private_pem, public_pem = generate_key_pair()

    claims = _decode(_sign(private_pem), public_pem).claims

    JWTClaimsRegistry(
        iss={"essential": True, "value": "zowonen"},
        sub={"essential": True, "value": "zowonen"},
        aud={"essential": True, "value": "ketenregister"},
        exp={"essential": True},
        iat={"essential": True},
        jti={"essential": True},
    ).validate(claims)
    assert abs(claims["iat"] - time.time()) < 5


def test_every_token_gets_a_different_jti() -> None:
    private_pem, public_pem = generate_key_pair()

    jtis = {_decode(_sign(private_pem, now=NOW), public_pem).claims["jti"] for _ in range(50)}

    assert len(jtis) == 50


def test_a_token_does_not_verify_with_another_partners_key() -> None:
    private_pem, _ = generate_key_pair()
    _, other_public_pem = generate_key_pair()

    with pytest.raises(BadSignatureError):
        _decode(_sign(private_pem), other_public_pem)


def test_the_longest_lifetime_the_registry_accepts_is_allowed() -> None:
    private_pem, public_pem = generate_key_pair()

    claims = _decode(_sign(private_pem, now=NOW, lifetime=MAX_LIFETIME), public_pem).claims

    assert claims["exp"] - claims["iat"] == 300


@pytest.mark.parametrize("lifetime", [301, 3600, 0, -5])
def test_a_lifetime_the_registry_refuses_is_refused_before_signing(lifetime: int) -> None:
    private_pem, _ = generate_key_pair()

    with pytest.raises(
        ValueError, match=rf"lifetime must be 1 to 300 seconds, got {lifetime}: the registry"
    ):
        _sign(private_pem, lifetime=lifetime)


def test_a_key_that_is_not_ed25519_is_refused() -> None:
    ec_pem = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )

    with pytest.raises(ValueError, match="private key is not an Ed25519 key"):
        _sign(ec_pem.decode())


def test_text_that_is_not_a_pem_key_is_refused_without_echoing_it() -> None:
    with pytest.raises(ValueError, match="not an unencrypted PEM") as caught:
        _sign("-----BEGIN PRIVATE KEY-----\nc2VjcmV0\n-----END PRIVATE KEY-----\n")

    assert "c2VjcmV0" not in str(caught.value)


def test_signing_does_not_warn_about_the_eddsa_name() -> None:
    private_pem, _ = generate_key_pair()

    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _sign(private_pem)


def test_generate_key_pair_gives_matching_pem_keys() -> None:
    private_pem, public_pem = generate_key_pair()

    assert private_pem.startswith("-----BEGIN PRIVATE KEY-----")
    assert public_pem.startswith("-----BEGIN PUBLIC KEY-----")
    assert OKPKey.import_key(private_pem).as_pem(private=False).decode() == public_pem
