"""The periods that govern an evicted household's stored goods, as pure date arithmetic.

Since 1 April 2021 the municipality removes and stores the goods left behind at an eviction
(art. 556 lid 3 Rv), and Awb 5:29 and 5:30 apply by analogy:

* the goods may be sold, or if selling proves impossible given away or destroyed, only when
  they were not collected within **13 weeks** of their removal;
* never within **2 weeks** of handing over the copy of the official record (*proces-verbaal*),
  unless the goods perish quickly or are dangerous;
* the former owner may claim the proceeds of a sale for **3 years** after the sale.

(The periods as issue 5 states them; the articles' own wording governs where they differ.)

Zaanstad's practice, which the registry makes its rule: a household that asks to pick up its
goods is first contacted by the municipality, within ``CONTACT_DUE_WORKING_DAYS``.
"""

from __future__ import annotations

import datetime as dt

#: Goods not collected within 13 weeks of removal may be disposed of.
STORAGE_WEEKS = 13
#: And never within two weeks of handing over the copy of the official record.
COPY_WAIT_DAYS = 14
#: The former owner keeps a right to the proceeds of a sale for three years.
CLAIM_YEARS = 3
#: The municipal contact a pickup request triggers is due within this many working days. A
#: pickup is on hold until the contact's outcome is recorded, so the household waits for its
#: own belongings meanwhile: a week is what Zaanstad's practice asks of the municipality, and
#: more than twice what the district teams take to answer a signal (domain.md: two days).
CONTACT_DUE_WORKING_DAYS = 5


def thirteen_weeks_on(removed_on: dt.date) -> dt.date:
    """The day the 13 weeks after removal have passed: from then on the goods count as
    uncollected."""
    return removed_on + dt.timedelta(weeks=STORAGE_WEEKS)


def copy_wait_ends_on(copy_handed_over_on: dt.date) -> dt.date:
    """The first day after the two weeks that follow handing over the copy of the record."""
    return copy_handed_over_on + dt.timedelta(days=COPY_WAIT_DAYS)


def disposable_from(
    removed_on: dt.date, copy_handed_over_on: dt.date, *, perishable_or_dangerous: bool
) -> dt.date:
    """The earliest day uncollected goods may be sold, given away or destroyed: after 13 weeks
    and after the two weeks of the copy, or at once when they perish or are dangerous."""
    if perishable_or_dangerous:
        return removed_on
    return max(thirteen_weeks_on(removed_on), copy_wait_ends_on(copy_handed_over_on))


def claimable_until(sold_on: dt.date) -> dt.date:
    """The last day the former owner may claim the proceeds of a sale: three years on, to the
    same day (a sale on 29 February runs to 28 February, as periods in years do)."""
    year = sold_on.year + CLAIM_YEARS
    try:
        return sold_on.replace(year=year)
    except ValueError:  # 29 February in a year that has none
        return dt.date(year, 2, 28)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """``days`` working days (Monday to Friday) after ``start``; ``start`` itself does not count.

    Public holidays are not skipped: the registry keeps no holiday calendar per municipality,
    and a due date a day early errs on the household's side.
    """
    if days < 0:
        raise ValueError("days must not be negative")
    day = start
    while days:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days -= 1
    return day
