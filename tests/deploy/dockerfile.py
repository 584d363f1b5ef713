"""Just enough of a Dockerfile parser for the tests: instructions with their continuation lines
joined, split into build stages, exec-form arguments read as JSON."""

from __future__ import annotations

import json
import shlex
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).parent.parent.parent
DOCKERFILE = ROOT / "Dockerfile"


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str

    def exec_form(self) -> list[str]:
        """The arguments of ``CMD ["a", "b"]``-style instructions (exec form only: a shell form
        would run under /bin/sh -c and not receive signals)."""
        assert self.arguments.startswith("["), f"{self.keyword} {self.arguments} is not exec form"
        value = json.loads(self.arguments)
        assert isinstance(value, list) and all(isinstance(item, str) for item in value)
        return value

    def words(self) -> list[str]:
        return shlex.split(self.arguments)


def stages(path: Path = DOCKERFILE) -> list[list[Instruction]]:
    """The Dockerfile's stages, each a list of instructions starting with its FROM."""
    logical: list[str] = []
    pending = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        stripped = line.strip()
        if not pending and (not stripped or stripped.startswith("#")):
            continue
        if stripped.startswith("#"):  # a comment inside a continued instruction
            continue
        if stripped.endswith("\\"):
            pending += stripped[:-1] + " "
            continue
        logical.append(pending + stripped)
        pending = ""
    assert not pending, "the Dockerfile ends inside a continued line"
    result: list[list[Instruction]] = []
    for text in logical:
        keyword, _, arguments = text.partition(" ")
        instruction = Instruction(keyword.upper(), arguments.strip())
        if instruction.keyword == "FROM":
            result.append([])
        assert result, "the Dockerfile must start with FROM"
        result[-1].append(instruction)
    return result


def build_stage_copies(path: Path = DOCKERFILE) -> list[str]:
    """What the first stage copies from the build context (the files ``pip install`` sees)."""
    copied: list[str] = []
    for instruction in stages(path)[0]:
        if instruction.keyword == "COPY":
            words = [word for word in instruction.words() if not word.startswith("--")]
            copied.extend(source.rstrip("/") for source in words[:-1])
    return copied
