"""Small helpers for tests (fixtures live in conftest.py)."""

from __future__ import annotations

from typing import Any


def error_codes(body: dict[str, Any]) -> list[str]:
    """The ``extensions.code`` of every error in a response body."""
    return [e["extensions"]["code"] for e in body.get("errors", [])]
