"""One-time pickup codes: made, stored only as a hash, and checked.

A code is 8 characters of Crockford's base32 (no I, L, O or U, so it is read out and typed
without confusion), shown as ``XXXX-XXXX``: 40 random bits. Guessing at the door is stopped by
the throttle (``registry.inventory.pickup_codes.MAX_WRONG_CODES`` wrong tries per inventory),
so what the hash must withstand is a copy of the database. It is an Argon2id hash with its own
salt rather than an HMAC under a server key: the registry has no secret of that kind to keep
and rotate apart from its database (its log key signs; it must not double as a MAC key), and
with OWASP's minimum Argon2id cost one guess costs tens of milliseconds and 19 MiB, so a
40-bit code is out of reach in the days a code lives before it is used or replaced. Checking a
code takes one such hash, which the throttle also bounds.
"""

from __future__ import annotations

import datetime as dt
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from registry.models import PickupRequest, StoredInventory

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
LENGTH = 8
#: What people mistype for what they mean, in Crockford's reading.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
# OWASP's minimum for Argon2id: 19 MiB, two passes, one lane.
_HASHER = PasswordHasher(time_cost=2, memory_cost=19456, parallelism=1)
#: Checked against when there is no code, so that the answer takes as long either way.
_NO_CODE = _HASHER.hash(secrets.token_hex(16))


def new_code() -> str:
    """A fresh random code, as shown to the municipality (``XXXX-XXXX``)."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return f"{raw[:4]}-{raw[4:]}"


def normalise(text: str) -> str | None:
    """The code's characters as they were made (upper case, no hyphens or spaces, O read as
    0, I and L as 1), or None when ``text`` cannot be a code."""
    raw = "".join(text.split()).replace("-", "").upper().translate(_READ_AS)
    if len(raw) != LENGTH or any(c not in ALPHABET for c in raw):
        return None
    return raw


def hash_code(code: str) -> str:
    """The stored form of a code (an Argon2id hash with its own salt)."""
    raw = normalise(code)
    assert raw is not None  # a code this module made
    return _HASHER.hash(raw)


def matches(stored: str | None, raw: str) -> bool:
    """Whether the normalised code ``raw`` is the one ``stored`` holds (None: no code, never)."""
    try:
        return _HASHER.verify(stored or _NO_CODE, raw) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def issue(inventory_row: StoredInventory, pickup: PickupRequest, now: dt.datetime) -> str:
    """Make the released ``pickup``'s code (replacing any earlier one), reset the inventory's
    wrong attempts, and return the code: the only time it exists outside a hash."""
    code = new_code()
    pickup.pickup_code_hash = hash_code(code)
    pickup.pickup_code_issued_at, pickup.pickup_code_accepted_at = now, None
    inventory_row.pickup_code_failures = 0
    return code
