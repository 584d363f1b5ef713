"""GraphQL types of second-chance agreements, their reviews and the yearly figures."""

from __future__ import annotations

import datetime as dt

import strawberry

from registry.models import (
    AgreementKind,
    AgreementStatus,
    ConditionType,
    ConsentManner,
    PartnerKind,
    PartyKind,
)

# strawberry.enum decorates the registry's enum itself and returns it, and strawberry would
# register an undecorated enum under its class name on first use anyway: fields are annotated
# with the registry's enums. The names below are those same classes, for resolvers' imports.
AgreementKindType = strawberry.enum(AgreementKind, name="AgreementKind")
AgreementStatusType = strawberry.enum(AgreementStatus, name="AgreementStatus")
ConditionTypeType = strawberry.enum(ConditionType, name="ConditionType")
PartyKindType = strawberry.enum(PartyKind, name="PartyKind")
ConsentMannerType = strawberry.enum(ConsentManner, name="ConsentManner")


@strawberry.type(
    description=(
        "A party: an organisation with its signature over the agreement's text, or the "
        "household with who recorded its consent, and when."
    )
)
class AgreementParty:
    kind: PartyKind
    partner: str | None
    signed_at: dt.datetime | None
    key_id: str | None
    signature: str | None = strawberry.field(description="Ed25519 signature, base64.")
    consented_on: dt.date | None
    consent_recorded_by: str | None
    consent_recorded_at: dt.datetime | None
    consent_manner: ConsentManner | None = strawberry.field(
        description="How the household consented: in person, on paper or digitally."
    )


@strawberry.type(description="A condition, and whether its latest recorded check found it met.")
class AgreementCondition:
    number: int
    type: ConditionType
    support_kind: PartnerKind | None
    text: str | None
    last_check_met: bool | None


@strawberry.type(description="One condition's check at a review.")
class ConditionCheck:
    condition: int
    met: bool
    note: str | None


@strawberry.type(description="A scheduled review; its checks once recorded.")
class AgreementReview:
    number: int
    due_on: dt.date
    recorded_at: dt.datetime | None
    recorded_by: str | None
    checks: list[ConditionCheck]


@strawberry.type(
    description=(
        "A second-chance agreement (woonkansovereenkomst) as released to you. Fields the "
        "access policies withhold are null; `withheld` names their policy fields "
        "(agreementKind, agreementStatus, agreementParties, agreementConditions, "
        "agreementTerm, agreementReviews, agreementText, agreementLog)."
    )
)
class Agreement:
    id: strawberry.ID
    case_id: strawberry.ID
    withheld: list[str]
    kind: AgreementKind | None
    status: AgreementStatus | None
    proposed_by: str | None
    proposed_at: dt.datetime | None
    activated_at: dt.datetime | None
    closed_at: dt.datetime | None
    parties: list[AgreementParty] | None
    conditions: list[AgreementCondition] | None
    term_start: dt.date | None
    term_end: dt.date | None
    review_interval_days: int | None
    reviews: list[AgreementReview] | None
    broken_conditions: list[int] | None = strawberry.field(
        description="Numbers of the conditions whose latest check found them not met."
    )
    text: str | None = strawberry.field(
        description="The canonical text each party organisation signs (its UTF-8 bytes)."
    )
    text_sha256: str | None
    log_indexes: list[int] | None = strawberry.field(
        description="The indexes of this agreement's entries in the signed audit log."
    )


@strawberry.type(description="A review that is due soon, or overdue.")
class DueReview:
    agreement_id: strawberry.ID
    case_id: strawberry.ID
    review: int
    due_on: dt.date
    overdue: bool


@strawberry.type(
    description=(
        "One year's applications (by the year proposed) and how they went. Counts are null "
        "and `suppressed` is true when the year has too few applications to show safely."
    )
)
class AgreementYearFigures:
    year: int
    suppressed: bool
    applications: int | None
    agreements_made: int | None
    agreement_rate: float | None
    running: int | None
    completed: int | None
    breached: int | None
    ended_otherwise: int | None
    success_rate: float | None = strawberry.field(
        description=("Completed agreements as a share of those ended; null while most still run.")
    )


@strawberry.input(description="A condition: `supportKind` for accept_support, `text` for other.")
class ConditionInput:
    type: ConditionType
    support_kind: PartnerKind | None = None
    text: str | None = None


@strawberry.input(
    description=(
        "A proposed agreement: the party organisations (the case's corporation among them; "
        "the household is always a party), the conditions, the term and the review rhythm."
    )
)
class ProposeAgreementInput:
    case_id: strawberry.ID
    kind: AgreementKind
    parties: list[str]
    conditions: list[ConditionInput]
    term_start: dt.date
    term_end: dt.date
    review_interval_days: int


@strawberry.input(description="One condition's check at a review.")
class ConditionCheckInput:
    condition: int
    met: bool
    note: str | None = None


@strawberry.type(
    description=(
        "A second-chance agreement as the household reads it, in Dutch, rendered from the "
        "signed canonical text; `textSha256` is that text's SHA-256, printed in the document."
    )
)
class AgreementDocument:
    agreement_id: strawberry.ID
    text_sha256: str = strawberry.field(
        description="SHA-256 (hex) of the signed text: what every signature covers."
    )
    html: str | None = strawberry.field(description="A standalone HTML page (UTF-8).")
    pdf_base64: str | None = strawberry.field(description="A PDF, base64-encoded.")
