"""The readable agreement as HTML and as PDF (fpdf2: pure Python, no system libraries).

Both show the same content (``registry.agreements.document.ReadableAgreement``), in the same
order, ending with the SHA-256 of the signed text.
"""

from __future__ import annotations

import datetime as dt
from html import escape
from typing import TYPE_CHECKING

from fpdf import FPDF

if TYPE_CHECKING:
    from registry.agreements.document import ReadableAgreement

TITLE = "Woonkansovereenkomst"
_CHECK = (
    "Deze overeenkomst geeft de ondertekende tekst weer. De SHA-256 van die tekst ({format}) "
    "is hieronder afgedrukt: dezelfde waarde staat in het ondertekende auditlogboek, zodat "
    "iedere partij dit document met de handtekeningen kan vergelijken."
)
# A fixed creation date: the same agreement in the same state gives the same PDF bytes.
_EPOCH = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)


def _sections(doc: ReadableAgreement) -> list[tuple[str, list[str]]]:
    parties = [f"{name} ({partner}): {state}" for name, partner, state in doc.organisations]
    return [
        ("Soort overeenkomst", [doc.kind, f"Status: {doc.status}."]),
        ("Partijen", [*parties, f"Het huishouden (de huurder). {doc.household}"]),
        ("Afspraken", doc.conditions),
        ("Looptijd", [doc.term]),
        ("Evaluaties", [doc.reviews, *doc.review_dates]),
    ]


def to_html(doc: ReadableAgreement) -> str:
    """The agreement as a standalone HTML page in Dutch."""
    body = [f"<h1>{TITLE}</h1>", f"<p>Overeenkomst {escape(doc.agreement_id)}</p>"]
    for heading, lines in _sections(doc):
        items = "".join(f"<li>{escape(line)}</li>" for line in lines)
        body.append(f"<h2>{escape(heading)}</h2><ul>{items}</ul>")
    body.append(f"<h2>Controle</h2><p>{escape(_CHECK.format(format=doc.document_format))}</p>")
    body.append(f'<p>SHA-256: <code id="text-sha256">{doc.text_sha256}</code></p>')
    return (
        '<!DOCTYPE html>\n<html lang="nl"><head><meta charset="utf-8">'
        f"<title>{TITLE}</title></head><body>{''.join(body)}</body></html>\n"
    )


def _latin1(text: str) -> str:
    # The PDF's built-in fonts cover Latin-1 (all of Dutch); anything else (free text in a
    # condition) is shown as "?" rather than refused.
    return text.encode("latin-1", "replace").decode("latin-1")


def to_pdf(doc: ReadableAgreement) -> bytes:
    """The agreement as a PDF in Dutch (uncompressed, so its text can be searched and
    checked by simple tools)."""
    pdf = FPDF(format="A4")
    pdf.set_compression(False)
    pdf.set_creation_date(_EPOCH)
    pdf.set_title(TITLE)
    pdf.set_subject(f"SHA-256 {doc.text_sha256}")
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 16)
    pdf.cell(0, 10, TITLE, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    pdf.cell(0, 6, f"Overeenkomst {doc.agreement_id}", new_x="LMARGIN", new_y="NEXT")
    for heading, lines in [
        *_sections(doc),
        ("Controle", [_CHECK.format(format=doc.document_format)]),
    ]:
        pdf.ln(3)
        pdf.set_font("Helvetica", "B", 12)
        pdf.cell(0, 8, _latin1(heading), new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("Helvetica", size=10)
        for line in lines:
            pdf.multi_cell(0, 5, _latin1(line), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Courier", size=9)
    pdf.multi_cell(0, 5, f"SHA-256: {doc.text_sha256}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
