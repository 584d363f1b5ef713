"""Every Dutch text the console shows has its English in the catalogue."""

from __future__ import annotations

import re
from pathlib import Path

from registry.console import acting, i18n

TEMPLATES = Path(acting.__file__).parent / "templates"


def test_every_text_of_the_templates_has_its_english() -> None:
    texts: set[str] = set()
    for template in TEMPLATES.glob("*.html"):
        texts |= set(re.findall(r"""_\(\s*["']([^"']+)["']\s*\)""", template.read_text()))
    texts |= set(acting.ROLE_NAMES.values())
    missing = sorted(t for t in texts if t not in i18n.ENGLISH)
    assert missing == []
