"""Partner tokens: short-lived JWTs a partner signs with its own Ed25519 key.

Every request to the registry carries a fresh token (``private_key_jwt`` without a token
endpoint, see DESIGN.md "Identity and authentication"): ``iss`` = ``sub`` = partner id,
``aud`` = the registry, ``iat``/``exp`` at most five minutes apart, a random ``jti`` the
registry accepts only once, and optionally ``act`` (the staff member) and ``purpose``.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
import time
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from joserfc import jwt
from joserfc.jwk import OKPKey

__all__ = [
    "DEFAULT_LIFETIME",
    "MAX_LIFETIME",
    "generate_key_pair",
    "load_private_key",
    "sign_token",
]

#: Seconds a token is valid by default.
DEFAULT_LIFETIME = 120
#: The registry refuses tokens whose ``exp - iat`` exceeds this many seconds.
MAX_LIFETIME = 300


#: RFC 9864's fully specified name for EdDSA over Ed25519. The registry also accepts the older
#: polymorphic "EdDSA", which joserfc now warns about on every use.
ALGORITHM = "Ed25519"


def load_private_key(pem: str | bytes) -> Ed25519PrivateKey:
    """Parse an unencrypted PKCS8 PEM private key and check that it is an Ed25519 key.

    Raises:
        ValueError: The text is not a PEM private key, is encrypted, or is not Ed25519.
            The message never contains key material.
    """
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnicodeError) as exc:
        # TypeError: an encrypted key without a password. The original message may quote
        # the input, so it is not passed on.
        raise ValueError("private key is not an unencrypted PEM (PKCS8) private key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"private key is not an Ed25519 key (got {type(key).__name__})")
    return key


def key_id_of(partner_id: str, public_key_pem: str) -> str:
    """The key id the registry gives a public key when it is registered: ``<partner>-<the first
    8 hex digits of the SHA-256 of the raw 32-byte key>``, so a partner that makes its key on
    its own side knows the id before registering it.

    Example:
        >>> _, public_pem = generate_key_pair()
        >>> kid = key_id_of("zowonen", public_pem)
        >>> kid.startswith("zowonen-") and len(kid) == len("zowonen-") + 8
        True
    """
    key = serialization.load_pem_public_key(public_key_pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("partner keys are Ed25519 keys")
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return f"{partner_id}-{hashlib.sha256(raw).hexdigest()[:8]}"


def generate_key_pair() -> tuple[str, str]:
    """Generate a new Ed25519 key pair.

    Returns:
        ``(private_pem, public_pem)``: the private key as unencrypted PKCS8 PEM (keep it
        secret, see :func:`clients.keyfile.write_key_file`) and the public key as
        SubjectPublicKeyInfo PEM (register it with the registry).
    """
    key = Ed25519PrivateKey.generate()
    private_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    ).decode("ascii")
    public_pem = (
        key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode("ascii")
    )
    return private_pem, public_pem


def sign_token(
    *,
    partner_id: str,
    key_id: str,
    private_key: str | bytes | Ed25519PrivateKey,
    audience: str,
    act: str | None = None,
    purpose: str | None = None,
    lifetime: int = DEFAULT_LIFETIME,
    now: float | None = None,
) -> str:
    """Sign a one-time token for one request to the registry.

    Args:
        partner_id: The partner's id; becomes ``iss`` and ``sub``.
        key_id: The id of the registered key; becomes the ``kid`` header.
        private_key: The partner's Ed25519 private key (PKCS8 PEM, or a loaded key).
        audience: The registry's audience string; becomes ``aud``.
        act: The staff member acting, for the access log; becomes ``{"sub": act}``.
        purpose: The processing purpose, e.g. ``"eviction_prevention"``.
        lifetime: Seconds until ``exp``; at most :data:`MAX_LIFETIME`.
        now: Unix time to use as ``iat`` (for tests); the current time by default.

    Returns:
        A JWS compact JWT (``header.payload.signature``) with a fresh random ``jti``.

    Raises:
        ValueError: ``lifetime`` is out of range or the key is not an Ed25519 private key.

    Example:
        >>> from clients.tokens import generate_key_pair, sign_token
        >>> private_pem, public_pem = generate_key_pair()
        >>> token = sign_token(
        ...     partner_id="zowonen",
        ...     key_id="zowonen-2025",
        ...     private_key=private_pem,
        ...     audience="ketenregister",
        ...     act="j.jansen",
        ...     purpose="eviction_prevention",
        ... )
        >>> token.count(".")
        2
        >>> sign_token(partner_id="zowonen", key_id="zowonen-2025", private_key=private_pem,
        ...            audience="ketenregister", lifetime=600)  # doctest: +ELLIPSIS
        Traceback (most recent call last):
        ValueError: lifetime must be 1 to 300 seconds, got 600: ...
    """
    if not 0 < lifetime <= MAX_LIFETIME:
        raise ValueError(
            f"lifetime must be 1 to {MAX_LIFETIME} seconds, got {lifetime}: "
            "the registry refuses longer-lived tokens"
        )
    if isinstance(private_key, Ed25519PrivateKey):
        key = private_key
    else:
        key = load_private_key(private_key)
    issued_at = int(time.time() if now is None else now)
    claims: dict[str, Any] = {
        "iss": partner_id,
        "sub": partner_id,
        "aud": audience,
        "iat": issued_at,
        "exp": issued_at + lifetime,
        # 256 random bits; the registry refuses a jti it has seen before.
        "jti": base64.urlsafe_b64encode(secrets.token_bytes(32)).rstrip(b"=").decode("ascii"),
    }
    if act is not None:
        claims["act"] = {"sub": act}
    if purpose is not None:
        claims["purpose"] = purpose
    header = {"alg": ALGORITHM, "typ": "JWT", "kid": key_id}
    return jwt.encode(header, claims, OKPKey.import_key(key), algorithms=[ALGORITHM])
