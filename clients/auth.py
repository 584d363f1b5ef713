"""Partner tokens as an ``httpx.Auth``: for partner systems that call the registry with their
own httpx client (async included) rather than :class:`clients.RegistryClient`.

Every request, and every retry of it, gets a freshly signed one-time token: the registry
accepts each token once, so a token must never be reused, not even for the same request.

Example:
    >>> import httpx
    >>> from clients.auth import PartnerAuth
    >>> from clients.tokens import generate_key_pair
    >>> private_pem, _ = generate_key_pair()
    >>> auth = PartnerAuth(
    ...     partner_id="zowonen",
    ...     key_id="zowonen-2025",
    ...     private_key=private_pem,
    ...     audience="ketenregister",
    ...     purpose="eviction_prevention",
    ... )
    >>> request = next(auth.auth_flow(httpx.Request("POST", "http://127.0.0.1:8000/graphql")))
    >>> request.headers["Authorization"].startswith("Bearer ey")
    True
"""

from __future__ import annotations

from collections.abc import Generator

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from clients.keyfile import KeyFile
from clients.tokens import load_private_key, sign_token


class PartnerAuth(httpx.Auth):
    """Signs a one-time partner token (EdDSA) into each request's ``Authorization`` header.

    Options are keyword-only and mean what they mean in a key file and in
    :func:`clients.tokens.sign_token`: ``act`` names the staff member acting and ``purpose``
    the processing purpose, both recorded in the registry's access log. The same instance
    serves sync and async clients (signing needs no I/O).
    """

    def __init__(
        self,
        *,
        partner_id: str,
        key_id: str,
        private_key: str | bytes | Ed25519PrivateKey,
        audience: str,
        act: str | None = None,
        purpose: str | None = None,
    ) -> None:
        self.partner_id = partner_id
        self.key_id = key_id
        self.audience = audience
        self.act = act
        self.purpose = purpose
        # Parsed once, so a bad key fails here rather than on the first request.
        self._private_key = (
            private_key
            if isinstance(private_key, Ed25519PrivateKey)
            else load_private_key(private_key)
        )

    @property
    def private_key(self) -> Ed25519PrivateKey:
        """The partner's private key the tokens are signed with (also signs agreements)."""
        return self._private_key

    @classmethod
    def from_key_file(
        cls, key_file: KeyFile, *, act: str | None = None, purpose: str | None = None
    ) -> PartnerAuth:
        """The auth of a loaded key file (:func:`clients.load_key_file`)."""
        return cls(
            partner_id=key_file.partner,
            key_id=key_file.kid,
            private_key=key_file.private_key,
            audience=key_file.audience,
            act=act,
            purpose=purpose,
        )

    def auth_flow(self, request: httpx.Request) -> Generator[httpx.Request, httpx.Response, None]:
        """Sign a fresh token into ``request`` (httpx calls this for every request it sends)."""
        token = sign_token(
            partner_id=self.partner_id,
            key_id=self.key_id,
            private_key=self._private_key,
            audience=self.audience,
            act=self.act,
            purpose=self.purpose,
        )
        request.headers["Authorization"] = f"Bearer {token}"
        yield request
