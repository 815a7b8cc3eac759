"""The risk map: the world's country outlines (Natural Earth 1:110m, made into SVG paths by
``scripts/world_outlines.py``), each country of the supply base filled by its level.

Drawn on the server as one inline SVG: no script, no tiles, no CDN, about 55 KB before
compression. Colours are fill attributes (the CSP forbids inline styles) from a sequential
palette that stays readable in grey; the page also gives the legend in words and a table.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

OUTLINES = Path(__file__).with_name("outlines") / "world-110m.json"
FILLS = {
    "low": "#fdd49e",
    "medium": "#fc8d59",
    "high": "#d7301f",
    "extreme": "#7f0000",
    "": "#8c96a6",  # in the supply base, nothing known: not "no risk"
}
OUTSIDE = "#eceff3"  # not in the supply base


@dataclass(frozen=True)
class Shape:
    code: str
    name: str
    d: str
    fill: str
    level: str
    in_base: bool


@dataclass(frozen=True)
class Picture:
    """The shapes and the part of the world shown (the supply base, with a margin)."""

    x: int
    y: int
    width: int
    height: int
    shapes: list[Shape]


MARGIN = 20  # map units (a third of a degree each) around the supply base
MIN_WIDTH = 240  # never closer than 80 degrees across: the region stays recognisable


def _view(boxes: list[list[int]], width: int, height: int) -> tuple[int, int, int, int]:
    """The view around ``boxes`` (the whole world when there are none), at the world's
    aspect ratio so the picture keeps its proportions on every screen."""
    if not boxes:
        return 0, 0, width, height
    left = min(b[0] for b in boxes) - MARGIN
    top = min(b[1] for b in boxes) - MARGIN
    right = max(b[2] for b in boxes) + MARGIN
    bottom = max(b[3] for b in boxes) + MARGIN
    view_width = max(right - left, MIN_WIDTH, round((bottom - top) * width / height))
    view_height = round(view_width * height / width)
    centre_x, centre_y = (left + right) // 2, (top + bottom) // 2
    x = min(max(centre_x - view_width // 2, 0), max(width - view_width, 0))
    y = min(max(centre_y - view_height // 2, 0), max(height - view_height, 0))
    return x, y, min(view_width, width), min(view_height, height)


@cache
def outlines() -> dict[str, Any]:
    """The outlines file, read once per process."""
    data: dict[str, Any] = json.loads(OUTLINES.read_text(encoding="utf-8"))
    return data


def draw(levels: dict[str, tuple[str, str]], names: dict[str, str] | None = None) -> Picture:
    """The map for ``levels``: ISO numeric code → (alpha-2 code, level, "" when unknown) of
    each country of the supply base; every other country drawn plain. ``names`` gives the
    countries' names in the reader's language (Natural Earth's English ones otherwise)."""
    names = names or {}
    data = outlines()
    shapes = []
    for numeric, country in data["countries"].items():
        code, level = levels.get(numeric, ("", ""))
        in_base = numeric in levels
        shapes.append(
            Shape(
                code,
                names.get(numeric, country["name"]),
                country["d"],
                FILLS.get(level, FILLS[""]) if in_base else OUTSIDE,
                level,
                in_base,
            )
        )
    # The supply base drawn last, so its borders are not hidden under its neighbours'.
    shapes.sort(key=lambda shape: shape.in_base)
    boxes = [c["box"] for n, c in data["countries"].items() if n in levels and c.get("box")]
    return Picture(*_view(boxes, data["width"], data["height"]), shapes)
