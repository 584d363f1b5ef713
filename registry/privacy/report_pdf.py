"""The household's access report as a PDF in Dutch (fpdf2, as the readable agreement is).

Shows what the JSON export holds: per case, each organisation (by name and id) with its staff
members, when it received data first and last, which fields, for which purposes, through
which channels; then every request. Field and purpose names are the registry's own codes, the
same as in the JSON, so the two can be compared line by line.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from fpdf import FPDF

if TYPE_CHECKING:
    from registry.privacy.household import HouseholdReport
    from registry.privacy.report import AccessReport

TITLE = "Inzageverslag: wie ontving de gegevens van het huishouden"
_INTRO = (
    "Dit verslag noemt iedere organisatie en medewerker die gegevens van uw dossier(s) in het "
    "Ketenregister heeft ontvangen: wanneer, welke gegevens, met welk doel en via welk kanaal "
    "(AVG artikel 15)."
)
_NOTHING = "geen (alleen het bestaan van het dossier)"
# A fixed creation date: the report is dated by its own "made at" line, not by its metadata.
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _latin1(text: str) -> str:
    # The built-in fonts cover Latin-1 (all of Dutch); anything else shows as "?".
    return text.encode("latin-1", "replace").decode("latin-1")


def _when(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M UTC")


def _case_lines(report: AccessReport, names: dict[str, str]) -> list[tuple[str, list[str]]]:
    sections = []
    erased = f" (gegevens gewist op {_when(report.erased_at)})" if report.erased_at else ""
    for r in report.recipients:
        staff = ", ".join(r.actors) or "niet genoemd"
        sections.append(
            (
                f"{names.get(r.partner, r.partner)} ({r.partner}){erased}",
                [
                    f"Medewerkers: {staff}",
                    f"Periode: {_when(r.first_at)} tot {_when(r.last_at)}; {r.requests} keer",
                    f"Gegevens: {', '.join(r.fields) or _NOTHING}",
                    f"Doelen: {', '.join(r.purposes)}",
                    f"Kanalen: {', '.join(r.channels)}",
                ],
            )
        )
    return sections


def to_pdf(household: HouseholdReport) -> bytes:
    """The report as a PDF (uncompressed, so its text can be searched and checked)."""
    names = household.organisations
    pdf = FPDF(format="A4")
    pdf.set_compression(False)
    pdf.set_creation_date(_EPOCH)
    pdf.set_title(_latin1(TITLE))
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 14)
    pdf.multi_cell(0, 8, _latin1(TITLE), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    asker = names.get(household.requested_by, household.requested_by)
    if household.requested_by_actor:
        asker += f", medewerker {household.requested_by_actor}"
    for line in (_INTRO, f"Opgesteld op {_when(household.made_at)} voor {asker}."):
        pdf.multi_cell(0, 5, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    for report in household.cases:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 8, f"Dossier {report.case_id}", new_x="LMARGIN", new_y="NEXT")
        for heading, lines in _case_lines(report, names):
            pdf.set_font("Helvetica", "B", 10)
            pdf.multi_cell(0, 6, _latin1(heading), new_x="LMARGIN", new_y="NEXT")
            pdf.set_font("Helvetica", size=9)
            for line in lines:
                pdf.multi_cell(0, 5, _latin1(line), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", "B", 10)
        pdf.cell(0, 6, "Alle verzoeken", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Courier", size=7)
        for record in report.records:
            line = (
                f"{_when(record.occurred_at)} {record.partner_id}"
                f"{' / ' + record.actor if record.actor else ''} {record.operation}"
                f" doel={record.purpose} {record.outcome}: {', '.join(record.fields_disclosed)}"
            )
            pdf.multi_cell(0, 4, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
