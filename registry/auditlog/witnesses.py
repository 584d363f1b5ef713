"""Asking the partners' witnesses to cosign the log's checkpoints (C2SP tlog-witness, as a log).

The registry is configured with its witnesses (``KETENREGISTER_WITNESSES``: a URL and the
witness's verifier key each). When ``GET /checkpoint`` serves a checkpoint that some witness
has not cosigned yet, `Cosigner.cosigned` asks each such witness at once::

    POST <witness URL>/add-checkpoint
    old <the size the witness last cosigned>
    <consistency proof from that size to the checkpoint's, one base64 hash a line>

    <the checkpoint as the log signed it>

The witness answers ``200`` with its cosignature line, or ``409`` with the size it really
has (after a restart of the registry, or when another registry process moved it on), and
the registry asks once more with a proof from that size. Every cosignature is verified
against the configured key before it is kept; one that does not verify is logged and
dropped, never stored, so never served. Verified lines are added to the stored checkpoint
(``checkpoints.add_cosignatures``), which is what ``GET /checkpoint`` and the GraphQL API
serve from then on.

A witness that cannot be reached, refuses, or answers something unusable is asked again only
after a back-off (doubling, up to five minutes), so a witness that is down costs a request
at most one timeout now and then. Nothing here holds a database connection while it waits
for a witness: proofs are read and cosignatures stored in request slots of their own.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Protocol, TypeVar

import httpx
from sqlalchemy.orm import Session, sessionmaker

from registry.auditlog import checkpoints, proofs
from registry.auditlog.cosignatures import (
    CosignatureError,
    WitnessKey,
    parse_witness_key,
    signature_line_key,
    verify_cosignature,
)
from registry.errors import ConflictError, NotFoundError
from registry.models import AuditCheckpoint

log = logging.getLogger(__name__)

T = TypeVar("T")

#: tlog-witness: the content type of a 409 answer that carries the witness's size.
SIZE_CONTENT_TYPE = "text/x.tlog.size"
#: An answer is a few signature lines; anything much larger is not a witness talking.
MAX_ANSWER_BYTES = 16 * 1024
_FIRST_BACKOFF = 2.0
_MAX_BACKOFF = 300.0
#: A 409 moves the old size on; a witness that keeps moving it is not followed further.
_ATTEMPTS = 3


class WitnessConfigError(ValueError):
    """A configured witness is not ``<URL> <verifier key>`` (a startup error)."""


@dataclass(frozen=True)
class Witness:
    """One witness the registry asks: its submission URL prefix and its verifier key."""

    url: str
    key: WitnessKey

    @property
    def name(self) -> str:
        """The witness's key name, as its cosignature lines carry it."""
        return self.key.name


def parse_witnesses(configured: Sequence[tuple[str, str]]) -> tuple[Witness, ...]:
    """The witnesses of ``(URL, verifier key)`` pairs, as ``Settings.witnesses`` holds them.

    Raises:
        WitnessConfigError: a URL is not http(s), a key is malformed, or two share a name.
    """
    witnesses = []
    for url, vkey in configured:
        if not url.startswith(("http://", "https://")):
            raise WitnessConfigError(f"witness URL {url!r} is not http(s)")
        try:
            key = parse_witness_key(vkey)
        except CosignatureError as exc:
            raise WitnessConfigError(f"witness at {url}: {exc}") from None
        witnesses.append(Witness(url.rstrip("/"), key))
    names = [w.name for w in witnesses]
    if len(set(names)) != len(names):
        raise WitnessConfigError("two configured witnesses share a key name")
    return tuple(witnesses)


class SlotRunner(Protocol):
    """Runs blocking database work in a request slot (``Registry.in_slot``)."""

    def __call__(self, work: Callable[[], T], /) -> Awaitable[T]:
        """``work()`` in a thread once a slot is free."""
        ...


@dataclass(frozen=True)
class _Checkpoint:
    size: int
    log_note: str  # as the log signed it, without cosignatures
    body: str  # the checkpoint text the cosignatures cover


def _parse(note: str) -> _Checkpoint:
    log_note, _ = checkpoints.split_cosignatures(note)
    body = log_note[: log_note.rfind("\n\n") + 1]
    return _Checkpoint(int(body.split("\n")[1]), log_note, body)


