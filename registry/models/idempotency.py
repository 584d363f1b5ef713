"""Outcomes of mutations sent with an ``Idempotency-Key``, kept so that a retry is answered
with the same result instead of doing the work again."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from registry.coltypes import Timestamp
from registry.db import Base

#: The longest key accepted (the IETF draft leaves it open; a UUID is 36 characters).
KEY_LENGTH = 255


class IdempotentRequest(Base):
    """One partner's mutation under one key: what was asked (as a fingerprint) and what was
    answered. Keys are per partner, so no partner can see or block another's.

    The stored answer holds what the mutation returned, personal data included: it is kept
    only for the retention period (``Settings.idempotency_retention_hours``) and then purged.
    """

    __tablename__ = "idempotent_request"

    partner_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    key: Mapped[str] = mapped_column(String(KEY_LENGTH), primary_key=True)
    #: SHA-256 (hex) of the request's query, variables and operation name.
    fingerprint: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[Timestamp] = mapped_column(index=True)
    #: None while the first request under the key is still running (its transaction holds
    #: the row, so a concurrent retry waits for it rather than seeing this).
    status_code: Mapped[int | None]
    response: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    #: What the answer disclosed, per case ({case, disclosed, withheld}): a retry that is
    #: answered from here is access-logged like the first answer.
    disclosures: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
