"""The policy officer's pages: the municipality's covenant (its policies and a matrix of who
sees which field group), a draft grant tried with ``dryRunGrant`` before ``issueGrant``,
revoking, and "why does partner X (not) see field Y of case Z" through ``explainAccess``."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from starlette.responses import Response

from registry.console.acting import OperationError
from registry.console.web import Console, PageRequest, redirect
from registry.models import Phase

RELATIONS = ("INVOLVED", "MUNICIPALITY", "OWNER")
PARTNER_KINDS = (
    "CORPORATION",
    "DISTRICT_TEAM",
    "CREDIT_BANK",
    "WELFARE",
    "CARE",
    "BAILIFF",
    "WOONKANS",
    "SHELTER",
    "STORAGE",
)

COVENANT = """query consolePolicies($municipality: String!) {
  fieldCatalogue { name description descriptionNl sensitive groups }
  purposes(municipality: $municipality) { id description }
  policies(municipality: $municipality) {
    id kind issuer subject relation municipality owner fields purpose phases purposes
    validFrom validUntil pending issuedAt revokedAt
  }
}"""

MATRIX = """query consoleMatrix($municipality: String!, $purpose: String!) {
  covenantMatrix(municipality: $municipality, purpose: $purpose) {
    subject relation phase group released withheld decidedBy
  }
}"""

DRY_RUN = """query consoleDryRun($case: ID!, $partner: String!, $grant: GrantInput!) {
  dryRunGrant(caseId: $case, partner: $partner, grant: $grant) {
    field allowedNow allowedWithDraft decidedBy
  }
}"""

IMPACT = """query consoleImpact($grant: GrantInput!) {
  grantImpact(grant: $grant) { field casesGaining partnersGaining casesLosing partnersLosing }
}"""

ISSUE = """mutation consoleIssueGrant($grant: GrantInput!) { issueGrant(input: $grant) { id } }"""
APPROVE = """mutation consoleApproveGrant($id: ID!) { approveGrant(id: $id) { id pending } }"""
REVOKE = """mutation consoleRevokePolicy($id: ID!) { revokePolicy(id: $id) { id revokedAt } }"""
EXPLAIN = """query consoleExplain($case: ID!, $partner: String) {
  explainAccess(caseId: $case, partner: $partner) {
    caseId partner relation decisions { field allowed decidedBy }
  }
}"""

#: The phases a grant may name, in the order a case goes through them.
PHASES = tuple(phase.value for phase in Phase)


class PolicyPages:
    """The covenant of the policy officer's municipality."""

    def __init__(self, console: Console) -> None:
        self.console = console

    def _municipality(self, page: PageRequest) -> str:
        chosen = page.query.get("gemeente") or page.field("municipality")
        codes = sorted(page.acting.municipalities)
        return chosen if chosen in codes else (codes[0] if codes else "")

    def covenant(
        self,
        page: PageRequest,
        *,
        dry_run: list[dict[str, Any]] | None = None,
        impact: list[dict[str, Any]] | None = None,
        explanation: dict[str, Any] | None = None,
        error: str | None = None,
        status: int = 200,
    ) -> Response:
        """GET /console/beleid: policies, the covenant matrix for a purpose, the draft form
        (conditions: purposes, phases, period), the draft's impact, the explain form."""
        municipality = self._municipality(page)
        data = page.ops.data(COVENANT, {"municipality": municipality})
        catalogue = data["fieldCatalogue"]
        purposes = data["purposes"]
        registered = [p["id"] for p in purposes]
        shown = page.query.get("doel") or page.acting.purpose
        shown = shown if shown in registered else (registered[0] if registered else "")
        # The matrix decides every kind x relation x phase x field: seconds on a covenant of
        # the demo's size, so it is computed when asked for, not on every visit.
        wanted = page.query.get("matrix") == "1"
        cells = (
            page.ops.data(MATRIX, {"municipality": municipality, "purpose": shown})[
                "covenantMatrix"
            ]
            if shown and wanted
            else []
        )
        groups = sorted({c["group"] for c in cells})
        live = [p for p in data["policies"] if p["revokedAt"] is None]
        return self.console.render(
            "policies.html",
            page.language,
            status,
            acting=page.acting,
            municipality=municipality,
            municipalities=sorted(page.acting.municipalities),
            policies=live,
            registered_purposes=purposes,
            matrix_purpose=shown,
            matrix_shown=wanted,
            matrix=_matrix_rows(cells, groups),
            groups=groups,
            catalogue=catalogue,
            relations=RELATIONS,
            kinds=PARTNER_KINDS,
            phases=PHASES,
            draft=_draft_from(page, municipality),
            dry_run=dry_run,
            impact=impact,
            explanation=explanation,
            case_id=page.field("case") or page.query.get("casus", ""),
            partner=page.field("partner") or page.query.get("partner", ""),
            csrf=page.acting.csrf_token,
            error=error,
            done=page.query.get("done") == "1",
        )

    def dry_run(self, page: PageRequest) -> Response:
        """POST /console/beleid/proef: the draft's impact over all of the municipality's cases
        (cases and partners gaining or losing each field) and, given a case and a partner,
        field by field for that one."""
        grant = _grant_input(page, self._municipality(page))
        try:
            # Over all of the municipality's cases: seconds, so only when asked for.
            impact = (
                page.ops.data(IMPACT, {"grant": grant})["grantImpact"]
                if page.field("impact") == "1"
                else None
            )
            result = None
            if page.field("case") and page.field("partner"):
                result = page.ops.data(
                    DRY_RUN,
                    {"case": page.field("case"), "partner": page.field("partner"), "grant": grant},
                )["dryRunGrant"]
        except OperationError as exc:
            return self.covenant(page, error=exc.message, status=400)
        return self.covenant(page, dry_run=result, impact=impact)

    def issue(self, page: PageRequest) -> Response:
        """POST /console/beleid/uitgeven: issue the draft grant."""
        grant = _grant_input(page, self._municipality(page))
        try:
            page.ops.data(ISSUE, {"grant": grant})
        except OperationError as exc:
            return self.covenant(page, error=exc.message, status=400)
        return redirect(f"/beleid?gemeente={grant['municipality']}")

    def approve(self, page: PageRequest) -> Response:
        """POST /console/beleid/{id}/goedkeuren: a second officer puts a pending grant in force
        (four eyes; approving one's own is refused by the service)."""
        try:
            page.ops.data(APPROVE, {"id": page.path_params["policy_id"]})
        except OperationError as exc:
            return self.covenant(page, error=exc.message, status=400)
        return redirect("/beleid")

    def revoke(self, page: PageRequest) -> Response:
        """POST /console/beleid/{id}/intrekken."""
        try:
            page.ops.data(REVOKE, {"id": page.path_params["policy_id"]})
        except OperationError as exc:
            return self.covenant(page, error=exc.message, status=400)
        return redirect("/beleid")

    def explain(self, page: PageRequest) -> Response:
        """GET /console/beleid/uitleg?casus=...&partner=...: per field, released or not, and
        which policy decided it."""
        case_id = page.query.get("casus", "").strip()
        partner = page.query.get("partner", "").strip() or None
        if not case_id:
            return self.covenant(page)
        try:
            result = page.ops.data(EXPLAIN, {"case": case_id, "partner": partner})
        except OperationError as exc:
            return self.covenant(page, error=exc.message, status=400)
        return self.covenant(page, explanation=result["explainAccess"])


