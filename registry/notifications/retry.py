"""When to try a failed delivery again: exponential backoff with full jitter.

The n-th retry waits a random time between zero and ``min(cap, base * 2**(n-1))``: "full
jitter" (AWS Architecture Blog, "Exponential Backoff And Jitter"), so receivers that come back
after an outage are not hit by every sender at the same moment. With the defaults the ceiling
grows 10 s, 20 s, 40 s, ... to 6 hours; after ``max_attempts`` attempts the delivery fails.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how patiently a delivery is attempted."""

    base: dt.timedelta = dt.timedelta(seconds=10)
    cap: dt.timedelta = dt.timedelta(hours=6)
    max_attempts: int = 12

    def ceiling(self, attempts: int) -> dt.timedelta:
        """The longest wait after ``attempts`` failed attempts (1 or more)."""
        exponent = min(max(attempts - 1, 0), 32)  # 2**32 times the base is past any cap
        return min(self.cap, self.base * int(2**exponent))

    def delay(self, attempts: int, rng: random.Random) -> dt.timedelta:
        """A wait drawn uniformly from zero to the ceiling (full jitter)."""
        return self.ceiling(attempts) * rng.random()

    def gives_up(self, attempts: int) -> bool:
        """Whether ``attempts`` failed attempts are the last."""
        return attempts >= self.max_attempts
