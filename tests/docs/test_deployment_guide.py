"""The deployment guide names every setting the registry and the image's entrypoint read."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parent.parent.parent
GUIDE = ROOT / "docs" / "deployment.md"


def _variables(path: Path) -> set[str]:
    return set(re.findall(r"KETENREGISTER_[A-Z_]+[A-Z]", path.read_text(encoding="utf-8")))


def test_every_setting_is_in_the_guide_or_its_reference() -> None:
    from registry.config import Settings, env_name

    documented = _variables(GUIDE) | _variables(ROOT / "docs" / "settings.md")
    settings = {env_name(name) for name in Settings.model_fields}
    entrypoint = _variables(ROOT / "deploy" / "entrypoint.sh")
    assert {"KETENREGISTER_DATABASE_URL", "KETENREGISTER_HOST"} <= settings | entrypoint
    assert (settings | entrypoint) - documented == set()
    assert "settings.md)" in GUIDE.read_text(encoding="utf-8")


def test_the_readme_and_the_design_link_to_the_guide() -> None:
    for document in (ROOT / "README.md", ROOT / "docs" / "DESIGN.md"):
        assert "deployment.md)" in document.read_text(encoding="utf-8"), document
