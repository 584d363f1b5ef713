"""Types of the household's rights: an erasure."""

from __future__ import annotations

import datetime as dt

import strawberry
from strawberry.scalars import JSON

from schema.types.policy import AccessLogEntry


@strawberry.type(
    description=(
        "The erasure of a household's personal data: its rows and its data key are gone; the "
        "case's id stays in the logs, which hold no personal data."
    )
)
class Erasure:
    case_id: strawberry.ID
    erased_at: dt.datetime
    #: Rows removed by this request (0 when the case was erased before: a retry).
    rows_removed: int


@strawberry.type(description="One organisation that received the household's data.")
class AccessRecipient:
    partner: str
    actors: list[str] = strawberry.field(description="Staff members named in its requests.")
    first_at: dt.datetime
    last_at: dt.datetime
    fields: list[str] = strawberry.field(description="Every field it received.")
    purposes: list[str]
    channels: list[str] = strawberry.field(description="The operations it received them by.")
    requests: int


@strawberry.type(
    description=(
        "Who received a case's data (AVG art. 15): per organisation and per request, with "
        "when the household's data was erased, if it was. `json` is the export."
    )
)
class AccessReport:
    case_id: strawberry.ID
    erased_at: dt.datetime | None
    recipients: list[AccessRecipient]
    records: list[AccessLogEntry]
    json: JSON


@strawberry.type(
    description=(
        "Who received the data of each case of one household (AVG art. 15), found by its name "
        "and exact address: the cases you may read the access report of. `json` is the "
        "export; `pdfBase64` the same report as a PDF (also served at "
        "POST /exports/household-access-report.pdf)."
    )
)
class HouseholdAccessReport:
    made_at: dt.datetime
    requested_by: str = strawberry.field(description="The organisation that asked for it.")
    requested_by_actor: str | None = strawberry.field(
        description="Its staff member, when known (always, through the console)."
    )
    cases: list[AccessReport] = strawberry.field(description="Oldest case first.")
    json: JSON
    pdf_base64: str | None = strawberry.field(description="A PDF, base64-encoded.")
