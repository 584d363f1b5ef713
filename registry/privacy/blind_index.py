"""Keyed blind indexes: find a sealed household by an exact value without opening anything.

A household's identity and contact details are sealed under its case's key (``keys``), so SQL
cannot compare them. Two indexes are kept beside them on ``case_contact``:

- ``address_index``: the home's exact address, postal code + house number (+ addition), for
  the municipality's front desk (``registry.privacy.lookup``);
- ``identity_index``: the household, its name at that address, for its access report across
  all its cases (``registry.privacy.household``). The record has no citizen service number
  (BSN) and no date of birth, and a name alone is no identity (two "J. de Vries" are two
  households), so the name is bound to the address; a household that moved is found per
  address.

Each is HMAC-SHA256 over the normalised value, keyed by a key derived with HKDF-SHA256 from
the deployment's key-encryption key, with an ``info`` label of its own per index, so neither
digest says anything about the other, nor about the sealed values. Why keyed and not a plain
hash: the Netherlands has some 9 million addresses (about 460,000 postal codes times a few
dozen house numbers), which anyone can hash in seconds; a SHA-256 of an address in a stolen
database or backup would be as good as the address. Without the key, which lives outside the
database like the KEK it comes from, a digest is a random string. In a backup taken before an
erasure the digest stays, but so does the wrapped data key that opens the values themselves:
the index exposes nothing that backup does not.

The digests are written wherever a contact is written (registration, a correction, the demo,
an import): a flush hook recomputes them when a contact's name, address or postal code was
set, so no write path can forget. ``reindex`` fills them for contacts written before (after
migration 0016, or with another key).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session

from registry.privacy.keys import KeyEncryptionKey, current

if TYPE_CHECKING:
    from registry.models.case import CaseContact


class IndexKind(StrEnum):
    """Which index a digest belongs to; each has a key of its own."""

    ADDRESS = "address"
    IDENTITY = "identity"


#: HKDF ``info`` labels: one key per index, and a new label (a new version) if the
#: normalisation ever changes, so old and new digests never compare equal by accident.
_LABELS = {
    IndexKind.ADDRESS: b"ketenregister/blind-index/address/v1",
    IndexKind.IDENTITY: b"ketenregister/blind-index/identity/v1",
}
_SEPARATOR = b"\x1f"  # cannot occur in a normalised part (letters, digits and spaces only)
_POSTAL_CODE = re.compile(r"([1-9][0-9]{3})\s*([A-Z]{2})")
_ADDITION = re.compile(r"[A-Z0-9]{1,6}")
# The street line is what precedes the first comma ("Proefweg 12-A, Zaandam"); the house
# number is the last run of digits after a space in it, optionally followed by one addition
# ("12A", "12-A", "12 A", "12-2", "12 hs"); greedy, so "Plein 1944 12" is number 12.
_STREET_LINE = re.compile(
    r"(?P<street>.*\S)\s+(?P<number>[0-9]{1,5})(?:\s*[-/]?\s*(?P<addition>[A-Za-z0-9]{1,6}))?"
)
_SEALED_INPUTS = {"name", "address", "postal_code"}
_STORED_INPUTS = ("sealed_name", "sealed_address", "sealed_postal_code")


class AddressError(ValueError):
    """A postal code, house number or addition that no Dutch address has."""


@dataclass(frozen=True)
class ExactAddress:
    """A home's address as the index compares it: postal code ``1234AB``, house number, and
    addition in capitals without separators (``""`` for none)."""

    postal_code: str
    house_number: int
    addition: str = ""

    @classmethod
    def of(cls, postal_code: str, house_number: int, addition: str | None = None) -> ExactAddress:
        """The exact address of what a caller typed; ``AddressError`` names what is wrong."""
        match = _POSTAL_CODE.fullmatch(postal_code.strip().upper())
        if match is None:
            raise AddressError(f"{postal_code!r} is not a Dutch postal code (1234 AB)")
        if not 1 <= house_number <= 99999:
            raise AddressError("a house number lies between 1 and 99999")
        extra = re.sub(r"[^A-Z0-9]", "", (addition or "").upper())
        if extra and not _ADDITION.fullmatch(extra):
            raise AddressError("a house number addition is at most 6 letters or digits")
        return cls(match[1] + match[2], house_number, extra)

    def canonical(self) -> bytes:
        """The bytes the address index is computed over."""
        return _SEPARATOR.join(
            (self.postal_code.encode(), str(self.house_number).encode(), self.addition.encode())
        )


def address_of(address: str, postal_code: str) -> ExactAddress | None:
    """The exact address of a stored contact (its address text and postal code), or None
    when they hold no valid postal code or no house number: such a home is not indexed."""
    line = address.split(",", 1)[0].strip()
    match = _STREET_LINE.fullmatch(line)
    if match is None:
        return None
    try:
        return ExactAddress.of(postal_code, int(match["number"]), match["addition"])
    except AddressError:
        return None


def normalised_name(name: str) -> str:
    """A name as the identity index compares it: accents dropped, case folded, punctuation
    read as a space, spaces collapsed ("J. de Vriés" and "j de vries" are one name)."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    return " ".join(re.sub(r"[\W_]+", " ", plain).split())


