"""Request slots: a partner's burst waits in its own line and leaves slots to the others; no
slot within the deadline is refused, not waited for."""

from __future__ import annotations

import asyncio
import base64
import json
import threading
import time

import pytest

from registry.web.slots import NoSlotError, RequestSlots, issuer_hint


def _token(claims: object) -> str:
    payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    return f"Bearer e30.{payload}.c2ln"


def test_the_issuer_hint_is_read_without_trusting_it() -> None:
    assert issuer_hint(_token({"iss": "zowonen"})) == "zowonen"
    assert issuer_hint(_token({"iss": "x" * 500})) == "x" * 64
    assert issuer_hint(_token(["not", "an", "object"])) == ""
    assert issuer_hint(_token({"iss": 7})) == ""
    assert issuer_hint("Bearer not-a-token") == ""
    assert issuer_hint("Bearer a.!!!.b") == ""
    assert issuer_hint(None) == ""


def test_a_partners_burst_leaves_slots_to_the_others() -> None:
    slots = RequestSlots(total=4, per_partner=3, deadline=5)
    release = threading.Event()
    running: list[str] = []

    def work(name: str) -> str:
        running.append(name)
        release.wait(5)
        return name

    async def scenario() -> tuple[list[str], float]:
        burst = [asyncio.create_task(slots.run("busy", work, f"busy-{n}")) for n in range(10)]
        while len(running) < 3:
            await asyncio.sleep(0.01)
        started = time.monotonic()
        other = asyncio.create_task(slots.run("other", work, "other"))
        while "other" not in running:
            await asyncio.sleep(0.01)
        waited = time.monotonic() - started
        assert sum(name.startswith("busy") for name in running) == 3  # its line holds the rest
        release.set()
        done = await asyncio.gather(*burst, other)
        return done, waited

    done, waited = asyncio.run(scenario())
    assert sorted(done) == sorted([f"busy-{n}" for n in range(10)] + ["other"])
    assert waited < 1.0


def test_no_slot_within_the_deadline_is_refused_promptly() -> None:
    slots = RequestSlots(total=1, per_partner=1, deadline=0.2)
    release = threading.Event()

    async def scenario() -> float:
        holder = asyncio.create_task(slots.run("a", release.wait, 5))
        await asyncio.sleep(0.05)
        started = time.monotonic()
        with pytest.raises(NoSlotError):
            await slots.run("b", lambda: None)
        refused_after = time.monotonic() - started
        release.set()
        await holder
        return refused_after

    refused_after = asyncio.run(scenario())
    assert 0.15 < refused_after < 1.0
