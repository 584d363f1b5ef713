"""Queries and mutations on second-chance agreements, their reviews and figures."""

from __future__ import annotations

import base64
import datetime as dt
from typing import cast

import strawberry

from registry.agreements import document as agreement_documents
from registry.agreements import figures as agreement_figures
from registry.agreements import proposals as agreement_proposals
from registry.agreements import reviews as agreement_reviews
from registry.agreements import service as agreements
from registry.agreements.fields import policy_fields_of
from registry.models import AgreementStatus, ConsentManner
from registry.partners.signatures import decode_signature
from schema.context import Info, scope_of, selected_fields
from schema.types.agreement import (
    Agreement,
    AgreementDocument,
    AgreementYearFigures,
    ConditionCheckInput,
    DueReview,
    ProposeAgreementInput,
)


def _requested(info: Info) -> frozenset[str]:
    return policy_fields_of(selected_fields(info))


@strawberry.type
class AgreementQuery:
    @strawberry.field(description="One agreement, if you may see its case (otherwise: NOT_FOUND).")
    def agreement(self, info: Info, id: strawberry.ID) -> Agreement:
        return cast(Agreement, agreements.get(scope_of(info), id, _requested(info)))

    @strawberry.field(
        description=(
            "The agreement as a readable Dutch document (HTML and PDF) with the SHA-256 of "
            "its signed text, for a partner that may read its terms, parties and text "
            "(otherwise: NOT_FOUND)."
        )
    )
    def agreement_document(self, info: Info, id: strawberry.ID) -> AgreementDocument:
        wanted = selected_fields(info)
        found = agreement_documents.document(
            scope_of(info), id, html="html" in wanted, pdf="pdfBase64" in wanted
        )
        return AgreementDocument(
            agreement_id=strawberry.ID(found.agreement_id),
            text_sha256=found.text_sha256,
            html=found.html,
            pdf_base64=None if found.pdf is None else base64.b64encode(found.pdf).decode(),
        )

    @strawberry.field(
        description=(
            "The newest agreements of the cases you relate to; `brokenOnly`: those with a "
            "condition whose latest check was not met."
        )
    )
    def agreements(
        self,
        info: Info,
        case_id: strawberry.ID | None = None,
        status: AgreementStatus | None = None,
        broken_only: bool = False,
        first: int = 50,
    ) -> list[Agreement]:
        views = agreements.list_agreements(
            scope_of(info),
            case_id=case_id,
            status=status,
            broken_only=broken_only,
            first=first,
            requested=_requested(info),
        )
        return cast(list[Agreement], views)

    @strawberry.field(
        description="Reviews not yet recorded that are due within `withinDays`, or overdue."
    )
    def agreement_reviews_due(self, info: Info, within_days: int = 14) -> list[DueReview]:
        due = agreement_reviews.due_reviews(scope_of(info), within_days)
        return cast(list[DueReview], due)

    @strawberry.field(description="Yearly agreement figures of a municipality you work in.")
    def agreement_figures(
        self, info: Info, municipality: str, from_year: int, to_year: int
    ) -> list[AgreementYearFigures]:
        figures = agreement_figures.yearly(scope_of(info), municipality, from_year, to_year)
        return [
            AgreementYearFigures(
                year=f.year,
                suppressed=f.suppressed,
                applications=f.applications,
                agreements_made=f.agreements_made,
                agreement_rate=f.agreement_rate,
                running=f.running,
                completed=f.completed,
                breached=f.breached,
                ended_otherwise=f.ended_otherwise,
                success_rate=f.success_rate,
            )
            for f in figures
        ]


@strawberry.type
class AgreementMutation:
    @strawberry.mutation(description="Propose a second-chance agreement for a case.")
    def propose_agreement(self, info: Info, input: ProposeAgreementInput) -> Agreement:
        draft = agreement_proposals.AgreementDraft(
            case_id=input.case_id,
            kind=input.kind,
            parties=list(input.parties),
            conditions=[
                agreement_proposals.ConditionDraft(c.type, c.support_kind, c.text)
                for c in input.conditions
            ],
            term_start=input.term_start,
            term_end=input.term_end,
            review_interval_days=input.review_interval_days,
        )
        return cast(Agreement, scope_of(info).mutate(agreement_proposals.propose, draft))

    @strawberry.mutation(
        description=(
            "Sign an agreement as a party organisation: an Ed25519 signature (base64) over "
            "the UTF-8 bytes of its `text`, made with your registered key `keyId`."
        )
    )
    def sign_agreement(
        self, info: Info, id: strawberry.ID, key_id: str, signature: str
    ) -> Agreement:
        view = scope_of(info).mutate(agreements.sign, id, key_id, decode_signature(signature))
        return cast(Agreement, view)

    @strawberry.mutation(
        description=(
            "Record the household's consent to a proposed agreement, and how it was given "
            "(`manner`: in person, on paper or digitally)."
        )
    )
    def record_household_consent(
        self,
        info: Info,
        id: strawberry.ID,
        consented_on: dt.date,
        manner: ConsentManner | None = None,
    ) -> Agreement:
        view = scope_of(info).mutate(agreements.record_consent, id, consented_on, manner)
        return cast(Agreement, view)

    @strawberry.mutation(description="Record a review: one check per condition.")
    def record_agreement_review(
        self, info: Info, id: strawberry.ID, review: int, checks: list[ConditionCheckInput]
    ) -> Agreement:
        drafts = [agreement_reviews.CheckDraft(c.condition, c.met, c.note) for c in checks]
        view = scope_of(info).mutate(agreement_reviews.record_review, id, review, drafts)
        return cast(Agreement, view)

    @strawberry.mutation(description="Close an agreement: completed, breached or ended otherwise.")
    def close_agreement(
        self,
        info: Info,
        id: strawberry.ID,
        outcome: AgreementStatus,
    ) -> Agreement:
        return cast(Agreement, scope_of(info).mutate(agreements.close, id, outcome))
