"""The household's access report in the console (issue 16): for a case's owner or its
municipality, who received which fields of the case when, for which purpose, through which
channel, and which staff member; as a page and as the JSON export.

Both run ``accessReport`` as the staff member's organisation, so the report's own rules hold
(owner and municipality only, also after an erasure) and reading it is access-logged like any
read. Any other organisation is answered exactly as for a case that does not exist.
"""

from __future__ import annotations

import json
import re
from typing import Any

from starlette.responses import Response

from registry.console import i18n
from registry.console.acting import OperationError
from registry.console.web import SECURITY_HEADERS, Console, PageRequest

REPORT = """query consoleAccessReport($id: ID!) {
  accessReport(caseId: $id) {
    caseId erasedAt
    recipients { partner actors firstAt lastAt fields purposes channels requests }
    records {
      partner actor purpose operation fieldsDisclosed fieldsWithheld occurredAt outcome
    }
  }
}"""

REPORT_JSON = """query consoleAccessReportExport($id: ID!) {
  accessReport(caseId: $id) { caseId json }
}"""

#: A refusal and a missing case read the same: the page tells nobody that a case exists.
MISSING = "Er is geen casus met dit nummer die u mag inzien."
#: Refusals that mean "not yours to see": not found, not allowed, not a case id at all.
_NOT_YOURS = frozenset({"NOT_FOUND", "NOT_ALLOWED", "INVALID_INPUT"})


def _when(stamp: str | None) -> str:
    """An ISO time as ``YYYY-MM-DD HH:MM`` (UTC), as the page shows it."""
    return "" if not stamp else re.sub(r"T(\d\d:\d\d).*", r" \1", stamp)


class ReportPages:
    """The access-report page and its download."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def _report(self, page: PageRequest, query: str) -> dict[str, Any] | Response:
        try:
            data = page.ops.data(query, {"id": page.path_params["case_id"]})
        except OperationError as exc:
            if exc.code in _NOT_YOURS:
                _ = i18n.translator(page.language)
                return self.console.refused(
                    page.language, page.acting, 404, _("Niet gevonden"), _(MISSING)
                )
            raise
        report: dict[str, Any] = data["accessReport"]
        return report

    def page(self, page: PageRequest) -> Response:
        """GET /console/casussen/{id}/inzage: the report as a page."""
        report = self._report(page, REPORT)
        if isinstance(report, Response):
            return report
        return self.console.render(
            "access_report.html",
            page.language,
            acting=page.acting,
            report=report,
            when=_when,
        )

    def download(self, page: PageRequest) -> Response:
        """GET /console/casussen/{id}/inzage.json: the report's JSON export, as a file."""
        report = self._report(page, REPORT_JSON)
        if isinstance(report, Response):
            return report
        body = json.dumps(report["json"], ensure_ascii=False, indent=2)
        name = f"inzagerapport-{report['caseId']}.json"
        return Response(
            body,
            media_type="application/json",
            headers={**SECURITY_HEADERS, "Content-Disposition": f'attachment; filename="{name}"'},
        )
