"""The shell commands a document shows: the fenced blocks of a Markdown file, and the indented
command blocks of a command's printed instructions, split into commands as a reader types them.
"""

from __future__ import annotations

import re
import textwrap

_FENCE = re.compile(r"^```(?P<info>[^`\n]*)\n(?P<body>.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)


def fenced_blocks(markdown: str) -> list[tuple[str, str]]:
    """Every fenced code block of ``markdown``: (its info string, e.g. ``sh``; its text)."""
    return [(match["info"].strip(), match["body"]) for match in _FENCE.finditer(markdown)]


def instruction_blocks(printed: str) -> list[str]:
    """The command blocks of printed instructions: each run of indented lines under the prose."""
    blocks: list[str] = []
    current: list[str] = []
    for line in [*printed.splitlines(), ""]:
        if line.startswith(" ") and line.strip():
            current.append(line)
        elif current:
            blocks.append("\n".join(current) + "\n")
            current = []
    return blocks


def commands(block: str) -> list[str]:
    """The commands of a shell block as a reader types them: each starts at the block's left
    margin and goes on over the indented lines under it (continued with a backslash, or inside
    quotes); comment lines and blank lines are no commands."""
    found: list[list[str]] = []
    for line in textwrap.dedent(block).splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        if line[0].isspace() and found:
            found[-1].append(line)
        else:
            found.append([line])
    return ["\n".join(lines) for lines in found]
