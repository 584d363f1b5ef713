"""The demo's ~200 synthetic cases: households in every phase, drawn from one seeded random
generator so that every machine gets the same demo, with the helping partners involved in
each. Every household is invented."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Sequence
from decimal import Decimal

from sqlalchemy.orm import Session

from registry.demo.partners import CORPORATIONS, MUNICIPALITIES, PARTNERS
from registry.models import (
    Case,
    CaseContact,
    EvictionOutcome,
    HouseholdComposition,
    HouseholdDestination,
    Involvement,
    Phase,
    Reason,
)

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
# The demo's cases are rent-arrears cases: their phases, in order.
_PHASES = [p for p in Phase if p is not Phase.INTERVENTION]


def household_case(
    rng: random.Random,
    *,
    municipality: str,
    owner: str,
    phase: Phase,
    reasons: Sequence[Reason],
    composition: HouseholdComposition,
    months: int,
    rent: tuple[int, int],
    signalled: dt.date,
    registered_at: dt.datetime,
) -> Case:
    """A demo household's case, every early-signal step taken, ``months`` of a monthly rent
    in ``rent`` in arrears. Its id and then its rent are drawn from ``rng``, in that order:
    the demo's cases depend on the sequence."""
    return Case(
        id=uuid.UUID(int=rng.getrandbits(128), version=4),
        municipality_code=municipality,
        owner_id=owner,
        phase=phase,
        reasons=sorted(str(r) for r in reasons),
        household_composition=composition,
        children_involved=composition
        in {HouseholdComposition.SINGLE_PARENT, HouseholdComposition.FAMILY},
        arrears_amount=Decimal(months * rng.randint(*rent)),
        arrears_months=months,
        contact_attempted=True,
        debt_help_referred=True,
        reminder_sent=True,
        tenant_did_not_object=True,
        early_signalled_on=signalled,
        registered_at=registered_at,
        updated_at=registered_at,
    )


def _case(rng: random.Random, number: int, municipality: str, today: dt.date) -> Case:
    phase = rng.choices(_PHASES, weights=(4, 30, 20, 15, 12, 10, 9))[0]
    months = rng.randint(2, 14)
    composition = rng.choices(list(HouseholdComposition), weights=(50, 12, 14, 14, 10))[0]
    reasons = [Reason.RENT_ARREARS] if rng.random() < 0.7 else []
    if rng.random() < 0.25:
        reasons.append(rng.choice([Reason.NUISANCE, Reason.HOUSING_FRAUD, Reason.ILLEGAL_ACTIVITY]))
    reasons = reasons or [Reason.NUISANCE]
    signalled = today - dt.timedelta(days=rng.randint(20, 400))
    case = household_case(
        rng,
        municipality=municipality,
        owner=CORPORATIONS[municipality],
        phase=phase,
        reasons=reasons,
        composition=composition,
        months=months,
        rent=(550, 900),
        signalled=signalled,
        registered_at=dt.datetime.combine(signalled, dt.time(9, number % 60), dt.UTC),
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


def add(
    session: Session, rng: random.Random, today: dt.date, *, cases_per_municipality: int
) -> None:
    """Add ``cases_per_municipality`` cases in each municipality, drawn from ``rng``, each
    with one to three of the partners that help there involved."""
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