class Cosigner:
    """Collects, verifies and stores the witnesses' cosignatures of the log's checkpoints."""

    def __init__(
        self,
        witnesses: Sequence[Witness],
        *,
        sessions: sessionmaker[Session],
        run: SlotRunner,
        timeout: float,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.witnesses = tuple(witnesses)
        self._sessions = sessions
        self._run = run
        self._timeout = timeout
        self._clock = clock
        #: The size each witness last said it had (tlog-witness: start from 0 and learn).
        self._sizes: dict[str, int] = {}
        self._retry_at: dict[str, float] = {}
        self._backoff: dict[str, float] = {}
        self._locks: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}
        # Made once: building a TLS context costs more than a whole round of cosigning.
        self._tls = httpx.create_ssl_context()

    def missing(self, note: str) -> list[Witness]:
        """The witnesses without a cosignature on ``note`` that may be asked now."""
        present = set()
        for line in checkpoints.split_cosignatures(note)[1]:
            try:
                present.add(signature_line_key(line))
            except CosignatureError:  # an edited note: log verify says so; ask the witnesses
                continue
        now = self._clock()
        return [
            witness
            for witness in self.witnesses
            if (witness.name, witness.key.key_id) not in present
            and self._retry_at.get(witness.name, 0.0) <= now
        ]

    def _lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            self._locks = {loop: (lock := asyncio.Lock())}  # one loop serves a process
        return lock

    async def cosigned(self, note: str) -> str:
        """``note`` with every cosignature that could be had now, stored for the next time.

        One round of witness requests at a time per process: a request that arrives while
        one runs waits for it and then finds the cosignatures stored.
        """
        if not self.missing(note):
            return note
        checkpoint = _parse(note)
        async with self._lock():
            note = await self._run(functools.partial(self._stored_note, checkpoint.size))
            missing = self.missing(note)
            if not missing:
                return note
            started = time.perf_counter()
            async with httpx.AsyncClient(timeout=self._timeout, verify=self._tls) as client:
                answers = await asyncio.gather(
                    *(self._ask_in_time(client, witness, checkpoint) for witness in missing)
                )
            lines = [line for line in answers if line is not None]
            if lines:
                try:
                    note = await self._run(functools.partial(self._store, checkpoint.size, lines))
                except (ConflictError, NotFoundError) as exc:  # served as it was; next time
                    log.warning(
                        "cosignatures of checkpoint %d not stored: %s", checkpoint.size, exc
                    )
            log.info(
                "checkpoint %d cosigned by %d of %d witnesses asked in %.1f ms",
                checkpoint.size,
                len(lines),
                len(missing),
                (time.perf_counter() - started) * 1000,
            )
            return note

    def _stored_note(self, size: int) -> str:
        with self._sessions() as session:
            stored = session.get(AuditCheckpoint, size)
            if stored is None:  # served a moment ago: checkpoints are never deleted
                raise NotFoundError(f"no checkpoint of size {size} was signed")
            return stored.note

    def _store(self, size: int, lines: list[str]) -> str:
        with self._sessions.begin() as session:
            return checkpoints.add_cosignatures(session, size, lines)

    def _consistency(self, old: int, new: int) -> list[bytes]:
        with self._sessions() as session:
            return proofs.consistency(session, old, new)

    def _failed(self, witness: Witness, message: str, *args: object) -> None:
        backoff = min(_MAX_BACKOFF, self._backoff.get(witness.name, _FIRST_BACKOFF / 2) * 2)
        self._backoff[witness.name] = backoff
        self._retry_at[witness.name] = self._clock() + backoff
        log.warning(
            "witness %s: " + message + "; asked again in %.0f s", witness.name, *args, backoff
        )

    async def _ask_in_time(
        self, client: httpx.AsyncClient, witness: Witness, checkpoint: _Checkpoint
    ) -> str | None:
        try:
            return await asyncio.wait_for(self._ask(client, witness, checkpoint), self._timeout)
        except (httpx.HTTPError, TimeoutError) as exc:
            self._failed(witness, "not reached (%s)", type(exc).__name__)
            return None

    async def _ask(
        self, client: httpx.AsyncClient, witness: Witness, checkpoint: _Checkpoint
    ) -> str | None:
        old = self._sizes.get(witness.name, 0)
        for _ in range(_ATTEMPTS):
            if old > checkpoint.size:
                # It cosigned a larger checkpoint (through another registry process): this one
                # is already stale, the next GET /checkpoint serves a larger one.
                log.info("witness %s is at size %d, beyond %d", witness.name, old, checkpoint.size)
                return None
            proof = []
            if old not in (0, checkpoint.size):
                proof = await self._run(functools.partial(self._consistency, old, checkpoint.size))
            request = "".join(
                [f"old {old}\n", *(base64.b64encode(h).decode() + "\n" for h in proof), "\n"]
            )
            response = await client.post(
                f"{witness.url}/add-checkpoint", content=(request + checkpoint.log_note).encode()
            )
            if response.status_code == 200:
                self._sizes[witness.name] = checkpoint.size
                return self._accept(witness, checkpoint, response)
            reported = self._reported_size(response)
            if response.status_code != 409 or reported is None:
                self._failed(
                    witness,
                    "refused checkpoint %d: HTTP %d %s",
                    checkpoint.size,
                    response.status_code,
                    response.text[:200].strip(),
                )
                return None
            if reported == old:
                # Same size, other root: the witness holds a different history of this log.
                self._failed(witness, "holds another root at size %d: the log forked?", old)
                return None
            old = self._sizes[witness.name] = reported
        self._failed(witness, "kept moving its size (last %d)", old)
        return None

    @staticmethod
    def _reported_size(response: httpx.Response) -> int | None:
        if not response.headers.get("content-type", "").startswith(SIZE_CONTENT_TYPE):
            return None
        text = response.text.strip()
        return int(text) if text.isdigit() and len(text) < 20 else None

    def _accept(
        self, witness: Witness, checkpoint: _Checkpoint, response: httpx.Response
    ) -> str | None:
        if len(response.content) > MAX_ANSWER_BYTES:
            self._failed(witness, "answered %d bytes", len(response.content))
            return None
        for line in response.text.splitlines():
            try:
                name, key_id = signature_line_key(line)
            except CosignatureError as exc:
                log.warning("witness %s answered a malformed line, ignored: %s", witness.name, exc)
                continue
            if (name, key_id) != (witness.name, witness.key.key_id):
                continue  # another key of the witness: tlog-witness says to ignore it
            try:
                verify_cosignature(line, checkpoint.body, witness.key)
            except CosignatureError as exc:
                log.warning("witness %s: cosignature ignored, never served: %s", witness.name, exc)
                continue
            self._backoff.pop(witness.name, None)
            return line + "\n"
        self._failed(witness, "gave no valid cosignature on checkpoint %d", checkpoint.size)
        return None
