"""The impact dry-run of a draft grant over all of a municipality's cases, through the real
app, checked against a brute-force evaluation over the demo: every case, every partner that
relates to it, every field, decided one by one."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from policies import AccessKey, PolicyEngine, PolicyRow, Relation
from policies.decisions import PolicyEffect
from registry.access.policystore import active_rows
from registry.access.vocabulary import VOCABULARY
from registry.models import AccessPolicy, Case, Involvement, Municipality, Partner
from tests.conftest import Clock, GraphQL
from tests.helpers import error_codes

IMPACT = """query($grant: GrantInput!) { grantImpact(grant: $grant) {
  field casesGaining partnersGaining casesLosing partnersLosing } }"""
DRAFT = {
    "municipality": "sittard-geleen",
    "partnerKind": "WELFARE",
    "fields": ["reasons", "householdComposition"],
    "purposes": ["schuldhulpverlening"],
    "validUntil": "2099-12-31",
}


def _brute_force(session: Session, day: dt.date) -> dict[str, tuple[int, int]]:
    """Per field: (cases, partners) gaining it, deciding every field of every reader of every
    case of Sittard-Geleen anew through the engine's explanations."""
    rows = active_rows(session)
    draft = PolicyRow(
        "draft",
        PolicyEffect.GRANT,
        "kind:welfare",
        "involved",
        "sittard-geleen",
        "*",
        ("reasons", "householdComposition"),
        purposes=("schuldhulpverlening",),
        valid_until="2099-12-31",
    )
    now, tried = PolicyEngine(VOCABULARY, rows), PolicyEngine(VOCABULARY, [*rows, draft])
    authority = session.get(Municipality, "sittard-geleen").authority_id  # type: ignore[union-attr]
    kinds = {p.id: str(p.kind) for p in session.scalars(select(Partner))}
    gaining: dict[str, set[tuple[str, str]]] = defaultdict(set)
    for case in session.scalars(select(Case).where(Case.municipality_code == "sittard-geleen")):
        involvements = session.scalars(
            select(Involvement).where(
                Involvement.case_id == case.id, Involvement.released_at.is_(None)
            )
        ).all()
        readers: dict[str, tuple[Relation, set[str]]] = {}
        for involvement in involvements:
            if involvement.partner_id in (case.owner_id, authority):
                continue
            readers.setdefault(involvement.partner_id, (Relation.INVOLVED, set()))[1].add(
                str(involvement.role)
            )
        if authority and authority != case.owner_id:
            readers[authority] = (Relation.MUNICIPALITY, set())
        for partner, (relation, roles) in readers.items():
            for role in roles or {""}:
                key = AccessKey(
                    partner,
                    kinds[partner],
                    relation,
                    "sittard-geleen",
                    case.owner_id,
                    str(case.phase),
                    "schuldhulpverlening",
                    day.isoformat(),
                    role,
                )
                before = {d.field for d in now.explain(key) if d.allowed}
                after = {d.field for d in tried.explain(key) if d.allowed}
                for field in after - before:
                    gaining[field].add((str(case.id), partner))
    return {
        field: (len({c for c, _ in pairs}), len({p for _, p in pairs}))
        for field, pairs in gaining.items()
    }


def test_the_impact_of_a_draft_matches_a_brute_force_count(
    gql: GraphQL, sessions: sessionmaker[Session], clock: Clock
) -> None:
    body = gql("gemeente-sittard-geleen", IMPACT, {"grant": DRAFT})
    assert "errors" not in body, body
    impact = {i["field"]: i for i in body["data"]["grantImpact"]}
    with sessions() as session:
        expected = _brute_force(session, clock.now.date())
        issued_before = len(session.scalars(select(AccessPolicy)).all())
    assert expected, "the draft should change something in the demo"
    assert {f: (i["casesGaining"], i["partnersGaining"]) for f, i in impact.items()} == expected
    assert all(i["casesLosing"] == i["partnersLosing"] == 0 for i in impact.values())
    with sessions() as session:
        assert len(session.scalars(select(AccessPolicy)).all()) == issued_before  # issued nothing


def test_only_the_municipality_tries_its_own_drafts(gql: GraphQL) -> None:
    body = gql("zowonen", IMPACT, {"grant": DRAFT})
    assert error_codes(body) == ["NOT_ALLOWED"]
    body = gql("gemeente-zaanstad", IMPACT, {"grant": DRAFT})
    assert error_codes(body) == ["NOT_ALLOWED"]
    assert "only for its own municipality" in body["errors"][0]["message"]
    bad = {**DRAFT, "phases": ["someday"]}
    body = gql("gemeente-sittard-geleen", IMPACT, {"grant": bad})
    assert error_codes(body) == ["INVALID_INPUT"]
    assert "unknown phase: someday" in body["errors"][0]["message"]
