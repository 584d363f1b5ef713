"""The periods of stored goods (art. 556 lid 3 Rv, Awb 5:29/5:30 by analogy), as pure date
arithmetic: expected dates written out by hand, and properties checked with Hypothesis."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from registry.inventory import periods

D = dt.date


def test_thirteen_weeks_are_91_days_after_removal() -> None:
    assert periods.thirteen_weeks_on(D(2026, 11, 5)) == D(2027, 2, 4)


@pytest.mark.parametrize(
    ("removed", "copy", "perishable", "expected"),
    [
        # The copy handed over at the removal: the 13 weeks decide.
        (D(2026, 11, 5), D(2026, 11, 5), False, D(2027, 2, 4)),
        # The copy handed over late: two weeks after it decide.
        (D(2026, 11, 5), D(2027, 1, 28), False, D(2027, 2, 11)),
        # Perishable or dangerous goods: no waiting at all.
        (D(2026, 11, 5), D(2027, 1, 28), True, D(2026, 11, 5)),
    ],
)
def test_disposable_from(removed: D, copy: D, perishable: bool, expected: D) -> None:
    assert periods.disposable_from(removed, copy, perishable_or_dangerous=perishable) == expected


@pytest.mark.parametrize(
    ("sold", "until"),
    [(D(2027, 2, 4), D(2030, 2, 4)), (D(2028, 2, 29), D(2031, 2, 28))],
)
def test_proceeds_are_claimable_for_three_years(sold: D, until: D) -> None:
    assert periods.claimable_until(sold) == until


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (D(2026, 11, 5), D(2026, 11, 12)),  # Thursday: the next Thursday
        (D(2026, 11, 6), D(2026, 11, 13)),  # Friday: the next Friday
        (D(2026, 11, 7), D(2026, 11, 13)),  # Saturday: Friday (Monday is day one)
        (D(2026, 11, 8), D(2026, 11, 13)),  # Sunday: Friday
    ],
)
def test_a_contact_is_due_five_working_days_on(start: D, expected: D) -> None:
    assert periods.add_working_days(start, periods.CONTACT_DUE_WORKING_DAYS) == expected


@given(st.dates(min_value=D(2000, 1, 1), max_value=D(2100, 1, 1)), st.integers(0, 60))
def test_working_days_count_only_weekdays_after_the_start(start: D, days: int) -> None:
    end = periods.add_working_days(start, days)
    between = [start + dt.timedelta(days=n) for n in range(1, (end - start).days + 1)]
    assert sum(d.weekday() < 5 for d in between) == days
    assert days == 0 or end.weekday() < 5  # a due date never falls in a weekend


@given(
    st.dates(min_value=D(2021, 4, 1), max_value=D(2100, 1, 1)),
    st.integers(0, 200),
    st.booleans(),
)
def test_disposal_never_comes_before_either_period(
    removed: D, copy_after: int, perishable: bool
) -> None:
    copy = removed + dt.timedelta(days=copy_after)
    earliest = periods.disposable_from(removed, copy, perishable_or_dangerous=perishable)
    if perishable:
        assert earliest == removed
    else:
        assert earliest >= removed + dt.timedelta(weeks=13)
        assert earliest >= copy + dt.timedelta(days=14)
        assert earliest in {removed + dt.timedelta(weeks=13), copy + dt.timedelta(days=14)}
