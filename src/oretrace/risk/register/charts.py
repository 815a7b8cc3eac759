"""The register's trends as stacked bars: plain geometry for an inline SVG (no Django)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

WIDTH, HEIGHT, BASE = 600, 200, 170  # the chart's box and the y of its baseline
FILLS = {"open": "#d7301f", "managed": "#fc8d59", "closed": "#9ecae1"}


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    fill: str
    status: str
    count: int


@dataclass(frozen=True)
class Column:
    month: date
    x: float
    label_x: float
    bars: list[Bar]
    total: int


def stacked(months: Sequence[tuple[date, dict[str, int]]]) -> list[Column]:
    """One column per month, its statuses stacked from the baseline up (open at the bottom)."""
    if not months:
        return []
    top = max(sum(counts.values()) for _, counts in months) or 1
    step = WIDTH / len(months)
    width = step * 0.7
    columns = []
    for index, (month, counts) in enumerate(months):
        x = index * step + (step - width) / 2
        y = float(BASE)
        bars = []
        for status in ("open", "managed", "closed"):
            height = (BASE - 10) * counts.get(status, 0) / top
            y -= height
            if height:
                bars.append(Bar(x, y, width, height, FILLS[status], status, counts[status]))
        columns.append(Column(month, x, x + width / 2, bars, sum(counts.values())))
    return columns
