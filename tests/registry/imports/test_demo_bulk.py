"""Progress on a terminal, and ``ketenregister demo --cases N``: the demo's bulk cases go
through the import path with a progress bar, and a second run adds only what is missing."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

from sqlalchemy import func, select

from registry.db import make_engine, make_session_factory
from registry.demo.bulk import shares
from registry.demo.partners import CORPORATIONS
from registry.imports.batches import case_id_for
from registry.models import AccessLogRecord, Case, CaseContact, OutboxEvent

COMMAND = str(Path(sys.executable).with_name("ketenregister"))


def _on_a_terminal(arguments: list[str]) -> tuple[int, str]:
    main, terminal = pty.openpty()
    try:
        done = subprocess.run(
            arguments, stdin=terminal, stdout=terminal, stderr=terminal, timeout=300
        )
        os.close(terminal)
        shown = b""
        while True:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the terminal's other end is closed: all was read
                break
            if not chunk:
                break
            shown += chunk
    finally:
        os.close(main)
    return done.returncode, shown.decode(errors="replace")


def test_demo_cases_are_imported_with_a_progress_bar_and_once(tmp_path: Path) -> None:
    data = tmp_path / "demo"
    arguments = [COMMAND, "demo", "--no-serve", "--data-dir", str(data), "--cases", "42"]
    status, shown = _on_a_terminal(arguments)
    assert status == 0, shown
    assert "creating the demo" in shown and "importing 42 bulk cases" in shown
    assert "100%" in shown
    assert "42 bulk cases imported (0 were there already)" in shown
    ids = [
        case_id_for(CORPORATIONS[municipality], f"DEMO-{CORPORATIONS[municipality]}-{n:07d}")
        for municipality, count in shares(42).items()
        for n in range(1, count + 1)
    ]
    engine = make_engine(f"sqlite:///{data / 'registry.sqlite3'}")
    try:
        with make_session_factory(engine)() as session:
            cases = session.scalars(select(Case).where(Case.id.in_(ids))).all()
            assert len(cases) == 42 and all(c.data_key is not None for c in cases)
            for model in (CaseContact, OutboxEvent, AccessLogRecord):
                counted = select(func.count()).select_from(model).where(model.case_id.in_(ids))
                assert session.scalar(counted) == 42, model
    finally:
        engine.dispose()
    again = subprocess.run(arguments, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    assert "0 bulk cases imported (42 were there already)" in again.stdout
    assert "%" not in again.stderr  # no bar drawn on a pipe


def test_import_shows_its_progress_on_a_terminal(database_url: str, tmp_path: Path) -> None:
    example = Path(__file__).parents[3] / "docs" / "examples" / "caseload.jsonl"
    arguments = [COMMAND, "import", str(example), "--as", "zowonen", "--database-url", database_url]
    status, shown = _on_a_terminal(arguments)
    assert status == 0, shown
    assert "checking lines" in shown and "importing cases" in shown and "100%" in shown
    assert "imported 3 cases for zowonen" in shown
