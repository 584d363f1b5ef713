"""Charts as SVG written on the server: no script, no external request, readable by a screen
reader (a title and a description, and every bar labelled with its value)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from markupsafe import Markup

WIDTH = 480
BAR_AREA = 160
TOP = 24
BOTTOM = 40
#: Dark blue on white: contrast well above WCAG AA's 3:1 for graphics.
BAR_COLOUR = "#154273"
TEXT_COLOUR = "#1a1a1a"


@dataclass(frozen=True)
class Bar:
    """One bar: its label, its value (None: suppressed, not shown), and the value as text."""

    label: str
    value: float | None
    text: str


def bar_chart(title: str, bars: Sequence[Bar], *, maximum: float | None, suppressed: str) -> Markup:
    """A vertical bar chart; a suppressed bar shows ``suppressed`` in its place."""
    top_value = maximum or max((b.value or 0.0 for b in bars), default=0.0) or 1.0
    slot = WIDTH / max(len(bars), 1)
    height = TOP + BAR_AREA + BOTTOM
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" height="{height}" '
        f'viewBox="0 0 {WIDTH} {height}" aria-labelledby="{_id(title)}">',
        f'<title id="{_id(title)}">{escape(title)}: '
        + escape(", ".join(f"{b.label} {b.text}" for b in bars))
        + "</title>",
        f'<line x1="0" y1="{TOP + BAR_AREA}" x2="{WIDTH}" y2="{TOP + BAR_AREA}" '
        f'stroke="{TEXT_COLOUR}" stroke-width="1"/>',
    ]
    for i, bar in enumerate(bars):
        x = i * slot + slot * 0.2
        width = slot * 0.6
        middle = i * slot + slot / 2
        if bar.value is None:
            parts.append(
                f'<text x="{middle:.1f}" y="{TOP + BAR_AREA - 6}" text-anchor="middle" '
                f'font-size="11" fill="{TEXT_COLOUR}">{escape(suppressed)}</text>'
            )
        else:
            bar_height = BAR_AREA * min(bar.value / top_value, 1.0)
            y = TOP + BAR_AREA - bar_height
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{width:.1f}" height="{bar_height:.1f}" '
                f'fill="{BAR_COLOUR}"/>'
            )
            parts.append(
                f'<text x="{middle:.1f}" y="{y - 4:.1f}" text-anchor="middle" font-size="12" '
                f'fill="{TEXT_COLOUR}">{escape(bar.text)}</text>'
            )
        parts.append(
            f'<text x="{middle:.1f}" y="{TOP + BAR_AREA + 18}" text-anchor="middle" '
            f'font-size="12" fill="{TEXT_COLOUR}">{escape(bar.label)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # noqa: S704  # every text in it was escaped above


def _id(title: str) -> str:
    return "chart-" + "".join(c if c.isalnum() else "-" for c in title.lower())
