"""Yearly monitoring figures of second-chance agreements, without exposing individuals.

Per year in which agreements were proposed (the cohort): how many applications, how many
became an agreement, and how the agreements made have ended. Only counts leave this module,
and a year with fewer than ``MIN_COUNT`` applications shows no numbers at all, because small
counts can single out a household.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import select

from policies import Permission, Relation
from registry.errors import InvalidInputError, NotAllowedError
from registry.models import AgreementStatus, SecondChanceAgreement

if TYPE_CHECKING:
    from registry.request import RequestScope

#: Fewer applications than this in a year: its figures are suppressed.
MIN_COUNT = 10
MAX_YEARS = 25


@dataclass(frozen=True)
class YearFigures:
    """One year's cohort of applications. Counts are None when ``suppressed``."""

    year: int
    suppressed: bool
    applications: int | None = None
    agreements_made: int | None = None
    running: int | None = None
    completed: int | None = None
    breached: int | None = None
    ended_otherwise: int | None = None

    @property
    def agreement_rate(self) -> float | None:
        """The share of applications that became an agreement."""
        if not self.applications or self.agreements_made is None:
            return None
        return round(self.agreements_made / self.applications, 3)

    @property
    def success_rate(self) -> float | None:
        """The share of ended agreements that were completed (kept to the end); None while
        most of the year's agreements still run, because failures end early and successes
        late, so an early rate would understate success."""
        closed = (self.completed or 0) + (self.breached or 0) + (self.ended_otherwise or 0)
        if self.suppressed or not closed or (self.running or 0) > closed:
            return None
        return round((self.completed or 0) / closed, 3)


def yearly(
    scope: RequestScope, municipality: str, from_year: int, to_year: int
) -> list[YearFigures]:
    """The figures of ``municipality`` per year, for a partner that monitors agreements and
    works there."""
    principal = scope.principal
    scope.require(
        Permission.AGREEMENT_FIGURES_READ,
        Relation.NONE,
        "read agreement figures",
        refusal=f"{principal.partner_id} does not read agreement figures",
    )
    if municipality not in principal.municipalities:
        raise NotAllowedError(f"{principal.partner_id} does not work in {municipality!r}")
    if from_year > to_year or to_year - from_year >= MAX_YEARS:
        raise InvalidInputError(f"give from 1 to {MAX_YEARS} years, the first not after the last")
    # Counted here rather than in SQL: a municipality has a few hundred agreements a year,
    # and the year of a timestamp is computed the same way on every database this way.
    rows = scope.session.execute(
        select(
            SecondChanceAgreement.proposed_at,
            SecondChanceAgreement.activated_at,
            SecondChanceAgreement.status,
        ).where(SecondChanceAgreement.municipality_code == municipality)
    )
    counts: dict[int, Counter[str]] = {year: Counter() for year in range(from_year, to_year + 1)}
    for proposed_at, activated_at, status in rows:
        tally = counts.get(proposed_at.year)
        if tally is None:
            continue
        tally["applications"] += 1
        if activated_at is not None:
            tally["made"] += 1
            tally[str(status)] += 1
    figures = []
    for year, tally in counts.items():
        if tally["applications"] < MIN_COUNT:
            figures.append(YearFigures(year, suppressed=True))
            continue
        figures.append(
            YearFigures(
                year,
                suppressed=False,
                applications=tally["applications"],
                agreements_made=tally["made"],
                running=tally[AgreementStatus.ACTIVE],
                completed=tally[AgreementStatus.COMPLETED],
                breached=tally[AgreementStatus.BREACHED],
                ended_otherwise=tally[AgreementStatus.ENDED_OTHERWISE],
            )
        )
    return figures
