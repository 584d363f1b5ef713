"""Checking a partner's Ed25519 signature against the keys it registered (``partner_key``).

Partners sign what they commit to with the same keys they sign their request tokens with:
the agreement text they agree to, an event they submit to the audit log. A key counts only
while it is registered to that partner and not revoked.
"""

from __future__ import annotations

import base64
import binascii

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from sqlalchemy.orm import Session

from registry.errors import InvalidInputError
from registry.models import PartnerKey

SIGNATURE_BYTES = 64


def decode_signature(text: str) -> bytes:
    """A signature from its base64 text (standard or URL-safe alphabet, padding optional)."""
    cleaned = text.strip().replace("-", "+").replace("_", "/")
    try:
        raw = base64.b64decode(cleaned + "=" * (-len(cleaned) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise InvalidInputError("signature is not base64") from None
    if len(raw) != SIGNATURE_BYTES:
        raise InvalidInputError(
            f"signature is {len(raw)} bytes; an Ed25519 signature is {SIGNATURE_BYTES}"
        )
    return raw


def verify(
    session: Session, partner_id: str, key_id: str, signature: bytes, message: bytes, what: str
) -> None:
    """Check that ``signature`` is ``partner_id``'s signature over ``message``.

    ``what`` names the signed thing in the error ("this agreement's text").

    Raises:
        InvalidInputError: the key is unknown, revoked or another partner's, or the signature
            does not verify over ``message``.
    """
    key = session.get(PartnerKey, key_id)
    if key is None or key.partner_id != partner_id or key.revoked_at is not None:
        raise InvalidInputError(f"key {key_id!r} is not a registered key of {partner_id}")
    public_key = load_pem_public_key(key.public_key_pem.encode())
    # Keys are checked to be Ed25519 when registered; a row edited since is refused too.
    if not isinstance(public_key, Ed25519PublicKey):
        raise InvalidInputError(f"key {key_id!r} is not an Ed25519 key")
    try:
        public_key.verify(signature, message)
    except InvalidSignature:
        raise InvalidInputError(
            f"the signature by {partner_id} (key {key_id}) does not verify over {what}"
        ) from None
