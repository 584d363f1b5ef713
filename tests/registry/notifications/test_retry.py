"""Exponential backoff with full jitter."""

from __future__ import annotations

import datetime as dt
import random

from hypothesis import given
from hypothesis import strategies as st

from registry.notifications.retry import RetryPolicy

POLICY = RetryPolicy()


def test_the_ceiling_doubles_up_to_the_cap() -> None:
    ceilings = [POLICY.ceiling(n).total_seconds() for n in range(1, 16)]
    assert ceilings[:5] == [10, 20, 40, 80, 160]
    assert ceilings[-1] == POLICY.cap.total_seconds() == 6 * 3600
    assert ceilings == sorted(ceilings)


@given(attempts=st.integers(min_value=1, max_value=10_000), seed=st.integers())
def test_a_wait_lies_between_zero_and_the_ceiling(attempts: int, seed: int) -> None:
    wait = POLICY.delay(attempts, random.Random(seed))
    assert dt.timedelta(0) <= wait <= POLICY.ceiling(attempts)


def test_waits_are_spread_over_the_whole_range() -> None:
    rng = random.Random(4)
    waits = [POLICY.delay(6, rng) / POLICY.ceiling(6) for _ in range(2000)]
    assert min(waits) < 0.05
    assert max(waits) > 0.95  # full jitter, not "equal" jitter around a fixed backoff


def test_gives_up_after_the_last_attempt() -> None:
    assert not POLICY.gives_up(POLICY.max_attempts - 1)
    assert POLICY.gives_up(POLICY.max_attempts)
