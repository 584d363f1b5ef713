"""The demo's bulk cases (``ketenregister demo --cases N``): a caseload each of the four
corporations brings along, registered through the import path (``registry.imports``) exactly
as ``ketenregister import`` registers a file's lines. Every household is invented."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Iterator
from decimal import Decimal

from sqlalchemy.orm import Session, sessionmaker

from registry.cases.service import NewCase, NewContact
from registry.demo.partners import CORPORATIONS, MUNICIPALITIES
from registry.imports import batches
from registry.imports.batches import Progress
from registry.imports.lines import ImportLine
from registry.models import HouseholdComposition, Reason

#: Its own generator's seed, so that the demo's other cases stay as they were.
SEED = 1700


def caseload(owner: str, municipality: str, count: int, today: dt.date) -> Iterator[ImportLine]:
    """``count`` rent-arrears cases of ``owner`` in ``municipality``, every early-signal step
    taken, signalled in the past year; references ``DEMO-<owner>-<n>``, so a second run adds
    only what is missing."""
    rng = random.Random(f"{SEED}-{owner}")
    place = MUNICIPALITIES[municipality]
    for number in range(1, count + 1):
        months = rng.randint(2, 9)
        composition = rng.choice(list(HouseholdComposition))
        yield ImportLine(
            number,
            f"DEMO-{owner}-{number:07d}",
            NewCase(
                municipality=municipality,
                household_composition=composition,
                children_involved=composition
                in {HouseholdComposition.SINGLE_PARENT, HouseholdComposition.FAMILY},
                arrears_amount=Decimal(months * rng.randint(550, 900)),
                arrears_months=months,
                reasons=[Reason.RENT_ARREARS],
                contact=NewContact(
                    name=f"Huishouden Bulk{number:07d}",
                    address=f"Bulkstraat {rng.randint(1, 400)}, {place}",
                    postal_code=f"{rng.randint(1000, 9999)} BK",
                ),
                contact_attempted=True,
                debt_help_referred=True,
                reminder_sent=True,
                tenant_did_not_object=True,
                early_signalled_on=today - dt.timedelta(days=rng.randint(1, 365)),
            ),
        )


def shares(cases: int) -> dict[str, int]:
    """How many of ``cases`` each corporation brings (as evenly as they divide)."""
    owners = list(CORPORATIONS.items())
    return {
        municipality: cases // len(owners) + (i < cases % len(owners))
        for i, (municipality, _) in enumerate(owners)
    }


def add(
    sessions: sessionmaker[Session],
    cases: int,
    now: dt.datetime,
    *,
    progress: Progress | None = None,
) -> int:
    """Import ``cases`` bulk cases, shared among the corporations; returns how many were new.
    ``progress`` advances by one per line checked and one per line written (``2 * cases``).

    Raises:
        ImportRefusedError: a line was refused (a bug of this module: every line is valid).
    """
    imported = 0
    for municipality, count in shares(cases).items():
        owner = CORPORATIONS[municipality]
        lines = caseload(owner, municipality, count, now.date())
        checked = batches.check(sessions, owner, lines, now=now, progress=progress)
        if checked.errors:
            raise batches.ImportRefusedError(checked.errors, checked.lines)
        lines = caseload(owner, municipality, count, now.date())
        imported += batches.write(sessions, owner, lines, now=now, progress=progress).imported
    return imported
