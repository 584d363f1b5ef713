"""Partner authentication: a short-lived JWT each partner system signs with its own Ed25519 key.

The private_key_jwt idea of the NL GOV OAuth profile, without a token endpoint (DESIGN.md):
``iss`` = ``sub`` = partner id, ``aud`` = this registry, ``iat``, ``exp`` at most five minutes
later, a ``jti`` of at least 128 bits that is accepted once, ``kid`` naming a registered key.
Every refusal is the same 401 to the caller; why it was refused stays in the server's log.
"""

from __future__ import annotations

import datetime as dt
import logging
import warnings
from typing import Any

from joserfc import jws, jwt
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import OKPKey
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from registry.config import Settings
from registry.errors import AuthenticationError
from registry.models import PartnerKey, UsedTokenId
from registry.principal import DEFAULT_PURPOSE, Principal
from registry.tracing import TraceContext

log = logging.getLogger(__name__)

#: RFC 9864 names Ed25519 itself; "EdDSA" is the older, polymorphic name DESIGN.md uses.
ACCEPTED_ALGORITHMS = ("Ed25519", "EdDSA")
_MIN_JTI_LENGTH = 22  # 22 base64url characters carry 132 bits: at least the 128 we require
REFUSED = "invalid or missing partner token"


def _refuse(reason: str) -> AuthenticationError:
    log.info("token refused: %s", reason)
    return AuthenticationError(REFUSED)


def _bearer(authorization: str | None) -> str:
    if not authorization:
        raise _refuse("no Authorization header")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _refuse("not a Bearer token")
    return token.strip()


def _verify_signature(token: str, key: OKPKey) -> dict[str, Any]:
    with warnings.catch_warnings():
        # joserfc warns that "EdDSA" is deprecated by RFC 9864; we accept it deliberately.
        warnings.simplefilter("ignore", SecurityWarning)
        decoded = jwt.decode(token, key, algorithms=list(ACCEPTED_ALGORITHMS))
    return dict(decoded.claims)


def authenticate(
    session: Session,
    replay_guard: sessionmaker[Session],
    authorization: str | None,
    settings: Settings,
    trace: TraceContext,
    now: dt.datetime,
) -> Principal:
    """Verify the request's token and return the partner it speaks for.

    ``replay_guard`` makes the session that records the token's ``jti``: it commits at once,
    so a token stays used even when the request it carried fails and rolls back.
    """
    token = _bearer(authorization)
    try:
        header = jws.extract_compact(token.encode()).protected
    except (JoseError, ValueError) as exc:
        raise _refuse(f"malformed token: {type(exc).__name__}") from None
    if header.get("alg") not in ACCEPTED_ALGORITHMS:
        raise _refuse(f"algorithm {header.get('alg')!r} not accepted")
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise _refuse("no kid in header")
    key_row = session.scalar(
        select(PartnerKey).where(PartnerKey.kid == kid, PartnerKey.revoked_at.is_(None))
    )
    if key_row is None:
        raise _refuse(f"unknown or revoked key {kid!r}")
    try:
        claims = _verify_signature(token, OKPKey.import_key(key_row.public_key_pem))
    except (JoseError, ValueError) as exc:
        raise _refuse(f"signature: {type(exc).__name__}") from None
    partner = key_row.partner
    _check_claims(claims, partner.id, settings, now)
    _spend_jti(replay_guard, str(claims["jti"]), partner.id, int(claims["exp"]), now)
    act = claims.get("act")
    actor = act.get("sub") if isinstance(act, dict) and isinstance(act.get("sub"), str) else None
    purpose = claims.get("purpose")
    return Principal(
        partner_id=partner.id,
        kind=str(partner.kind),
        municipalities=partner.municipality_codes,
        actor=actor,
        purpose=purpose if isinstance(purpose, str) and purpose else DEFAULT_PURPOSE,
        trace=trace,
    )


def _check_claims(
    claims: dict[str, Any], partner_id: str, settings: Settings, now: dt.datetime
) -> None:
    if claims.get("iss") != partner_id or claims.get("sub") != partner_id:
        raise _refuse("iss/sub do not name the key's partner")
    aud = claims.get("aud")
    if aud != settings.audience and not (isinstance(aud, list) and settings.audience in aud):
        raise _refuse("wrong audience")
    iat, exp, jti = claims.get("iat"), claims.get("exp"), claims.get("jti")
    if not isinstance(iat, int) or not isinstance(exp, int):
        raise _refuse("iat and exp must be integers")
    if not isinstance(jti, str) or len(jti) < _MIN_JTI_LENGTH:
        raise _refuse("jti missing or too short")
    stamp = int(now.timestamp())
    skew = settings.clock_skew_seconds
    if exp - iat > settings.max_token_lifetime_seconds:
        raise _refuse("lifetime over the maximum")
    if iat > stamp + skew:
        raise _refuse("issued in the future")
    if exp <= stamp - skew:
        raise _refuse("expired")


def _spend_jti(
    replay_guard: sessionmaker[Session], jti: str, partner_id: str, exp: int, now: dt.datetime
) -> None:
    with replay_guard() as guard:
        # Forget tokens that can no longer be replayed anyway, so the table stays small.
        guard.execute(
            delete(UsedTokenId).where(UsedTokenId.expires_at < now - dt.timedelta(minutes=10))
        )
        guard.add(
            UsedTokenId(
                jti=f"{partner_id}:{jti}",
                partner_id=partner_id,
                expires_at=dt.datetime.fromtimestamp(exp, dt.UTC),
            )
        )
        try:
            guard.commit()
        except IntegrityError:
            guard.rollback()
            raise _refuse("replayed jti") from None
