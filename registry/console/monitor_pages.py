"""Bureau Woonkans's pages: agreements by status, reviews due and overdue, broken
conditions, recording a review, and the yearly figures as charts (small cells suppressed by
the figures service itself)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from markupsafe import Markup
from starlette.responses import Response

from registry.console import i18n
from registry.console.acting import OperationError
from registry.console.charts import Bar, bar_chart
from registry.console.web import Console, PageRequest, redirect

STATUSES = ("PROPOSED", "ACTIVE", "COMPLETED", "BREACHED", "ENDED_OTHERWISE")
AGREEMENT_FIELDS = """id caseId status kind termStart termEnd brokenConditions withheld
    conditions { number type text lastCheckMet }
    reviews { number dueOn recordedAt recordedBy }"""

DASHBOARD = f"""query consoleAgreements {{
  agreements(first: 200) {{ id status }}
  broken: agreements(brokenOnly: true, first: 100) {{ {AGREEMENT_FIELDS} }}
  agreementReviewsDue(withinDays: 14) {{ agreementId caseId review dueOn overdue }}
}}"""

FIGURES = """query consoleFigures($municipality: String!, $from: Int!, $to: Int!) {
  agreementFigures(municipality: $municipality, fromYear: $from, toYear: $to) {
    year suppressed applications agreementRate successRate
  }
}"""

AGREEMENT = (
    f"""query consoleAgreement($id: ID!) {{ agreement(id: $id) {{ {AGREEMENT_FIELDS} }} }}"""
)

RECORD_REVIEW = """mutation consoleRecordReview(
  $id: ID!, $review: Int!, $checks: [ConditionCheckInput!]!
) {
  recordAgreementReview(id: $id, review: $review, checks: $checks) { id brokenConditions }
}"""

FIGURE_YEARS = 5


class MonitorPages:
    """The monitor's dashboard and review form."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def dashboard(self, page: PageRequest) -> Response:
        """GET /console/afspraken."""
        data = page.ops.data(DASHBOARD)
        counts = Counter(a["status"] for a in data["agreements"])
        year = page.now.year
        charts: list[tuple[str, list[Markup]]] = []
        _ = i18n.translator(page.language)
        for municipality in sorted(page.acting.municipalities):
            try:
                figures = page.ops.data(
                    FIGURES,
                    {"municipality": municipality, "from": year - FIGURE_YEARS + 1, "to": year},
                )["agreementFigures"]
            except OperationError:
                continue  # no figures released for this municipality
            charts.append((municipality, _charts(figures, _)))
        return self.console.render(
            "agreements.html",
            page.language,
            acting=page.acting,
            statuses=[(s, counts.get(s, 0)) for s in STATUSES],
            broken=data["broken"],
            due=data["agreementReviewsDue"],
            charts=charts,
            done=page.query.get("done") == "1",
        )

    def review_form(
        self, page: PageRequest, error: str | None = None, status: int = 200
    ) -> Response:
        """GET /console/afspraken/{id}/evaluatie?review=N."""
        try:
            agreement = page.ops.data(AGREEMENT, {"id": page.path_params["agreement_id"]})[
                "agreement"
            ]
        except OperationError as exc:
            return self.console.refused(
                page.language, page.acting, 404, "Niet gevonden", exc.message
            )
        review = page.query.get("review") or page.field("review") or _next_review(agreement)
        return self.console.render(
            "review.html",
            page.language,
            status,
            acting=page.acting,
            agreement=agreement,
            review=review,
            csrf=page.acting.csrf_token,
            error=error,
        )

    def record_review(self, page: PageRequest) -> Response:
        """POST /console/afspraken/{id}/evaluatie."""
        agreement_id = page.path_params["agreement_id"]
        met = set(page.fields("met"))
        checks = []
        for number in page.fields("condition"):
            check: dict[str, Any] = {"condition": int(number), "met": number in met}
            note = page.field(f"note-{number}")
            if note:
                check["note"] = note
            checks.append(check)
        try:
            page.ops.data(
                RECORD_REVIEW,
                {"id": agreement_id, "review": int(page.field("review") or "0"), "checks": checks},
            )
        except (OperationError, ValueError) as exc:
            return self.review_form(page, error=str(exc), status=400)
        return redirect("/afspraken")


def _next_review(agreement: dict[str, Any]) -> str:
    for review in agreement.get("reviews") or []:
        if review["recordedAt"] is None:
            return str(review["number"])
    return "1"


def _charts(figures: list[dict[str, Any]], _: Any) -> list[Markup]:
    suppressed = _("onderdrukt (kleine aantallen)")
    short = "—"

    def bars(key: str, percent: bool) -> list[Bar]:
        out = []
        for f in figures:
            value = None if f["suppressed"] else f.get(key)
            if value is None:
                out.append(Bar(str(f["year"]), None, suppressed if f["suppressed"] else short))
            elif percent:
                out.append(Bar(str(f["year"]), float(value) * 100, f"{float(value) * 100:.0f}%"))
            else:
                out.append(Bar(str(f["year"]), float(value), str(value)))
        return out

    return [
        bar_chart(_("Aanvragen"), bars("applications", False), maximum=None, suppressed=short),
        bar_chart(
            _("Percentage afspraken"), bars("agreementRate", True), maximum=100, suppressed=short
        ),
        bar_chart(
            _("Percentage geslaagd"), bars("successRate", True), maximum=100, suppressed=short
        ),
    ]
