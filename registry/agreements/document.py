"""The readable agreement: a second-chance agreement as the household reads it, in Dutch.

What the document says the parties agreed to (kind, parties, conditions, term and the reviews
that follow from it) is read from the agreement's canonical text, the very text the party
organisations sign (``registry.agreements.text``), never from the rows beside it; and the
document prints that text's SHA-256, so anyone can check the paper against the signatures and
the signed audit log. Who signed when, and how the household consented, are the acts that
followed the text, read from the parties' rows.

The document is released through the disclosure choke point like the agreement: only to a
partner that may read every field it shows (``DOCUMENT_FIELDS``); to any other it is answered
exactly like an agreement that does not exist.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import select

from registry.agreements import service as agreements
from registry.agreements.rendering import to_html, to_pdf
from registry.agreements.service import review_dates
from registry.agreements.text import agreement_text
from registry.errors import NotFoundError
from registry.models import Partner, PartyKind, SecondChanceAgreement

if TYPE_CHECKING:
    from registry.request import RequestScope

#: What the document shows: a partner must be allowed to read every one of these.
DOCUMENT_FIELDS = frozenset(
    {
        "agreementStatus",
        "agreementKind",
        "agreementParties",
        "agreementConditions",
        "agreementTerm",
        "agreementText",
    }
)

_MONTHS = (
    "januari",
    "februari",
    "maart",
    "april",
    "mei",
    "juni",
    "juli",
    "augustus",
    "september",
    "oktober",
    "november",
    "december",
)
KINDS = {
    "stay": "U blijft wonen in uw huidige woning.",
    "rehouse": "U verhuist naar een andere woning van de woningcorporatie.",
    "omklapwoning": (
        "Omklapwoning: een zorgaanbieder huurt de woning eerst; later komt het huurcontract op "
        "uw naam."
    ),
}
STATUSES = {
    "proposed": "voorgesteld: nog niet door alle partijen ondertekend",
    "active": "van kracht",
    "completed": "afgerond: de afspraken zijn nagekomen",
    "breached": "beëindigd: de afspraken zijn niet nagekomen",
    "ended_otherwise": "op een andere manier beëindigd",
}
CONDITIONS = {
    "pay_rent_on_time": "U betaalt de huur elke maand op tijd.",
    "daytime_activities": "U neemt deel aan dagbesteding.",
    "no_nuisance": "U veroorzaakt geen overlast.",
    "accept_support": "U accepteert ondersteuning van {support}.",
    "other": "Aanvullende afspraak.",
}
SUPPORT = {
    "municipality": "de gemeente",
    "district_team": "het wijkteam",
    "credit_bank": "de kredietbank of budgetadvies",
    "welfare": "een welzijnsorganisatie",
    "care": "een zorgorganisatie",
    "woonkans": "Bureau Woonkans",
    "corporation": "de woningcorporatie",
    "shelter": "de opvang",
}
MANNERS = {
    "in_person": "mondeling, in een gesprek",
    "on_paper": "op papier ondertekend",
    "digitally": "digitaal",
}


def dutch_date(day: dt.date) -> str:
    """``3 december 2026``."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


@dataclass(frozen=True)
class ReadableAgreement:
    """Everything the document shows, in Dutch, with the SHA-256 of the signed text."""

    agreement_id: str
    status: str
    kind: str
    #: (name, partner id, "ondertekend op ..." or "nog niet ondertekend")
    organisations: list[tuple[str, str, str]]
    household: str
    conditions: list[str]
    term: str
    reviews: str
    review_dates: list[str]
    document_format: str
    text_sha256: str


def _condition(entry: dict[str, Any]) -> str:
    line = CONDITIONS.get(entry["type"], entry["type"])
    if "supportFrom" in entry:
        line = line.format(support=SUPPORT.get(entry["supportFrom"], entry["supportFrom"]))
    if entry.get("text"):
        line += f" {entry['text']}"
    return f"{entry['number']}. {line}"


def readable(agreement: SecondChanceAgreement, names: dict[str, str]) -> ReadableAgreement:
    """The document's content: the agreed terms from the signed canonical text, the acts that
    followed it from the parties' rows; ``names`` maps partner ids to their names."""
    text = agreement_text(agreement)
    signed = json.loads(text)
    acts = {p.partner_id: p for p in agreement.parties if p.kind is PartyKind.ORGANISATION}
    organisations = []
    for partner_id in signed["parties"]["organisations"]:
        party = acts.get(partner_id)
        when = party.signed_at if party is not None else None
        state = f"ondertekend op {dutch_date(when.date())}" if when else "nog niet ondertekend"
        organisations.append((names.get(partner_id, partner_id), partner_id, state))
    household = next((p for p in agreement.parties if p.kind is PartyKind.HOUSEHOLD), None)
    if household is None or household.consented_on is None:
        consent = "Het huishouden heeft nog niet ingestemd."
    else:
        how = MANNERS.get(str(household.consent_manner), "")
        consent = f"Het huishouden heeft ingestemd op {dutch_date(household.consented_on)}" + (
            f" ({how})." if how else "."
        )
    term = signed["term"]
    start, end = dt.date.fromisoformat(term["start"]), dt.date.fromisoformat(term["end"])
    interval = int(term["reviewIntervalDays"])
    return ReadableAgreement(
        agreement_id=signed["agreement"],
        status=STATUSES.get(str(agreement.status), str(agreement.status)),
        kind=KINDS.get(signed["kind"], signed["kind"]),
        organisations=organisations,
        household=consent,
        conditions=[_condition(c) for c in signed["conditions"]],
        term=f"Van {dutch_date(start)} tot en met {dutch_date(end)}.",
        reviews=(
            f"Bureau Woonkans bespreekt elke {interval} dagen met u of de afspraken worden "
            "nagekomen, op:"
        ),
        review_dates=[dutch_date(d) for d in review_dates(start, end, interval)],
        document_format=signed["document"],
        text_sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
    )


@dataclass(frozen=True)
class AgreementDocumentView:
    """The readable agreement as served: its hash, and HTML and PDF where asked for."""

    agreement_id: str
    text_sha256: str
    html: str | None
    pdf: bytes | None


def document(
    scope: RequestScope, agreement_id: str, *, html: bool = True, pdf: bool = True
) -> AgreementDocumentView:
    """The readable agreement, for a partner that may read all it shows (otherwise answered
    like an agreement that does not exist); the release is access-logged like a read of
    those fields."""
    session = scope.session
    agreement, case, relation = agreements.find(session, scope.principal.partner_id, agreement_id)
    released = agreements.view(scope, agreement, case, relation, DOCUMENT_FIELDS)
    if DOCUMENT_FIELDS & set(released.withheld):
        raise NotFoundError(f"agreement {agreement_id} not found")
    ids = [p.partner_id for p in agreement.parties if p.partner_id is not None]
    rows = session.execute(select(Partner.id, Partner.name).where(Partner.id.in_(ids)))
    names = {row.id: row.name for row in rows}
    content = readable(agreement, names)
    return AgreementDocumentView(
        agreement_id=content.agreement_id,
        text_sha256=content.text_sha256,
        html=to_html(content) if html else None,
        pdf=to_pdf(content) if pdf else None,
    )
