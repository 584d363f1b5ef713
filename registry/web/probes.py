"""The probes a load balancer or orchestrator asks, without a token: ``GET /healthz`` (the
process is alive) and ``GET /readyz`` (it can serve: the database answers and is migrated to
the code's revision)."""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from registry.migrate import current_revision
from registry.web.slots import RequestSlots, is_busy

log = logging.getLogger(__name__)


async def health(_request: Request) -> Response:
    """GET /healthz: the process is alive (says nothing of the database: see /readyz)."""
    return PlainTextResponse("ok\n")


class Readiness:
    """GET /readyz for one process: its sessions, its slots and the revision its code expects."""

    def __init__(
        self, sessions: sessionmaker[Session], slots: RequestSlots, head_revision: str | None
    ) -> None:
        self.sessions = sessions
        self.slots = slots
        self.head_revision = head_revision

    def _problems(self) -> list[str]:
        problems = []
        with self.sessions() as session:
            connection = session.connection()
            connection.execute(text("SELECT 1"))
            current = current_revision(connection)
        if current != self.head_revision:
            problems.append(f"database at revision {current}, code expects {self.head_revision}")
        return problems

    async def ready(self, _request: Request) -> Response:
        """GET /readyz: whether this process can serve: the database answers and is migrated
        to the code's revision (the log key, when configured, was loaded at startup or the
        process would not run). For a load balancer: cheap, no token."""
        try:
            problems = await self.slots.run("", self._problems)
        except Exception as exc:
            if not is_busy(exc):
                log.exception("readiness check failed")
            problems = ["database unreachable"]
        if problems:
            return PlainTextResponse("not ready: " + "; ".join(problems) + "\n", 503)
        return PlainTextResponse("ready\n")
