"""The signed log's public endpoints: ``GET /checkpoint`` (the latest signed checkpoint, with
the witnesses' cosignatures) and ``GET /log/key`` (the verifier key partners configure).

Public on purpose: a checkpoint holds a size and a hash, and monitors must be able to fetch it
without an account.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from registry.auditlog import checkpoints
from registry.auditlog.signer import LogSigner
from registry.auditlog.witnesses import Cosigner
from registry.errors import RegistryError
from registry.web.slots import RequestSlots, busy_text, is_busy

log = logging.getLogger(__name__)

_NO_KEY = "this registry has no log signing key configured\n"


class CheckpointEndpoints:
    """The signed log's endpoints for one deployment (no signer configured: both answer 503)."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        slots: RequestSlots,
        clock: Callable[[], dt.datetime],
        signer: LogSigner | None,
        cosigner: Cosigner | None,
    ) -> None:
        self.sessions = sessions
        self.slots = slots
        self.clock = clock
        self.signer = signer
        self.cosigner = cosigner

    def _latest(self) -> str:
        with self.sessions() as session:
            checkpoint = checkpoints.latest(session, self.signer, self.clock())
            session.commit()
            return checkpoint.note

    async def checkpoint(self, _request: Request) -> Response:
        """GET /checkpoint: the log's latest signed checkpoint, as plain text for any tool,
        with the cosignatures of the configured witnesses it could get."""
        if self.signer is None:
            return PlainTextResponse(_NO_KEY, 503)
        try:
            note = await self.slots.run("", self._latest)
            if self.cosigner is not None:
                note = await self.cosigner.cosigned(note)
        except RegistryError as exc:  # e.g. entries were removed: it signs nothing smaller
            log.error("no checkpoint signed: %s", exc.message)
            return PlainTextResponse(f"{exc.code}: {exc.message}\n", 409)
        except Exception as exc:
            if is_busy(exc):
                return busy_text()
            raise
        return PlainTextResponse(note, headers={"Cache-Control": "no-store"})

    async def log_key(self, _request: Request) -> Response:
        """GET /log/key: the verifier key partners configure to check checkpoints."""
        if self.signer is None:
            return PlainTextResponse(_NO_KEY, 503)
        return PlainTextResponse(self.signer.verifier_key + "\n")
