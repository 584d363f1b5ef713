"""Reading the signed audit log's entries: the leaf for every partner, the event per policy.

Any partner reads any sealed leaf (index, time, submitter, class, commitment) with its
inclusion proof, and so checks that the log only grows and that an entry is in it. What the
entry says about a case is its opening, released through the disclosure choke point like the
case fields it reveals (``registry.events.LOG_EVENT_FIELDS``) and access-logged like them; a
policy change's opening follows the covenant (``Disclosure.policy_log_opening``). A partner with no
relation to the case and one that relates to it but may not read those fields get the same
answer: the leaf, and no opening.

Entries of format 1 (before sealing) hold their event in the leaf itself. Their leaf is
therefore released like an opening: other partners get its hash, its inclusion proof, its
submitter and time, and not its data.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from policies import Relation
from registry.auditlog import proofs, sealing
from registry.auditlog.entries import Opened
from registry.auditlog.events import EventClass, event_class
from registry.errors import NotFoundError
from registry.models import AccessPolicy, AuditCheckpoint, SecondChanceAgreement, StoredInventory

if TYPE_CHECKING:
    from registry.request import RequestScope


@dataclass(frozen=True)
class LogOpeningView:
    """An entry's event, as released: what the partner checks against the leaf, and the
    parts of it a partner system most often wants, read from it."""

    data: str
    event_type: str
    case_id: str | None
    partner_key_id: str | None
    partner_signature: bytes | None
    signed_sha256: str | None


@dataclass(frozen=True)
class LogEntryView:
    """One entry as the caller may read it, with its inclusion proof."""

    index: int
    format: int
    #: The leaf's data; None for a format 1 entry whose event the caller may not read.
    data: str | None
    leaf_hash: bytes
    submitter: str
    appended_at: dt.datetime
    event_class: str
    opening: LogOpeningView | None
    tree_size: int
    proof: list[bytes]
    checkpoint: AuditCheckpoint | None


def _legacy_case(session: Session, event: dict[str, Any]) -> uuid.UUID | None:
    # Format 1 events name their agreement or inventory, not the case; the registry knows it.
    for key, model in (("agreement", SecondChanceAgreement), ("inventory", StoredInventory)):
        if key in event:
            found: uuid.UUID | None = session.scalar(
                select(model.case_id).where(model.id == uuid.UUID(event[key]))
            )
            return found
    return None


def _policy_municipality(session: Session, event: dict[str, Any]) -> str:
    if "municipality" in event:
        return str(event["municipality"])
    # A format 1 revocation names only the policy; policy rows are revoked, never deleted.
    found = session.scalar(
        select(AccessPolicy.municipality).where(AccessPolicy.id == event["policy"])
    )
    return found or "*"


def _released(scope: RequestScope, opened: Opened, legacy: bool) -> bool:
    session, disclosure = scope.session, scope.disclosure
    event = dict(opened.event)
    if event_class(opened.event_type) is EventClass.POLICY:
        return disclosure.policy_log_opening(
            str(event.get("issuer")), _policy_municipality(session, event)
        )
    if legacy and set(event) <= {"type", "commitment"}:
        return True  # a format 1 eviction event: a commitment, and nothing to withhold
    case_id = opened.case_id if not legacy else _legacy_case(session, event)
    if case_id is None:
        return False  # fail closed: an event of no case the registry knows
    try:
        case, relation = scope.find_case(case_id, fields=frozenset())
    except NotFoundError:
        return disclosure.log_opening(None, Relation.NONE, str(opened.event_type))
    return disclosure.log_opening(case, relation, str(opened.event_type))


def _opening_view(opened: Opened) -> LogOpeningView:
    signature = opened.signature or {}
    return LogOpeningView(
        data=opened.data.decode("utf-8"),
        event_type=str(opened.event_type),
        case_id=str(opened.case_id) if opened.case_id else None,
        partner_key_id=signature.get("keyId"),
        partner_signature=bytes.fromhex(signature["ed25519"]) if signature else None,
        signed_sha256=signature.get("signedSha256"),
    )


def read(scope: RequestScope, index: int, tree_size: int | None) -> LogEntryView:
    """Entry ``index`` with its inclusion proof in the tree of ``tree_size`` entries (default:
    the latest checkpoint), and its event if the caller may read it.

    Raises:
        ProofRequestError: the index or size lies beyond the log (invalid input).
        LogIntegrityError: the stored entry, its opening or its proof was edited (conflict).
    """
    found = proofs.entry_with_proof(scope.session, scope.log_signer, index, tree_size, scope.now)
    leaf = found.leaf
    legacy = leaf.format == sealing.LEGACY_FORMAT
    released = _released(scope, found.opened, legacy)
    return LogEntryView(
        index=leaf.index,
        format=leaf.format,
        data=None if legacy and not released else found.data.decode("utf-8"),
        leaf_hash=found.leaf_hash,
        submitter=leaf.submitter,
        appended_at=leaf.time,
        event_class=str(leaf.event_class),
        opening=_opening_view(found.opened) if released else None,
        tree_size=found.tree_size,
        proof=found.proof,
        checkpoint=found.checkpoint,
    )
