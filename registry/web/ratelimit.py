"""Per-partner rate limits: how many requests a partner system may send per period, so that
no partner (or a stolen key) can take the registry from the others; over a limit is
``429 RATE_LIMITED`` with ``Retry-After``, at once. (How many of a partner's requests run at
once is the request slots' concern: ``registry.web.slots``.)

Rates are moving windows (``limits``: "30/second;1000/minute"), counted per process; behind a
load balancer with N processes a partner gets up to N times the rate, which the deployment
takes into account.
"""

from __future__ import annotations

import math
import time

import limits
from limits.storage import MemoryStorage
from limits.strategies import MovingWindowRateLimiter

from registry.errors import RateLimitedError


class PartnerLimits:
    """The rate limits of one process, per partner id."""

    def __init__(self, rates: str) -> None:
        # An empty rate string turns rate limiting off.
        self._rates = limits.parse_many(rates) if rates.strip() else []
        self._limiter = MovingWindowRateLimiter(MemoryStorage())

    def check(self, partner_id: str) -> None:
        """Refuse (``RateLimitedError``) if ``partner_id`` is over a rate right now, without
        counting a request: safe to ask before the request is authenticated, since only
        authenticated requests are counted, so nobody can push another partner over its
        limit by claiming its name; a flood from a partner already over it is refused before
        any work is spent on it."""
        for rate in self._rates:
            if not self._limiter.test(rate, partner_id):
                raise self._refusal(rate, partner_id)

    def admit(self, partner_id: str) -> None:
        """Count one request of ``partner_id``; ``RateLimitedError`` (with the seconds until
        the window has room again) when it is over one of its rates."""
        for rate in self._rates:
            if not self._limiter.hit(rate, partner_id):
                raise self._refusal(rate, partner_id)

    def _refusal(self, rate: limits.RateLimitItem, partner_id: str) -> RateLimitedError:
        reset = self._limiter.get_window_stats(rate, partner_id).reset_time
        return RateLimitedError(
            f"over the limit of {rate} for {partner_id}: slow down",
            retry_after=max(1, math.ceil(reset - time.time())),
        )
