"""``ketenregister log verify`` as an operator runs it: a progress bar on a terminal, one
result line a script can read on a pipe."""

from __future__ import annotations

import os
import pty
import subprocess
import sys
from pathlib import Path

COMMAND = str(Path(sys.executable).with_name("ketenregister"))


def test_on_a_terminal_it_shows_its_progress_and_on_a_pipe_one_line(database_url: str) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KETENREGISTER_")}
    arguments = [COMMAND, "log", "verify", "--database-url", database_url]
    main, terminal = pty.openpty()
    try:
        done = subprocess.run(
            arguments, stdin=terminal, stdout=terminal, stderr=terminal, env=env, timeout=120
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
    assert done.returncode == 0, shown
    assert b"checking entries" in shown and b"100%" in shown
    piped = subprocess.run(arguments, capture_output=True, text=True, env=env, timeout=120)
    assert piped.returncode == 0, piped.stderr
    assert piped.stdout.startswith("log ok: ") and piped.stdout.count("\n") == 1
    assert "%" not in piped.stderr  # no bar drawn into a log file
