"""The demo's history for the eviction monitor: one past year of judgments and evictions per
demo corporation, in the order of magnitude of the report's Appendix 3 (2021: judgments
requested, granted and evictions executed per interviewed corporation).

Where the appendix leaves a figure blank, the demo uses a plausible one (marked below). Every
case is invented and closed: an eviction carried out, found gone, or prevented. Added by
``ketenregister demo`` only, so the cases the tests arrange from the demo stay as they were.
"""

from __future__ import annotations

import datetime as dt
import random
import uuid
from decimal import Decimal

from sqlalchemy.orm import Session

from registry.demo.partners import CORPORATIONS, MUNICIPALITIES
from registry.models import (
    Case,
    CaseContact,
    ClosureOutcome,
    EvictionOutcome,
    HouseholdComposition,
    Phase,
    Reason,
)

YEAR = 2021
#: The history's own random generator: not the cases' (which is seeded with the year), so its
#: case ids differ from theirs and adding it leaves them as they were.
SEED = 3
#: Per demo corporation: judgments requested, granted, evictions executed, and households found
#: gone on the day, in ``YEAR``.
APPENDIX_3: dict[str, tuple[int, int, int, int]] = {
    "parteon": (9, 9, 4, 2),
    "zowonen": (30, 27, 20, 6),  # granted: blank in the appendix
    "ieder1": (65, 58, 6, 3),  # granted: blank in the appendix
    "nijestee": (35, 35, 8, 4),  # executed: blank in the appendix
}
_PREVENTED = (
    ClosureOutcome.PREVENTED_PAYMENT_ARRANGEMENT,
    ClosureOutcome.PREVENTED_DEBT_HELP,
    ClosureOutcome.PREVENTED_MOVED_VOLUNTARILY,
)


def _day(rng: random.Random, start: dt.date, days: int) -> dt.date:
    return start + dt.timedelta(days=rng.randint(0, days))


def _case(rng: random.Random, owner: str, municipality: str, number: int) -> Case:
    requested = _day(rng, dt.date(YEAR, 1, 4), 240)
    signalled = requested - dt.timedelta(days=rng.randint(90, 200))
    registered = dt.datetime.combine(signalled, dt.time(9, number % 60), dt.UTC)
    months = rng.randint(3, 14)
    case = Case(
        id=uuid.UUID(int=rng.getrandbits(128), version=4),
        municipality_code=municipality,
        owner_id=owner,
        phase=Phase.COURT,
        reasons=[str(Reason.RENT_ARREARS)],
        household_composition=HouseholdComposition.SINGLE,
        children_involved=False,
        arrears_amount=Decimal(months * rng.randint(550, 900)),
        arrears_months=months,
        contact_attempted=True,
        debt_help_referred=True,
        reminder_sent=True,
        tenant_did_not_object=True,
        early_signalled_on=signalled,
        judgment_requested_on=requested,
        registered_at=registered,
        updated_at=registered,
    )
    # Invented, like every demo household; kept apart from the case as always.
    case.contact = CaseContact(
        name=f"Huishouden Historie {owner} {number + 1}",
        address=f"Archiefstraat {number + 1}, {MUNICIPALITIES[municipality]}",
        postal_code=f"{rng.randint(1000, 9999)} HS",
    )
    return case


def add(session: Session, rng: random.Random) -> int:
    """Add the year's closed cases of every demo corporation; returns how many."""
    added = 0
    for municipality, owner in CORPORATIONS.items():
        requested, granted, executed, gone = APPENDIX_3[owner]
        for n in range(requested):
            case = _case(rng, owner, municipality, n)
            assert case.judgment_requested_on is not None
            if n >= granted:
                # The court was not asked to decide after all: an arrangement came first.
                case.closed_on = case.judgment_requested_on + dt.timedelta(days=rng.randint(10, 40))
                case.closure_outcome = rng.choice(_PREVENTED)
            else:
                granted_on = case.judgment_requested_on + dt.timedelta(days=rng.randint(20, 50))
                case.judgment_granted_on = granted_on
                case.phase = Phase.JUDGMENT_SERVED
                if n < executed + gone:
                    case.phase = Phase.AFTER_EVICTION
                    case.eviction_date = granted_on + dt.timedelta(days=rng.randint(20, 60))
                    on_day = n < executed
                    case.eviction_outcome = (
                        EvictionOutcome.EXECUTED if on_day else EvictionOutcome.HOUSEHOLD_GONE
                    )
                    case.closure_outcome = (
                        ClosureOutcome.EVICTED if on_day else ClosureOutcome.HOUSEHOLD_GONE
                    )
                    case.closed_on = case.eviction_date + dt.timedelta(days=rng.randint(7, 30))
                else:
                    case.closed_on = granted_on + dt.timedelta(days=rng.randint(10, 60))
                    case.closure_outcome = rng.choice(_PREVENTED)
            case.updated_at = dt.datetime.combine(case.closed_on, dt.time(12), dt.UTC)
            session.add(case)
            added += 1
    session.flush()
    return added
