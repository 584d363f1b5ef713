"""The policy officer's pages: the municipality's covenant (its policies and a matrix of who
sees which field group), a draft grant tried with ``dryRunGrant`` before ``issueGrant``,
revoking, and "why does partner X (not) see field Y of case Z" through ``explainAccess``."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from starlette.responses import Response

from registry.console.acting import OperationError
from registry.console.web import Console, PageRequest, redirect

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
  fieldCatalogue { name description sensitive groups }
  policies(municipality: $municipality) {
    id kind issuer subject relation municipality owner fields purpose issuedAt revokedAt
  }
}"""

DRY_RUN = """query consoleDryRun($case: ID!, $partner: String!, $grant: GrantInput!) {
  dryRunGrant(caseId: $case, partner: $partner, grant: $grant) {
    field allowedNow allowedWithDraft decidedBy
  }
}"""

ISSUE = """mutation consoleIssueGrant($grant: GrantInput!) { issueGrant(input: $grant) { id } }"""
REVOKE = """mutation consoleRevokePolicy($id: ID!) { revokePolicy(id: $id) { id revokedAt } }"""
EXPLAIN = """query consoleExplain($case: ID!, $partner: String) {
  explainAccess(caseId: $case, partner: $partner) {
    caseId partner relation decisions { field allowed decidedBy }
  }
}"""


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
        explanation: dict[str, Any] | None = None,
        error: str | None = None,
        status: int = 200,
    ) -> Response:
        """GET /console/beleid: policies, matrix, draft form, explain form."""
        municipality = self._municipality(page)
        data = page.ops.data(COVENANT, {"municipality": municipality})
        catalogue = data["fieldCatalogue"]
        groups = sorted({g for f in catalogue for g in f["groups"]})
        live = [p for p in data["policies"] if p["revokedAt"] is None]
        return self.console.render(
            "policies.html",
            page.language,
            status,
            acting=page.acting,
            municipality=municipality,
            municipalities=sorted(page.acting.municipalities),
            policies=live,
            matrix=_matrix(live, catalogue, groups),
            groups=groups,
            catalogue=catalogue,
            relations=RELATIONS,
            kinds=PARTNER_KINDS,
            draft=_draft_from(page, municipality),
            dry_run=dry_run,
            explanation=explanation,
            case_id=page.field("case") or page.query.get("casus", ""),
            partner=page.field("partner") or page.query.get("partner", ""),
            csrf=page.acting.csrf_token,
            error=error,
            done=page.query.get("done") == "1",
        )

    def dry_run(self, page: PageRequest) -> Response:
        """POST /console/beleid/proef: the draft's impact on one case for one partner."""
        grant = _grant_input(page, self._municipality(page))
        try:
            result = page.ops.data(
                DRY_RUN,
                {"case": page.field("case"), "partner": page.field("partner"), "grant": grant},
            )["dryRunGrant"]
        except OperationError as exc:
            return self.covenant(page, error=exc.message, status=400)
        return self.covenant(page, dry_run=result)

    def issue(self, page: PageRequest) -> Response:
        """POST /console/beleid/uitgeven: issue the draft grant."""
        grant = _grant_input(page, self._municipality(page))
        try:
            page.ops.data(ISSUE, {"grant": grant})
        except OperationError as exc:
            return self.covenant(page, error=exc.message, status=400)
        return redirect(f"/beleid?gemeente={grant['municipality']}")

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
    }
    if page.field("subjectPartner"):
        grant["partner"] = page.field("subjectPartner")
    elif page.field("partnerKind"):
        grant["partnerKind"] = page.field("partnerKind")
    if page.field("purpose"):
        grant["purpose"] = page.field("purpose")
    return grant


def _draft_from(page: PageRequest, municipality: str) -> dict[str, Any]:
    draft = _grant_input(page, municipality)
    draft.setdefault("partner", "")
    draft.setdefault("partnerKind", "")
    draft.setdefault("purpose", "")
    return draft


def _matrix(
    policies: list[dict[str, Any]], catalogue: list[dict[str, Any]], groups: list[str]
) -> list[dict[str, Any]]:
    """Rows of (subject, relation): per field group, "all", "some" or "" of its fields granted,
    and the owners' restrictions that narrow them."""
    members: dict[str, set[str]] = defaultdict(set)
    for f in catalogue:
        for g in f["groups"]:
            members[g].add(f["name"])
    granted: dict[tuple[str, str], set[str]] = defaultdict(set)
    restrictions: dict[tuple[str, str], list[str]] = defaultdict(list)
    for p in policies:
        key = (p["subject"], p["relation"])
        names: set[str] = set()
        for name in p["fields"]:
            names |= members.get(name, {name})
        if p["kind"] == "restriction":
            restrictions[key].append(f"{p['owner']}: {', '.join(p['fields'])}")
        else:
            granted[key] |= names
    rows = []
    for key in sorted(set(granted) | set(restrictions)):
        cells = []
        for g in groups:
            share = members[g] & granted[key]
            cells.append("all" if share == members[g] and share else ("some" if share else ""))
        rows.append(
            {
                "subject": key[0],
                "relation": key[1],
                "cells": cells,
                "restrictions": restrictions[key],
            }
        )
    return rows
