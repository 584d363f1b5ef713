"""The demo registry: the partners, covenants and ~200 synthetic cases of the report's four
case regions (Zaanstad, Sittard-Geleen, Deventer, Groningen), and Bureau Woonkans's
second-chance agreements with Nijestee (``demo_agreements``). Every household is invented."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from registry.access import policy_admin
from registry.access.policystore import bump_version
from registry.demo import agreements as demo_agreements
from registry.models import (
    AccessPolicy,
    Case,
    CaseContact,
    EvictionOutcome,
    HouseholdComposition,
    HouseholdDestination,
    Involvement,
    InvolvementRole,
    Partner,
    PartnerKind,
    Phase,
    PolicyKind,
    Reason,
)
from registry.partners import registration as partners

MUNICIPALITIES = {
    "zaanstad": "Zaanstad",
    "sittard-geleen": "Sittard-Geleen",
    "deventer": "Deventer",
    "groningen": "Groningen",
}

_ALL = tuple(MUNICIPALITIES)


@dataclass(frozen=True)
class DemoPartner:
    """A demo partner: id, name, kind, where it works, and the role it takes in cases."""

    id: str
    name: str
    kind: PartnerKind
    municipalities: tuple[str, ...]
    role: InvolvementRole | None = None
    authority_for: str | None = None


PARTNERS: tuple[DemoPartner, ...] = (
    DemoPartner(
        "gemeente-zaanstad",
        "Gemeente Zaanstad",
        PartnerKind.MUNICIPALITY,
        ("zaanstad",),
        authority_for="zaanstad",
    ),
    DemoPartner(
        "gemeente-sittard-geleen",
        "Gemeente Sittard-Geleen",
        PartnerKind.MUNICIPALITY,
        ("sittard-geleen",),
        authority_for="sittard-geleen",
    ),
    DemoPartner(
        "gemeente-deventer",
        "Gemeente Deventer",
        PartnerKind.MUNICIPALITY,
        ("deventer",),
        authority_for="deventer",
    ),
    DemoPartner(
        "gemeente-groningen",
        "Gemeente Groningen",
        PartnerKind.MUNICIPALITY,
        ("groningen",),
        authority_for="groningen",
    ),
    DemoPartner("parteon", "Parteon", PartnerKind.CORPORATION, ("zaanstad",)),
    DemoPartner("zowonen", "ZOwonen", PartnerKind.CORPORATION, ("sittard-geleen",)),
    DemoPartner("ieder1", "Ieder1", PartnerKind.CORPORATION, ("deventer",)),
    DemoPartner("nijestee", "Nijestee", PartnerKind.CORPORATION, ("groningen",)),
    DemoPartner(
        "wijkteam-zaandam-noord",
        "Wijkteam Zaandam-Noord",
        PartnerKind.DISTRICT_TEAM,
        ("zaanstad",),
        InvolvementRole.HOME_VISITS,
    ),
    DemoPartner(
        "gebiedsteam-sittard-geleen",
        "Gebiedsteam Sittard-Geleen",
        PartnerKind.DISTRICT_TEAM,
        ("sittard-geleen",),
        InvolvementRole.HOME_VISITS,
    ),
    DemoPartner(
        "wij-groningen",
        "WIJ Groningen",
        PartnerKind.DISTRICT_TEAM,
        ("groningen",),
        InvolvementRole.HOME_VISITS,
    ),
    DemoPartner(
        "gkb-sittard-geleen",
        "GKB Sittard-Geleen",
        PartnerKind.CREDIT_BANK,
        ("sittard-geleen",),
        InvolvementRole.DEBT_COUNSELLING,
    ),
    DemoPartner(
        "bad-deventer",
        "Budget Adviesbureau Deventer",
        PartnerKind.CREDIT_BANK,
        ("deventer",),
        InvolvementRole.DEBT_COUNSELLING,
    ),
    DemoPartner(
        "ehbg-groningen",
        "EHBG Groningen",
        PartnerKind.CREDIT_BANK,
        ("groningen",),
        InvolvementRole.DEBT_COUNSELLING,
    ),
    DemoPartner(
        "partners-in-welzijn",
        "Partners in Welzijn",
        PartnerKind.WELFARE,
        ("sittard-geleen",),
        InvolvementRole.OUTREACH,
    ),
    DemoPartner(
        "meldpunt-bijzondere-zorg",
        "Meldpunt Bijzondere Zorg",
        PartnerKind.CARE,
        ("deventer",),
        InvolvementRole.CASE_COORDINATION,
    ),
    DemoPartner(
        "meldpunt-overlast-en-zorg",
        "Meldpunt Overlast en Zorg",
        PartnerKind.CARE,
        ("groningen",),
        InvolvementRole.CARE,
    ),
    DemoPartner(
        "kerckhoffs-lasonder",
        "Kerckhoffs & Lasonder",
        PartnerKind.BAILIFF,
        ("zaanstad",),
        InvolvementRole.BAILIFF,
    ),
    DemoPartner("flanderijn", "Flanderijn", PartnerKind.BAILIFF, _ALL, InvolvementRole.BAILIFF),
    DemoPartner(
        "bureau-woonkans",
        "Bureau Woonkans",
        PartnerKind.WOONKANS,
        ("groningen",),
        InvolvementRole.SECOND_CHANCE,
    ),
    # Keeps evicted households' goods for Zaanstad. No role: it is involved in a case only when
    # goods are stored with it (registry.inventory.service), never drawn into the demo's cases
    # (which also keeps the random sequence, and so every other demo case, as it was).
    DemoPartner("opslag-zaanstad", "Opslag Zaanstad", PartnerKind.STORAGE, ("zaanstad",)),
)

#: The covenants, as grants per municipality: (municipality, partner kind, fields).
GRANTS: tuple[tuple[str, PartnerKind, tuple[str, ...]], ...] = (
    # Sittard-Geleen's area team (credit bank, welfare, district team): what a home visit needs.
    ("sittard-geleen", PartnerKind.DISTRICT_TEAM, ("homeVisit",)),
    ("sittard-geleen", PartnerKind.CREDIT_BANK, ("homeVisit",)),
    ("sittard-geleen", PartnerKind.WELFARE, ("homeVisit",)),
    ("sittard-geleen", PartnerKind.BAILIFF, ("evictionDate",)),
    # Groningen lets Bureau Woonkans see what a second-chance decision needs, and its
    # agreements; the district team and credit bank see the agreements they are party to.
    ("groningen", PartnerKind.WOONKANS, ("secondChance", "agreement")),
    ("groningen", PartnerKind.DISTRICT_TEAM, ("homeVisit", "agreementTerms")),
    ("groningen", PartnerKind.CREDIT_BANK, ("homeVisit", "agreementTerms")),
    ("groningen", PartnerKind.CARE, ("homeVisit", "reasons")),
    ("groningen", PartnerKind.BAILIFF, ("evictionDate", "contactName", "contactAddress")),
    ("zaanstad", PartnerKind.DISTRICT_TEAM, ("homeVisit", "reasons")),
    # The bailiff records the goods it removed and asks for their pickup: it reads that much
    # of the inventory, not the municipal contact.
    (
        "zaanstad",
        PartnerKind.BAILIFF,
        (
            "evictionDate",
            "contactName",
            "contactAddress",
            "inventoryStorage",
            "inventoryDates",
            "inventoryPickup",
        ),
    ),
    # The storage provider learns whether a release is authorised, and nothing else.
    ("zaanstad", PartnerKind.STORAGE, ("inventoryReleaseAuthorised",)),
    ("deventer", PartnerKind.CARE, ("homeVisit", "reasons")),
    ("deventer", PartnerKind.CREDIT_BANK, ("homeVisit",)),
    ("deventer", PartnerKind.BAILIFF, ("evictionDate", "contactName", "contactAddress")),
)
# Annotation kinds are policy fields: the homeVisit group carries them all, so the covenants
# above let district teams, credit banks and care read what partners did; secondChance
# carries help, arrangements and case conferences for Bureau Woonkans.

#: Grants to a municipality itself, beyond the statutory early-signal fields it always reads:
#: (municipality, fields). Zaanstad's Stedelijke Toegang coordinates the chain and reads what
#: the partners did.
MUNICIPALITY_GRANTS: tuple[tuple[str, tuple[str, ...]], ...] = (("zaanstad", ("annotations",)),)

_FIRST = (
    "Sanne",
    "Mohamed",
    "Kevin",
    "Priya",
    "Joost",
    "Fatma",
    "Dennis",
    "Iris",
    "Rachid",
    "Mark",
    "Esra",
    "Bram",
    "Naima",
    "Ruud",
    "Lotte",
    "Tarik",
)
_LAST = ("Demo", "Voorbeeld", "Testhuis", "Proefman", "Fictief", "Verzonnen")
_STREETS = ("Demostraat", "Voorbeeldlaan", "Proefweg", "Testplein", "Fictieve Kade")
_PHASES = list(Phase)


def _corporation_for(municipality: str) -> str:
    return {
        "zaanstad": "parteon",
        "sittard-geleen": "zowonen",
        "deventer": "ieder1",
        "groningen": "nijestee",
    }[municipality]


def _case(rng: random.Random, number: int, municipality: str, today: dt.date) -> Case:
    phase = rng.choices(_PHASES, weights=(4, 30, 20, 15, 12, 10, 9))[0]
    months = rng.randint(2, 14)
    composition = rng.choices(list(HouseholdComposition), weights=(50, 12, 14, 14, 10))[0]
    reasons = [Reason.RENT_ARREARS] if rng.random() < 0.7 else []
    if rng.random() < 0.25:
        reasons.append(rng.choice([Reason.NUISANCE, Reason.HOUSING_FRAUD, Reason.ILLEGAL_ACTIVITY]))
    reasons = reasons or [Reason.NUISANCE]
    signalled = today - dt.timedelta(days=rng.randint(20, 400))
    case = Case(
        id=uuid.UUID(int=rng.getrandbits(128), version=4),
        municipality_code=municipality,
        owner_id=_corporation_for(municipality),
        phase=phase,
        reasons=sorted(str(r) for r in reasons),
        household_composition=composition,
        children_involved=composition
        in {HouseholdComposition.SINGLE_PARENT, HouseholdComposition.FAMILY},
        arrears_amount=Decimal(months * rng.randint(550, 900)),
        arrears_months=months,
        contact_attempted=True,
        debt_help_referred=True,
        reminder_sent=True,
        tenant_did_not_object=True,
        early_signalled_on=signalled,
        registered_at=dt.datetime.combine(signalled, dt.time(9, number % 60), dt.UTC),
        updated_at=dt.datetime.combine(signalled, dt.time(9, number % 60), dt.UTC),
    )
    index = _PHASES.index(phase)
    if index >= _PHASES.index(Phase.COURT):
        case.judgment_requested_on = signalled + dt.timedelta(days=rng.randint(60, 120))
    if index >= _PHASES.index(Phase.JUDGMENT_SERVED):
        requested = case.judgment_requested_on
        assert requested is not None
        case.judgment_granted_on = requested + dt.timedelta(days=rng.randint(30, 60))
        case.eviction_date = today + dt.timedelta(days=rng.randint(7, 60))
    if phase is Phase.AFTER_EVICTION:
        case.eviction_date = today - dt.timedelta(days=rng.randint(5, 90))
        case.eviction_outcome = rng.choices(
            [EvictionOutcome.EXECUTED, EvictionOutcome.HOUSEHOLD_GONE], weights=(1, 1)
        )[0]
        case.shelter_arranged = case.children_involved or rng.random() < 0.4
        case.housing_block_until = case.eviction_date + dt.timedelta(days=365 * rng.randint(1, 3))
        # Derived, not drawn: the demo's random sequence (and so every other case) stays as it was.
        case.household_destination = (
            HouseholdDestination.CRISIS_SHELTER
            if case.shelter_arranged
            else HouseholdDestination.UNKNOWN
        )
    case.contact = CaseContact(
        name=f"{rng.choice(_FIRST)} {rng.choice(_LAST)}",
        address=f"{rng.choice(_STREETS)} {rng.randint(1, 180)}, {MUNICIPALITIES[municipality]}",
        postal_code=f"{rng.randint(1000, 9999)} DM",
        phone=f"06-0000{number:04d}",
        email=f"huishouden{number:03d}@example.org",
    )
    return case


def seed(
    session: Session, *, cases_per_municipality: int = 50, today: dt.date | None = None
) -> bool:
    """Fill an empty database with the demo; returns False when it held partners already."""
    if session.scalar(select(func.count()).select_from(Partner)):
        return False
    today = today or dt.date.today()
    rng = random.Random(2021)  # the report's year: the same demo on every machine
    for code, name in MUNICIPALITIES.items():
        partners.add_municipality(session, code, name)
    for p in PARTNERS:
        partners.add_partner(
            session, p.id, p.name, p.kind, p.municipalities, authority_for=p.authority_for
        )
    # The covenants date from the start of the demo's history; they are the log's first entries.
    covenant_day = dt.datetime(today.year - demo_agreements.FULL_YEARS, 1, 1, 9, tzinfo=dt.UTC)
    policies = [
        AccessPolicy(
            kind=PolicyKind.GRANT,
            issuer_id=f"gemeente-{municipality}",
            subject=f"kind:{kind}",
            relation="involved",
            municipality=municipality,
            owner="*",
            fields=list(fields),
            purpose="covenant eviction prevention",
            issued_at=covenant_day,
        )
        for municipality, kind, fields in GRANTS
    ]
    policies += [
        AccessPolicy(
            kind=PolicyKind.GRANT,
            issuer_id=f"gemeente-{municipality}",
            subject=f"kind:{PartnerKind.MUNICIPALITY}",
            relation="municipality",
            municipality=municipality,
            owner="*",
            fields=list(fields),
            purpose="covenant eviction prevention",
            issued_at=covenant_day,
        )
        for municipality, fields in MUNICIPALITY_GRANTS
    ]
    # ZOwonen shares only the eviction date with the other organisations involved.
    policies.append(
        AccessPolicy(
            kind=PolicyKind.RESTRICTION,
            issuer_id="zowonen",
            subject="*",
            relation="involved",
            municipality="*",
            owner="zowonen",
            fields=["evictionDate"],
            purpose="data minimisation",
            issued_at=covenant_day,
        )
    )
    session.add_all(policies)
    session.flush()
    for policy in policies:
        policy_admin.log_issued(session, policy, covenant_day)
    bump_version(session)
    helpers = {m: [p for p in PARTNERS if p.role and m in p.municipalities] for m in MUNICIPALITIES}
    number = 0
    for municipality in MUNICIPALITIES:
        for _ in range(cases_per_municipality):
            number += 1
            case = _case(rng, number, municipality, today)
            chosen = rng.sample(helpers[municipality], k=rng.randint(1, 3))
            case.involvements = [
                Involvement(
                    partner_id=p.id,
                    role=p.role,
                    since=case.registered_at,
                    involved_by=case.owner_id,
                )
                for p in chosen
            ]
            session.add(case)
    session.flush()
    # A separate generator, so that adding agreements left the cases above as they were.
    demo_agreements.seed_agreements(session, random.Random(220), today)
    return True


def write_keys(session: Session, folder: Path, *, registry_url: str, audience: str) -> list[Path]:
    """Create a key pair for every demo partner, register it, and write its key file."""
    written = []
    for p in PARTNERS:
        row, private_pem = partners.create_key(session, p.id)
        path = folder / f"{p.id}.json"
        partners.write_key_file(
            path,
            partner_id=p.id,
            kid=row.kid,
            private_key_pem=private_pem,
            registry_url=registry_url,
            audience=audience,
        )
        written.append(path)
    return written
