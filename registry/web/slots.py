"""Request slots: how many requests one process runs at once, and who waits for which.

A request runs in a worker thread only while it holds one of ``total`` slots (each slot can
hold one pooled database connection, so a request never waits on the pool). The others wait
without a thread, first come first served, up to ``deadline`` seconds, and are then refused
(``NoSlotError``: the caller answers ``503`` with ``Retry-After``). One partner system holds at
most ``per_partner`` slots at a time and its further requests wait in its own line, so a burst
from one partner always leaves slots to the others.

Which partner a request is for is read from its token's unverified ``iss`` claim: for queueing
only, never for access. A request that lies about it can only make itself wait in another
partner's line, and is refused by authentication when its turn comes.
"""

from __future__ import annotations

import asyncio
import base64
import binascii
import json
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import anyio
from starlette.concurrency import run_in_threadpool
from starlette.responses import PlainTextResponse

from registry.db import is_transient

P = ParamSpec("P")
T = TypeVar("T")

#: What a request that found no slot, or the database out of reach, is told (with 503).
BUSY = "the registry is busy or its database is out of reach: retry shortly"
#: Seconds a refused request waits: long enough for a queue to drain a little, short enough
#: for a restart.
RETRY_AFTER = "1"

#: Lines kept for partners at most; past this, idle lines are dropped (made-up issuers must
#: not grow the process).
_MAX_LINES = 10_000


class NoSlotError(Exception):
    """No slot came free within the deadline."""


def is_busy(exc: BaseException) -> bool:
    """Whether ``exc`` means "try again shortly": no slot came free, or the database is out
    of reach. The request did nothing, so the same request may be sent again."""
    return isinstance(exc, NoSlotError) or is_transient(exc)


def busy_text() -> PlainTextResponse:
    """The plain-text 503 of an endpoint beside GraphQL that could not run now."""
    return PlainTextResponse(f"{BUSY}\n", 503, headers={"Retry-After": RETRY_AFTER})


def issuer_hint(authorization: str | None) -> str:
    """The ``iss`` a bearer token claims, unverified ('' when there is none): a queue name."""
    if not authorization:
        return ""
    token = authorization.partition(" ")[2].strip()
    parts = token.split(".")
    if len(parts) != 3 or len(parts[1]) > 4096:
        return ""
    try:
        claims = json.loads(base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4)))
    except (ValueError, binascii.Error, RecursionError):
        return ""
    issuer = claims.get("iss") if isinstance(claims, dict) else None
    return issuer[:64] if isinstance(issuer, str) else ""


class RequestSlots:
    """The slots of one process (see the module docstring)."""

    def __init__(self, total: int, per_partner: int, deadline: float) -> None:
        self.total = total
        self.per_partner = per_partner
        self.deadline = deadline
        # Made in the event loop that serves: one per process in production (tests run a
        # loop per request, and get fresh ones).
        self._loop: asyncio.AbstractEventLoop | None = None
        self._all: anyio.CapacityLimiter | None = None
        self._lines: dict[str, anyio.CapacityLimiter] = {}

    def _limiters(self, partner: str) -> tuple[anyio.CapacityLimiter, anyio.CapacityLimiter]:
        loop = asyncio.get_running_loop()
        if self._all is None or self._loop is not loop:
            self._loop, self._all, self._lines = loop, anyio.CapacityLimiter(self.total), {}
        line = self._lines.get(partner)
        if line is None:
            if len(self._lines) >= _MAX_LINES:
                self._lines = {
                    name: kept
                    for name, kept in self._lines.items()
                    if kept.borrowed_tokens or kept.statistics().tasks_waiting
                }
            line = self._lines[partner] = anyio.CapacityLimiter(self.per_partner)
        return line, self._all

    def in_use(self) -> int:
        """Slots held right now."""
        return int(self._all.borrowed_tokens) if self._all is not None else 0

    async def run(self, partner: str, work: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``work`` in a thread once ``partner`` may and a slot is free; ``NoSlotError``
        when that does not happen within the deadline."""
        line, every = self._limiters(partner)
        taken: list[anyio.CapacityLimiter] = []
        try:
            with anyio.move_on_after(self.deadline) as waiting:
                await line.acquire()
                taken.append(line)
                await every.acquire()
                taken.append(every)
            if waiting.cancelled_caught:
                raise NoSlotError
            return await run_in_threadpool(work, *args, **kwargs)
        finally:
            for limiter in reversed(taken):
                limiter.release()
