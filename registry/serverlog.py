"""The server's own log: what operators read to learn why a token was refused, a request shed
or a delivery failed. Not the access log (who received which case data) and not the signed
audit log (what happened to cases): those are records in the database.

``serve``, ``worker`` and ``demo`` send every line of the standard ``logging`` module (the
registry's modules, uvicorn's access and error lines, libraries) through one handler on
stderr: one JSON object per line in production, for a log shipper to index, or a readable
line for a person at a terminal. structlog's ``ProcessorFormatter`` formats the lines, so the
modules keep plain ``logging.getLogger(__name__)`` and need nothing of structlog.
"""

from __future__ import annotations

import logging
import sys
from enum import StrEnum
from typing import TextIO

import structlog
from structlog.typing import Processor


class LogFormat(StrEnum):
    """How the server's log lines look."""

    JSON = "json"  # one JSON object per line: time, level, logger, event (and exception)
    CONSOLE = "console"  # aligned text for a person at a terminal


#: Levels an operator may choose, by their usual names.
LEVELS = ("debug", "info", "warning", "error")


def configure(format: LogFormat, level: str = "info", *, stream: TextIO | None = None) -> None:
    """Send every log line of this process to ``stream`` (stderr) in ``format`` from ``level``
    up, replacing whatever handlers were installed before (uvicorn's included).

    Raises:
        ValueError: an unknown level.
    """
    if level.lower() not in LEVELS:
        raise ValueError(f"unknown log level {level!r}: choose one of {', '.join(LEVELS)}")
    stamped: list[Processor] = [
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: Processor
    if format is LogFormat.JSON:
        # The traceback of an unexpected error goes into the line's "exception" field as
        # text, so one failure stays one line for the shipper.
        renderer = structlog.processors.JSONRenderer()
        stamped.append(structlog.processors.format_exc_info)
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=False)
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=stamped,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level.upper())
    # uvicorn installs its own handlers unless told not to (``log_config=None``); whatever it
    # left behind goes through the root handler instead, never twice.
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers = []
        logger.propagate = True
