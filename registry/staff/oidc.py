"""OpenID Connect, the protocol side of the console's single sign-on: an organisation's
identity provider, read from the deployment's provider file; the authorization request
(authorization-code flow with PKCE S256, ``state`` and ``nonce``); the code exchanged for
tokens; and the ID token checked (signature by the provider's published keys, ``iss``,
``aud``, ``azp``, ``exp``, ``iat`` and ``nonce``).

Authlib's OAuth 2 client builds the request and exchanges the code (client authentication,
PKCE); joserfc checks the ID token. Which account an identity opens is ``registry.staff.sso``.
"""

from __future__ import annotations

import datetime as dt
import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from authlib.common.security import generate_token
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

#: Scopes asked for: the subject, and the e-mail address that links a pre-created account.
SCOPE = "openid email profile"
#: Seconds of clock difference tolerated between the provider and the registry.
LEEWAY = 60
#: How long the provider may take to answer one request.
TIMEOUT = 10.0


class OidcError(Exception):
    """The provider's answer could not be used: unreachable, refused, or a token that does
    not verify. The message names the check that failed (for the server's log and tests);
    the console shows the person a general text."""


@dataclass(frozen=True)
class Provider:
    """One organisation's identity provider, as the deployment configured it."""

    #: Short name, in the console's URLs (``/console/sso/<name>``).
    name: str
    #: The partner organisation whose staff log in here; no other organisation's accounts.
    partner_id: str
    #: The button's text on the login page.
    label: str
    issuer: str
    client_id: str
    client_secret: str = field(repr=False)
    #: The ID token claim that carries the e-mail address linking a pre-created account.
    email_claim: str = "email"
    #: E-mail domains accepted when linking a first login (empty: any domain).
    email_domains: tuple[str, ...] = ()


def _secret(entry: Mapping[str, Any], name: str) -> str:
    if "client_secret_file" in entry:
        return Path(str(entry["client_secret_file"])).read_text().strip()
    if "client_secret_env" in entry:
        value = os.environ.get(str(entry["client_secret_env"]), "")
        if value:
            return value
        raise ValueError(f"provider {name!r}: ${entry['client_secret_env']} is not set")
    raise ValueError(f"provider {name!r}: give client_secret_file or client_secret_env")


def load_providers(path: str | None) -> dict[str, Provider]:
    """The providers in the TOML file at ``path`` (``[[provider]]`` tables), by name; none
    without a file. The client secret is read from a file or an environment variable, never
    written in the provider file itself. ``ValueError`` names a bad entry."""
    if not path:
        return {}
    with open(path, "rb") as handle:
        entries = tomllib.load(handle).get("provider", [])
    providers: dict[str, Provider] = {}
    for entry in entries:
        name = str(entry.get("name", ""))
        missing = [k for k in ("name", "partner", "issuer", "client_id") if not entry.get(k)]
        if missing:
            raise ValueError(f"provider {name!r}: missing {', '.join(missing)}")
        if name in providers:
            raise ValueError(f"provider {name!r} is configured twice")
        providers[name] = Provider(
            name=name,
            partner_id=str(entry["partner"]),
            label=str(entry.get("label", name)),
            issuer=str(entry["issuer"]).rstrip("/"),
            client_id=str(entry["client_id"]),
            client_secret=_secret(entry, name),
            email_claim=str(entry.get("email_claim", "email")),
            email_domains=tuple(str(d).lower() for d in entry.get("email_domains", ())),
        )
    return providers


@dataclass(frozen=True)
class AuthorizationRequest:
    """Where to send the browser, and what to keep until it comes back."""

    url: str
    state: str
    nonce: str
    code_verifier: str


def _client(provider: Provider, redirect_uri: str) -> OAuth2Client:
    return OAuth2Client(
        provider.client_id,
        provider.client_secret,
        scope=SCOPE,
        redirect_uri=redirect_uri,
        code_challenge_method="S256",
        token_endpoint_auth_method="client_secret_basic",  # noqa: S106  # a method's name
        timeout=TIMEOUT,
    )


