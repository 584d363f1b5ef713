"""The deployment guide names every setting the registry and the image's entrypoint read."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent.parent
GUIDE = ROOT / "docs" / "deployment.md"


def _variables(path: Path) -> set[str]:
    return set(re.findall(r"KETENREGISTER_[A-Z_]+[A-Z]", path.read_text(encoding="utf-8")))


def test_every_setting_is_in_the_deployment_guide() -> None:
    settings = _variables(ROOT / "registry" / "config.py") | _variables(
        ROOT / "deploy" / "entrypoint.sh"
    )
    assert {"KETENREGISTER_DATABASE_URL", "KETENREGISTER_HOST"} <= settings
    assert settings - _variables(GUIDE) == set()


def test_the_readme_and_the_design_link_to_the_guide() -> None:
    for document in (ROOT / "README.md", ROOT / "docs" / "DESIGN.md"):
        assert "deployment.md)" in document.read_text(encoding="utf-8"), document
