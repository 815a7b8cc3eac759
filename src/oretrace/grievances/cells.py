"""Counts shown outside the grievance mechanism, with no cell under the minimum: pure.

Aggregated voice (grievance counts, pulse-survey answers) reaches buyers and initiatives only
as a table in which every count under ``MIN_CELL`` reads "<5", zeros included. A total is
exact only when every count it adds up is shown; otherwise it reads "<5" or "≥5", so no
suppressed count can be worked back from a total and the counts beside it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

MIN_CELL = 5


def cell(count: int, minimum: int = MIN_CELL) -> str:
    """One count as shown: the number, or "<5"."""
    return str(count) if count >= minimum else f"<{minimum}"


def total(counts: Iterable[int], minimum: int = MIN_CELL) -> str:
    """A total as shown: exact when each of its counts is shown, else only "<5" or "≥5"."""
    values = list(counts)
    whole = sum(values)
    if values and all(v >= minimum for v in values):
        return str(whole)
    return f"<{minimum}" if whole < minimum else f"≥{minimum}"


@dataclass(frozen=True)
class Table:
    """A two-way table of counts as shown: rows by columns, with their totals."""

    rows: list[str]
    columns: list[str]
    cells: dict[tuple[str, str], str]
    row_totals: dict[str, str]
    column_totals: dict[str, str]
    total: str

    def row(self, name: str) -> list[str]:
        return [self.cells[(name, column)] for column in self.columns]

    @property
    def row_values(self) -> list[str]:
        """The first row's values (a one-row table: a survey question's options)."""
        return self.row(self.rows[0]) if self.rows else []


def table(
    counts: Mapping[tuple[str, str], int],
    rows: list[str],
    columns: list[str],
    minimum: int = MIN_CELL,
) -> Table:
    """The shown table of ``counts`` (missing pairs count 0, and read "<5" like any other
    small count)."""
    raw = {(r, c): counts.get((r, c), 0) for r in rows for c in columns}
    return Table(
        rows=rows,
        columns=columns,
        cells={key: cell(n, minimum) for key, n in raw.items()},
        row_totals={r: total((raw[(r, c)] for c in columns), minimum) for r in rows},
        column_totals={c: total((raw[(r, c)] for r in rows), minimum) for c in columns},
        total=total(raw.values(), minimum),
    )
