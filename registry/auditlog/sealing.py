"""Sealed entries: the leaf every partner reads commits to an event it does not reveal.

Since entry format 2 a leaf is the canonical JSON of::

    {"v": 2, "index": 17, "time": "2026-11-02T10:03:00.000Z", "submitter": "zowonen",
     "class": "case", "commitment": "<hex SHA-256 of the opening>"}

and the event itself is its *opening*, stored apart (``audit_log_opening``)::

    {"event": {"type": "eviction.scheduled", "case": "<id>", "evictionDate": "...", ...},
     "salt": "<64 hex digits>",
     "signature": {"keyId": "...", "ed25519": "<hex>", "signedSha256": "<hex>"}}

(``signature`` only when the submitter signed). The registry releases an opening per policy
field through the disclosure choke point (``registry.access.log_entries``); whoever is shown one
checks ``SHA-256(opening) == commitment`` and the leaf's inclusion proof, offline.

**A salted hash, not a keyed one.** A keyed hash (HMAC under a registry secret) hides the event
as well, but only the key holder can check an opening against it: partners would have to take
the registry's word for what an entry says. A salted hash is checked by anyone shown the
opening, with nothing but the leaf. The salt is 256 random bits drawn for every entry
(``secrets``), which is what makes the hash hiding:

* an event has little entropy ("closed as breached"), so an unsalted or shared-salt hash could
  be opened by trying the few candidates; with a fresh salt no guess can be tested;
* two equal events get unrelated commitments, so leaves cannot be matched to each other;
* deleting an opening (a household's erasure) leaves a commitment nobody can ever open, while
  the tree, its proofs and every checkpoint stay valid.

Binding rests on SHA-256's collision resistance: the registry cannot show two different
openings for one leaf. Format 1 leaves (written before sealing) hold the event itself;
``entries`` reads both.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Mapping
from typing import Any

from registry.auditlog.canonical import CanonicalFormError, canonical_json
from registry.auditlog.events import EventClass

#: The entry format written now; verifiers read ``v`` from every leaf.
FORMAT = 2
#: Leaves written before sealing: the event in the clear.
LEGACY_FORMAT = 1
SALT_BYTES = 32

# What a string in a logged event may look like: an id, a code, a date or time, a hash. No
# spaces, no '@', at most 100 characters: the shape of names, addresses, e-mail addresses and
# notes is refused, so free text cannot slip into the log even by a service's mistake.
_CLOSED_STRING = re.compile(r"[A-Za-z0-9*][A-Za-z0-9_.:*-]{0,99}")


class FreeTextError(CanonicalFormError):
    """A logged event holds a string that is no id, code, date or hash."""


def check_closed(value: Any, path: str = "event") -> None:
    """Refuse anything but ids, codes, dates, numbers, booleans and hashes in ``value``.

    Raises:
        FreeTextError: naming where the free text is (never echoing it: it may be personal).
    """
    if isinstance(value, str):
        if not _CLOSED_STRING.fullmatch(value):
            raise FreeTextError(
                f"{path} is not an id, code, date or hash: the signed log takes no free text"
            )
    elif isinstance(value, Mapping):
        for key, item in value.items():
            check_closed(item, f"{path}.{key}")
    elif isinstance(value, list | tuple):
        for number, item in enumerate(value):
            check_closed(item, f"{path}[{number}]")


def commitment(opening: bytes) -> str:
    """The commitment a leaf holds to ``opening``: its SHA-256, in hex."""
    return hashlib.sha256(opening).hexdigest()


def seal(event: Mapping[str, Any], signature: Mapping[str, str] | None = None) -> bytes:
    """The opening of a new entry: the event, a fresh salt, and the submitter's signature.

    Raises:
        FreeTextError: the event holds free text.
        CanonicalFormError: the event has no canonical form.
    """
    check_closed(event)
    opening: dict[str, Any] = {"event": dict(event), "salt": secrets.token_hex(SALT_BYTES)}
    if signature is not None:
        opening["signature"] = dict(signature)
    return canonical_json(opening)


def leaf(
    index: int, time: str, submitter: str, event_class: EventClass, sealed: str
) -> dict[str, Any]:
    """The leaf of a sealed entry: nothing of the event but its class and commitment."""
    return {
        "v": FORMAT,
        "index": index,
        "time": time,
        "submitter": submitter,
        "class": str(event_class),
        "commitment": sealed,
    }
