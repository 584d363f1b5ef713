"""Pages every partner's staff have (its cases, a case with its annotations, action items)
and the municipal case worker's work list. Each runs GraphQL operations as the staff
member's organisation: what a page shows is what the policies release to that organisation."""

from __future__ import annotations

import datetime as dt
from typing import Any

from starlette.responses import Response

from registry.console.acting import OperationError
from registry.console.web import Console, PageRequest, redirect

CASE_FIELDS = "id relation municipality owner phase evictionDate bailiff earlySignalledOn withheld"

HOME = f"""query consoleHome {{
  cases(first: 50) {{ nodes {{ {CASE_FIELDS} }} }}
  actionItems {{ id caseId description assignee dueOn doneAt overdue }}
}}"""

CASE = """query consoleCase($id: ID!) {
  case(id: $id) {
    id relation municipality owner phase reasons householdComposition childrenInvolved
    arrearsAmount arrearsMonths earlySignalledOn judgmentRequestedOn judgmentGrantedOn
    evictionDate bailiff closedOn closureOutcome contactName contactAddress contactPostalCode
    contactPhone contactEmail withheld
  }
  annotations(caseId: $id) {
    id kind author actor occurredOn note recordedAt
    actionItems { id description assignee dueOn doneAt }
  }
}"""

ADD_ANNOTATION = """mutation consoleAddAnnotation($input: AnnotationInput!) {
  addAnnotation(input: $input) { id }
}"""

ANNOTATION_KINDS = (
    "CONTACT_ATTEMPT",
    "HOME_VISIT",
    "HELP_ACCEPTED",
    "HELP_REFUSED",
    "PAYMENT_ARRANGEMENT",
    "CASE_CONFERENCE",
)

WORK = f"""query consoleWork($from: Date!, $to: Date!) {{
  municipalContacts(openOnly: true) {{ id caseId dueOn overdue assignee attempts }}
  inventoryClocks(withinDays: 14) {{
    reachingThirteenWeeks {{ id caseId status thirteenWeeksOn disposableFrom storageProvider }}
    waitingPickups {{ id caseId status }}
  }}
  signals: cases(filter: {{phase: EARLY_SIGNAL}}, first: 100) {{ nodes {{ {CASE_FIELDS} }} }}
  evictions: cases(filter: {{evictionFrom: $from, evictionTo: $to}}, first: 100) {{
    nodes {{ {CASE_FIELDS} }}
  }}
}}"""

RECORD_CONTACT = """mutation consoleRecordContact(
  $id: ID!, $outcome: ContactOutcome!, $attempts: Int!, $on: Date!
) {
  recordMunicipalContact(id: $id, outcome: $outcome, attempts: $attempts, contactedOn: $on) {
    id outcome
  }
}"""

CONTACT_OUTCOMES = ("HELP_OFFERED", "HELP_ACCEPTED", "HELP_DECLINED", "NOT_REACHED")
#: "Newly arrived" early signals: signalled within this many days.
NEW_SIGNAL_DAYS = 14
#: "The coming weeks" of scheduled evictions.
EVICTION_WEEKS = 6


class CommonPages:
    """Pages for every role."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def home(self, page: PageRequest) -> Response:
        """GET /console/: the organisation's cases and action items."""
        data = page.ops.data(HOME)
        return self.console.render(
            "home.html",
            page.language,
            acting=page.acting,
            cases=data["cases"]["nodes"],
            items=data["actionItems"],
        )

    def case(self, page: PageRequest, error: str | None = None, status: int = 200) -> Response:
        """GET /console/casussen/{id}: one case as released, its annotations, and a form."""
        try:
            data = page.ops.data(CASE, {"id": page.path_params["case_id"]})
        except OperationError as exc:
            if exc.code in {"NOT_FOUND", "INVALID_INPUT"}:
                return self.console.refused(
                    page.language, page.acting, 404, "Niet gevonden", exc.message
                )
            raise
        return self.console.render(
            "case.html",
            page.language,
            status,
            acting=page.acting,
            case=data["case"],
            annotations=data["annotations"],
            kinds=ANNOTATION_KINDS,
            today=page.now.date().isoformat(),
            csrf=page.acting.csrf_token,
            error=error,
            done=page.query.get("done") == "1",
        )

    def add_annotation(self, page: PageRequest) -> Response:
        """POST /console/casussen/{id}/notities."""
        case_id = page.path_params["case_id"]
        entry: dict[str, Any] = {
            "caseId": case_id,
            "kind": page.field("kind"),
            "occurredOn": page.field("occurredOn"),
            "note": page.field("note") or None,
        }
        if page.field("actionDescription"):
            entry["actionItems"] = [
                {
                    "description": page.field("actionDescription"),
                    "assignee": page.field("actionAssignee") or page.acting.partner_id,
                    "dueOn": page.field("actionDueOn"),
                }
            ]
        try:
            page.ops.data(ADD_ANNOTATION, {"input": entry})
        except OperationError as exc:
            return self.case(page, error=exc.message, status=400)
        return redirect(f"/casussen/{case_id}")

    def work(self, page: PageRequest, error: str | None = None, status: int = 200) -> Response:
        """GET /console/werklijst: the municipal case worker's list."""
        today = page.now.date()
        data = page.ops.data(
            WORK,
            {
                "from": today.isoformat(),
                "to": (today + dt.timedelta(weeks=EVICTION_WEEKS)).isoformat(),
            },
        )
        since = (today - dt.timedelta(days=NEW_SIGNAL_DAYS)).isoformat()
        signals = [
            c
            for c in data["signals"]["nodes"]
            if c.get("earlySignalledOn") and c["earlySignalledOn"] >= since
        ]
        signals.sort(key=lambda c: c["earlySignalledOn"], reverse=True)
        evictions = sorted(data["evictions"]["nodes"], key=lambda c: c["evictionDate"] or "")
        return self.console.render(
            "work.html",
            page.language,
            status,
            acting=page.acting,
            contacts=data["municipalContacts"],
            clocks=data["inventoryClocks"],
            signals=signals,
            evictions=evictions,
            outcomes=CONTACT_OUTCOMES,
            today=today.isoformat(),
            csrf=page.acting.csrf_token,
            error=error,
            done=page.query.get("done") == "1",
        )

    def record_contact(self, page: PageRequest) -> Response:
        """POST /console/werklijst/contacten/{id}: record a municipal contact's outcome."""
        try:
            attempts = int(page.field("attempts") or "0")
        except ValueError:
            attempts = 0
        try:
            page.ops.data(
                RECORD_CONTACT,
                {
                    "id": page.path_params["contact_id"],
                    "outcome": page.field("outcome"),
                    "attempts": attempts,
                    "on": page.field("contactedOn"),
                },
            )
        except OperationError as exc:
            return self.work(page, error=exc.message, status=400)
        return redirect("/werklijst")
