"""Telling an agreement's parties: whom its events are addressed to, and what their webhooks
name (the notice that a review fell due is announced by ``agreements.reviews.announce_due``).

Every agreement event is addressed to each party organisation, whatever its field policies
say, as long as it still relates to the case (the notification channel fails closed: a party
released from the case is no longer told); others are told as the policies let them read the
field the event reveals. The household is a party too, but has no webhook: its partners tell
it. A webhook names the agreement, and the review, by id and number only.
"""

from __future__ import annotations

import uuid

from registry.models import SecondChanceAgreement


def party_ids(agreement: SecondChanceAgreement) -> list[str]:
    """The party organisations of an agreement (its parties loaded), in the order it lists
    them: the addressees of its events."""
    return [p.partner_id for p in agreement.parties if p.partner_id is not None]


def detail(agreement_id: uuid.UUID, review: int | None = None) -> dict[str, str | int]:
    """What an agreement event's webhook names beyond the case: ids and numbers only."""
    named: dict[str, str | int] = {"agreementId": str(agreement_id)}
    if review is not None:
        named["review"] = review
    return named