def _get_json(client: OAuth2Client, url: str) -> dict[str, Any]:
    try:
        answer = client.request(
            "GET", url, headers={"Accept": "application/json"}, withhold_token=True
        )
        answer.raise_for_status()
        document = answer.json()
    except Exception as exc:  # any transport, status or JSON failure: one answer
        raise OidcError(f"could not read {url}: {type(exc).__name__}") from None
    if not isinstance(document, dict):
        raise OidcError(f"{url} is not a JSON object")
    return document


def discover(client: OAuth2Client, provider: Provider) -> dict[str, Any]:
    """The provider's metadata (OpenID Connect Discovery); its ``issuer`` must be exactly
    the configured one (else a look-alike could hand out tokens under another name)."""
    metadata = _get_json(client, f"{provider.issuer}/.well-known/openid-configuration")
    if metadata.get("issuer") != provider.issuer:
        raise OidcError("the discovery document names another issuer")
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
        if not isinstance(metadata.get(key), str):
            raise OidcError(f"the discovery document has no {key}")
    return metadata


def authorization_request(provider: Provider, redirect_uri: str) -> AuthorizationRequest:
    """A fresh authorization request: random state, nonce and PKCE verifier."""
    state, nonce, verifier = generate_token(43), generate_token(43), generate_token(64)
    with _client(provider, redirect_uri) as client:
        metadata = discover(client, provider)
        url, _ = client.create_authorization_url(
            metadata["authorization_endpoint"], state=state, nonce=nonce, code_verifier=verifier
        )
    return AuthorizationRequest(url, state, nonce, verifier)


def exchange(
    provider: Provider,
    redirect_uri: str,
    code: str,
    code_verifier: str,
    nonce: str,
    now: dt.datetime,
) -> dict[str, Any]:
    """The verified claims of the ID token the provider gives for ``code``."""
    with _client(provider, redirect_uri) as client:
        metadata = discover(client, provider)
        try:
            token = client.fetch_token(
                metadata["token_endpoint"],
                grant_type="authorization_code",
                code=code,
                code_verifier=code_verifier,
            )
        except Exception as exc:  # the provider refused the code, or did not answer
            raise OidcError(f"the token request failed: {type(exc).__name__}") from None
        id_token = token.get("id_token")
        if not isinstance(id_token, str):
            raise OidcError("the token answer has no ID token")
        keys = _get_json(client, metadata["jwks_uri"])
    return verify_id_token(provider, id_token, keys, nonce, now)


def verify_id_token(
    provider: Provider, id_token: str, jwks: Mapping[str, Any], nonce: str, now: dt.datetime
) -> dict[str, Any]:
    """The claims of ``id_token`` once signature, issuer, audience, times and nonce are right
    (OpenID Connect Core 3.1.3.7); ``OidcError`` naming the first check that failed."""
    try:
        keys = KeySet.import_key_set(dict(jwks))  # type: ignore[arg-type]
        decoded = jwt.decode(id_token, keys, algorithms=["RS256", "ES256", "PS256", "EdDSA"])
    except (JoseError, ValueError, TypeError) as exc:
        raise OidcError(f"the ID token's signature does not verify: {type(exc).__name__}") from None
    claims = dict(decoded.claims)
    if claims.get("iss") != provider.issuer:
        raise OidcError("the ID token comes from another issuer")
    audience = claims.get("aud")
    audiences = audience if isinstance(audience, list) else [audience]
    if provider.client_id not in audiences:
        raise OidcError("the ID token is meant for another client (audience)")
    if len(audiences) > 1 and claims.get("azp") != provider.client_id:
        raise OidcError("the ID token is meant for another client (azp)")
    stamp = now.timestamp()
    expires, issued = claims.get("exp"), claims.get("iat")
    if not isinstance(expires, int | float) or expires + LEEWAY < stamp:
        raise OidcError("the ID token has expired")
    if not isinstance(issued, int | float) or issued - LEEWAY > stamp:
        raise OidcError("the ID token was issued in the future")
    if not isinstance(claims.get("nonce"), str) or claims["nonce"] != nonce:
        raise OidcError("the ID token's nonce is not this login's")
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise OidcError("the ID token has no subject")
    return claims