@lru_cache(maxsize=8)
def _key(kek: KeyEncryptionKey, kind: IndexKind) -> bytes:
    # Derived once per process and index; a KEK hashes by identity, so a new one derives anew.
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_LABELS[kind]).derive(kek.key)


def _digest(kind: IndexKind, message: bytes, kek: KeyEncryptionKey | None) -> bytes:
    return hmac.new(_key(kek or current(), kind), message, hashlib.sha256).digest()


def address_digest(address: ExactAddress, kek: KeyEncryptionKey | None = None) -> bytes:
    """The address index's digest of ``address`` (under this process's KEK by default)."""
    return _digest(IndexKind.ADDRESS, address.canonical(), kek)


def identity_digest(
    name: str, address: ExactAddress, kek: KeyEncryptionKey | None = None
) -> bytes | None:
    """The identity index's digest of the household ``name`` at ``address``; None for a
    name with nothing to compare (only punctuation)."""
    normal = normalised_name(name)
    if not normal:
        return None
    return _digest(IndexKind.IDENTITY, normal.encode() + _SEPARATOR + address.canonical(), kek)


def index_contact(contact: CaseContact) -> bool:
    """Set ``contact``'s digests from its current values; whether they changed."""
    address, identity = digests(contact.name, contact.address, contact.postal_code)
    changed = (contact.address_index, contact.identity_index) != (address, identity)
    if changed:
        contact.address_index, contact.identity_index = address, identity
    return changed


def digests(name: str, address: str, postal_code: str) -> tuple[bytes | None, bytes | None]:
    """The address and identity digests of a contact with these values (None for a home that
    is not indexed): what ``index_contact`` sets, and what a bulk write stores as it is."""
    exact = address_of(address, postal_code)
    if exact is None:
        return None, None
    return address_digest(exact), identity_digest(name, exact)


def _inputs_changed(obj: Any) -> bool:
    # Before the sealing hook ran the new values are pending; after it, the stored columns
    # changed. Either way, only a new name, address or postal code needs new digests.
    if _SEALED_INPUTS & set(obj.__dict__.get("_sealed_pending", {})):
        return True
    state = inspect(obj)
    return any(state.attrs[name].history.has_changes() for name in _STORED_INPUTS)


@event.listens_for(Session, "before_flush")
def _index_before_flush(session: Session, _context: Any, _instances: Any) -> None:
    from registry.models.case import CaseContact  # here: the models import this package

    for obj in [*session.new, *session.dirty]:
        if isinstance(obj, CaseContact) and (obj in session.new or _inputs_changed(obj)):
            index_contact(obj)
