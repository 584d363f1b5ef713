"""The fields of a second-chance agreement a policy can release, each declared once.

Policies name agreement data in a few coarse fields: ``agreementTerm`` fills ``termStart``,
``termEnd`` and ``reviewIntervalDays``. Readers get the agreement (parties, conditions and
reviews loaded) and the indexes of its entries in the signed audit log.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence

from registry.access.fields import FieldGroup, ReleasedField, ReleasedFields
from registry.agreements.text import agreement_text, text_sha256
from registry.agreements.views import (
    CheckView,
    ConditionView,
    PartyView,
    ReviewView,
    last_checks,
)
from registry.models import SecondChanceAgreement

#: The group of what a party organisation needs to sign an agreement and keep to it.
TERMS = frozenset({FieldGroup.AGREEMENT_TERMS})


def _parties(agreement: SecondChanceAgreement, _: Sequence[int]) -> list[PartyView]:
    return [
        PartyView(
            kind=p.kind,
            partner=p.partner_id,
            signed_at=p.signed_at,
            key_id=p.key_id,
            signature=base64.b64encode(p.signature).decode() if p.signature else None,
            consented_on=p.consented_on,
            consent_recorded_by=p.consent_recorded_by,
            consent_recorded_at=p.consent_recorded_at,
            consent_manner=p.consent_manner,
        )
        for p in agreement.parties
    ]


def _conditions(agreement: SecondChanceAgreement, _: Sequence[int]) -> list[ConditionView]:
    latest = last_checks(agreement)
    return [
        ConditionView(c.number, c.type, c.support_kind, c.text, latest.get(c.number))
        for c in agreement.conditions
    ]


def _reviews(agreement: SecondChanceAgreement, _: Sequence[int]) -> list[ReviewView]:
    return [
        ReviewView(
            r.number,
            r.due_on,
            r.recorded_at,
            r.recorded_by,
            [CheckView(c.condition_number, c.met, c.note) for c in r.checks],
        )
        for r in agreement.reviews
    ]


def _broken_conditions(agreement: SecondChanceAgreement, _: Sequence[int]) -> list[int]:
    return sorted(number for number, met in last_checks(agreement).items() if not met)


#: A case's second-chance agreements (woonkansovereenkomsten), in a few coarse fields.
AGREEMENT_FIELDS: ReleasedFields[SecondChanceAgreement, Sequence[int]] = ReleasedFields(
    ReleasedField(
        "agreementKind",
        "stay, rehouse or omklapwoning",
        {"kind": lambda a, _: a.kind},
        TERMS,
        description_nl="blijven, herhuisvesten of omklapwoning",
    ),
    ReleasedField(
        "agreementStatus",
        "proposed, active, completed, breached or ended otherwise, and when",
        {
            "status": lambda a, _: a.status,
            "proposed_by": lambda a, _: a.proposed_by,
            "proposed_at": lambda a, _: a.proposed_at,
            "activated_at": lambda a, _: a.activated_at,
            "closed_at": lambda a, _: a.closed_at,
        },
        TERMS,
        description_nl=(
            "voorgesteld, actief, afgerond, geschonden of anderszins beëindigd, en wanneer"
        ),
    ),
    ReleasedField(
        "agreementParties",
        "the parties, their signatures and the household's recorded consent",
        {"parties": _parties},
        TERMS,
        description_nl=(
            "de partijen, hun handtekeningen en de vastgelegde toestemming van het huishouden"
        ),
    ),
    ReleasedField(
        "agreementConditions",
        "the conditions: type, whose support is accepted, explanation",
        {"conditions": _conditions},
        TERMS,
        description_nl="de voorwaarden: soort, wiens ondersteuning wordt aanvaard, toelichting",
    ),
    ReleasedField(
        "agreementTerm",
        "the term's start and end and the review interval",
        {
            "term_start": lambda a, _: a.term_start,
            "term_end": lambda a, _: a.term_end,
            "review_interval_days": lambda a, _: a.review_interval_days,
        },
        TERMS,
        description_nl="begin en einde van de looptijd en de evaluatietermijn",
    ),
    ReleasedField(
        "agreementReviews",
        "the reviews: due dates and each condition's check (met, note)",
        {"reviews": _reviews, "broken_conditions": _broken_conditions},
        description_nl=(
            "de evaluaties: vervaldata en per voorwaarde de toetsing (nagekomen, notitie)"
        ),
    ),
    ReleasedField(
        "agreementText",
        "the canonical text the party organisations sign",
        {
            "text": lambda a, _: agreement_text(a),
            "text_sha256": lambda a, _: text_sha256(a),
        },
        TERMS,
        description_nl="de vastgestelde tekst die de partijorganisaties ondertekenen",
    ),
    ReleasedField(
        "agreementLog",
        "where the agreement's events are in the signed audit log",
        {"log_indexes": lambda _, indexes: list(indexes)},
        description_nl=(
            "waar de gebeurtenissen van de overeenkomst in het ondertekende auditlog staan"
        ),
    ),
)

#: The policy fields behind the GraphQL fields selected of an agreement.
policy_fields_of = AGREEMENT_FIELDS.policy_fields_of