def _grant_input(page: PageRequest, municipality: str) -> dict[str, Any]:
    grant: dict[str, Any] = {
        "municipality": municipality,
        "fields": page.fields("fields"),
        "relation": page.field("relation") or "INVOLVED",
        "purposes": page.fields("purposes"),
        "phases": page.fields("phases"),
    }
    if page.field("subjectPartner"):
        grant["partner"] = page.field("subjectPartner")
    elif page.field("partnerKind"):
        grant["partnerKind"] = page.field("partnerKind")
    for name in ("validFrom", "validUntil"):
        if page.field(name):
            grant[name] = page.field(name)
    if page.field("purpose"):
        grant["purpose"] = page.field("purpose")
    return grant


def _draft_from(page: PageRequest, municipality: str) -> dict[str, Any]:
    draft = _grant_input(page, municipality)
    for name in ("partner", "partnerKind", "purpose", "validFrom", "validUntil"):
        draft.setdefault(name, "")
    return draft


def _matrix_rows(cells: list[dict[str, Any]], groups: list[str]) -> list[dict[str, Any]]:
    """``covenantMatrix`` cells as table rows, one per subject x relation x phase: per field
    group "all", "some" or "" of its fields released, and the rows that decided it (an
    owner's restriction among them, where one narrows the covenant)."""
    rows: dict[tuple[str, str, str], dict[str, dict[str, Any]]] = defaultdict(dict)
    for cell in cells:
        rows[(cell["subject"], cell["relation"], cell["phase"])][cell["group"]] = cell
    table = []
    for (subject, relation, phase), by_group in rows.items():
        shown = []
        for group in groups:
            found = by_group.get(group)
            released = found["released"] if found else []
            withheld = found["withheld"] if found else []
            share = "all" if released and not withheld else ("some" if released else "")
            shown.append(
                {"share": share, "decided_by": ", ".join(found["decidedBy"]) if found else ""}
            )
        if any(c["share"] for c in shown):
            table.append({"subject": subject, "relation": relation, "phase": phase, "cells": shown})
    return table
