"""Partner authentication: a short-lived JWT each partner system signs with its own Ed25519 key.

The private_key_jwt idea of the NL GOV OAuth profile, without a token endpoint (DESIGN.md):
``iss`` = ``sub`` = partner id, ``aud`` = this registry, ``iat``, ``exp`` at most five minutes
later, a ``jti`` of at least 128 bits that is accepted once, ``kid`` naming a registered key.
Every refusal is the same 401 to the caller; why it was refused stays in the server's log.

A token is spent in the request's own transaction (``spend``), not in one of its own: the
record of its ``jti`` commits together with the access log and the request's work. That keeps
replay protection sound, because the ``jti`` is the primary key: of two requests carrying one
token, the second's insert waits for the first's transaction and then fails on the key
(PostgreSQL), or queues behind SQLite's one writer and then fails on it. Either way at most one
request per token commits, and a request answers with data only after it has committed. A
request that rolls back leaves its token unspent; it also disclosed and changed nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading
import time
import warnings
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from joserfc import jws, jwt
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import OKPKey
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from policies import NO_PURPOSE
from registry.access.principal import Principal
from registry.config import Settings
from registry.errors import AuthenticationError
from registry.lengths import max_length
from registry.models import AccessLogRecord, AccessPolicy, PartnerKey, UsedTokenId
from registry.tracing import TraceContext

log = logging.getLogger(__name__)

#: RFC 9864 names Ed25519 itself; "EdDSA" is the older, polymorphic name DESIGN.md uses.
ACCEPTED_ALGORITHMS = ("Ed25519", "EdDSA")
_MIN_JTI_LENGTH = 22  # 22 base64url characters carry 132 bits: at least the 128 we require
#: Longer ids carry no more safety, only more to store (the column holds partner id + jti).
MAX_JTI_LENGTH = 128
#: A partner token is a few hundred bytes; anything near this is not one, and is refused
#: before any parsing or signature work is spent on it.
MAX_TOKEN_LENGTH = 4096
REFUSED = "invalid or missing partner token"
# The acting person is written to the access log and, as who did it, to narrower columns
# (a revoked policy's ``revoked_by``): held to the narrowest.
_ACTOR_LENGTH = min(max_length(AccessLogRecord.actor), max_length(AccessPolicy.revoked_by))
_KID_LENGTH = max_length(PartnerKey.kid)
_MAX_KNOWN_KEYS = 10_000
_PURPOSE_LENGTH = max_length(AccessLogRecord.purpose)


class Refusal(StrEnum):
    """Why a token was refused, in a few words an operator can count (the metrics' label);
    the caller is told none of it."""

    MISSING = "missing"
    MALFORMED = "malformed"
    OVERSIZED = "oversized"
    ALGORITHM = "algorithm"
    UNKNOWN_KEY = "unknown_key"
    SIGNATURE = "signature"
    CLAIMS = "claims"
    LIFETIME = "lifetime"
    REPLAYED = "replayed"


def _refuse(kind: Refusal, detail: str) -> AuthenticationError:
    log.info("token refused (%s): %s", kind, detail)
    return AuthenticationError(REFUSED, reason=str(kind))


def _bearer(authorization: str | None) -> str:
    if not authorization:
        raise _refuse(Refusal.MISSING, "no Authorization header")
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _refuse(Refusal.MALFORMED, "not a Bearer token")
    if len(token) > MAX_TOKEN_LENGTH:
        raise _refuse(Refusal.OVERSIZED, f"token over {MAX_TOKEN_LENGTH} characters")
    return token.strip()


def _verify_signature(token: str, key: OKPKey) -> dict[str, Any]:
    with warnings.catch_warnings():
        # joserfc warns that "EdDSA" is deprecated by RFC 9864; we accept it deliberately.
        warnings.simplefilter("ignore", SecurityWarning)
        decoded = jwt.decode(token, key, algorithms=list(ACCEPTED_ALGORITHMS))
    return dict(decoded.claims)


@dataclass(frozen=True)
class KnownKey:
    """A registered, unrevoked key as authentication needs it: parsed once, not per request."""

    key: OKPKey
    partner_id: str
    kind: str
    municipalities: frozenset[str]


class Keyring:
    """The partners' registered keys, looked up in the database at most once per ``staleness``
    seconds per key id (two queries and a PEM parse per request before): a revoked key or a
    new one takes effect in every process within that time."""

    def __init__(self, *, staleness: float = 1.0) -> None:
        self.staleness = staleness
        self._lock = threading.Lock()
        self._known: dict[str, tuple[float, KnownKey | None]] = {}

    def find(self, session: Session, kid: str) -> KnownKey | None:
        """The unrevoked key registered as ``kid``, or None."""
        cached = self._known.get(kid)
        if cached is not None and time.monotonic() - cached[0] < self.staleness:
            return cached[1]
        looked_up_at = time.monotonic()
        row = session.scalar(
            select(PartnerKey).where(PartnerKey.kid == kid, PartnerKey.revoked_at.is_(None))
        )
        known = None
        if row is not None:
            known = KnownKey(
                OKPKey.import_key(row.public_key_pem),
                row.partner.id,
                str(row.partner.kind),
                row.partner.municipality_codes,
            )
        with self._lock:
            # Unknown ids are remembered too (briefly), but never more than a bounded number:
            # a flood of made-up ids must not grow the process.
            if len(self._known) >= _MAX_KNOWN_KEYS:
                self._known.clear()
            self._known[kid] = (looked_up_at, known)
        return known


@dataclass(frozen=True)
class TokenUse:
    """A verified token's one-time id, to be spent in the request's transaction."""

    jti: str
    partner_id: str
    expires_at: dt.datetime


@dataclass(frozen=True)
class Authenticated:
    """Who the request speaks for, and the token to spend before it commits."""

    principal: Principal
    token: TokenUse


def authenticate(
    session: Session,
    authorization: str | None,
    settings: Settings,
    trace: TraceContext,
    now: dt.datetime,
    keyring: Keyring | None = None,
) -> Authenticated:
    """Verify the request's token and return the partner it speaks for, with the token's
    one-time id; the caller spends it (``spend``) in the same transaction as its work."""
    token = _bearer(authorization)
    try:
        header = jws.extract_compact(token.encode()).protected
    except (JoseError, ValueError) as exc:
        raise _refuse(Refusal.MALFORMED, f"malformed token: {type(exc).__name__}") from None
    if header.get("alg") not in ACCEPTED_ALGORITHMS:
        raise _refuse(Refusal.ALGORITHM, f"algorithm {header.get('alg')!r} not accepted")
    kid = header.get("kid")
    if not isinstance(kid, str):
        raise _refuse(Refusal.MALFORMED, "no kid in header")
    if len(kid) > _KID_LENGTH:
        raise _refuse(Refusal.OVERSIZED, f"kid over {_KID_LENGTH} characters")
    known = (keyring or Keyring(staleness=0)).find(session, kid)
    if known is None:
        raise _refuse(Refusal.UNKNOWN_KEY, f"unknown or revoked key {kid!r}")
    try:
        claims = _verify_signature(token, known.key)
    except (JoseError, ValueError) as exc:
        raise _refuse(Refusal.SIGNATURE, f"signature: {type(exc).__name__}") from None
    _check_claims(claims, known.partner_id, settings, now)
    act = claims.get("act")
    actor = act.get("sub") if isinstance(act, dict) and isinstance(act.get("sub"), str) else None
    purpose = claims.get("purpose")
    # Both are written to every access-log record of the request: held to its columns.
    if actor is not None and len(actor) > _ACTOR_LENGTH:
        raise _refuse(Refusal.OVERSIZED, f"act.sub over {_ACTOR_LENGTH} characters")
    if isinstance(purpose, str) and len(purpose) > _PURPOSE_LENGTH:
        raise _refuse(Refusal.OVERSIZED, f"purpose over {_PURPOSE_LENGTH} characters")
    principal = Principal(
        partner_id=known.partner_id,
        kind=known.kind,
        municipalities=known.municipalities,
        actor=actor,
        # No purpose named: only the built-in (statutory) rules release anything.
        purpose=purpose if isinstance(purpose, str) and purpose else NO_PURPOSE,
        trace=trace,
    )
    token_use = TokenUse(
        jti=f"{known.partner_id}:{claims['jti']}",
        partner_id=known.partner_id,
        expires_at=dt.datetime.fromtimestamp(int(claims["exp"]), dt.UTC),
    )
    return Authenticated(principal, token_use)


def _check_claims(
    claims: dict[str, Any], partner_id: str, settings: Settings, now: dt.datetime
) -> None:
    if claims.get("iss") != partner_id or claims.get("sub") != partner_id:
        raise _refuse(Refusal.CLAIMS, "iss/sub do not name the key's partner")
    aud = claims.get("aud")
    if aud != settings.audience and not (isinstance(aud, list) and settings.audience in aud):
        raise _refuse(Refusal.CLAIMS, "wrong audience")
    iat, exp, jti = claims.get("iat"), claims.get("exp"), claims.get("jti")
    if not isinstance(iat, int) or not isinstance(exp, int):
        raise _refuse(Refusal.CLAIMS, "iat and exp must be integers")
    if not isinstance(jti, str) or len(jti) < _MIN_JTI_LENGTH:
        raise _refuse(Refusal.CLAIMS, "jti missing or too short")
    if len(jti) > MAX_JTI_LENGTH:
        raise _refuse(Refusal.OVERSIZED, f"jti over {MAX_JTI_LENGTH} characters")
    stamp = int(now.timestamp())
    skew = settings.clock_skew_seconds
    if exp - iat > settings.max_token_lifetime_seconds:
        raise _refuse(Refusal.LIFETIME, "lifetime over the maximum")
    if iat > stamp + skew:
        raise _refuse(Refusal.LIFETIME, "issued in the future")
    if exp <= stamp - skew:
        raise _refuse(Refusal.LIFETIME, "expired")


def spend(session: Session, token: TokenUse) -> None:
    """Record ``token`` as used, in the caller's transaction (see the module docstring).

    Raises ``AuthenticationError`` when the token was already spent; the caller's transaction
    is then unusable and must be rolled back.
    """
    session.add(
        UsedTokenId(jti=token.jti, partner_id=token.partner_id, expires_at=token.expires_at)
    )
    try:
        session.flush()
    except IntegrityError:
        raise _refuse(Refusal.REPLAYED, "replayed jti") from None


def forget_expired(session: Session, now: dt.datetime) -> int:
    """Drop the records of tokens that can no longer be replayed anyway (their ``exp`` plus
    the tolerated clock skew has passed), so the table stays small; housekeeping, off the
    request path. Returns how many were dropped."""
    result = session.execute(
        delete(UsedTokenId).where(UsedTokenId.expires_at < now - dt.timedelta(minutes=10))
    )
    return int(result.rowcount)  # type: ignore[attr-defined]
