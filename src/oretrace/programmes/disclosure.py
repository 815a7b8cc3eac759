"""Small-cell suppression for figures seen outside the programme (buyers, the public API).

A count of children (or of their follow-up visits) under ``THRESHOLD`` is never shown: it
reads "<5". Suppressing the small cell is not enough when a shown count can be taken from
another: of 7 children identified, "5 with a remediation" says 2 without. So counts that nest
(each is a part of the one before it, ``Chain``) are published from the largest down, and a
count is kept back when it, or its difference from any count already published in its chain,
is under the threshold (a difference of 0, "all of them", says nothing about a few). A share
is shown only when both counts it is made of are. Pure: numbers in, cells out.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from oretrace.programmes.figures import Figures

THRESHOLD = 5
HIDDEN = f"<{THRESHOLD}"


@dataclass(frozen=True)
class Cell:
    """One published figure: its value, or None when it is kept back (shown as ``HIDDEN``)."""

    value: int | Decimal | None

    @property
    def shown(self) -> bool:
        return self.value is not None

    def __str__(self) -> str:
        return HIDDEN if self.value is None else str(self.value)


def publish_chains(counts: Mapping[str, int], chains: Sequence[Sequence[str]]) -> dict[str, Cell]:
    """Each count of ``counts`` as a cell; ``chains`` name the counts that nest, largest first.

    A count in no chain is published when it reaches the threshold. A count in several chains
    is published only when every chain lets it through.
    """
    published: dict[str, int] = {}
    refused: set[str] = {name for name, value in counts.items() if value < THRESHOLD}
    for chain in chains:
        kept: list[int] = []
        for name in chain:
            value = counts[name]
            if name in refused or any(0 < abs(other - value) < THRESHOLD for other in kept):
                refused.add(name)
                continue
            kept.append(value)
    for name, value in counts.items():
        if name not in refused:
            published[name] = value
    return {name: Cell(published.get(name)) for name in counts}


def share(part: Cell, whole: Cell) -> Cell:
    """``part`` of ``whole`` in percent to one decimal, when both are shown and whole is not 0."""
    if part.value is None or whole.value is None or not whole.value:
        return Cell(None)
    percent = Decimal(100) * Decimal(part.value) / Decimal(whole.value)
    return Cell(percent.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def count(value: int | Decimal) -> Cell:
    """A single count with nothing nesting in it (children seen at mining sites on a visit)."""
    return Cell(plain(value) if value >= THRESHOLD else None)


def plain(value: int | Decimal) -> int | Decimal:
    """A whole number as an int (5, not 5.00); any other value with no trailing zeros."""
    if value == int(value):
        return int(value)
    return Decimal(value).normalize()


# The figures' counts that nest, largest first: children identified, of them those with a
# remediation, of those with more than one type; identified, followed up, out of work at the
# latest follow-up; follow-up visits due, made on time.
CHAINS = (
    ("identified", "with_remediation", "multiple_types"),
    ("identified", "followed_up", "out_of_work"),
    ("visits_due", "visits_on_time"),
)


@dataclass(frozen=True)
class PublicFigures:
    """``figures.Figures`` as seen outside the programme: small cells kept back."""

    identified: Cell
    with_remediation: Cell
    remediation_share: Cell
    multiple_types: Cell
    multiple_share: Cell
    followed_up: Cell
    out_of_work: Cell
    out_of_work_share: Cell
    visits_due: Cell
    visits_on_time: Cell
    on_time_share: Cell


def public_figures(figures: Figures) -> PublicFigures:
    """The figures with every count under the threshold, or recoverable as one, kept back."""
    cells = publish_chains(
        {name: getattr(figures, name) for chain in CHAINS for name in chain}, CHAINS
    )
    return PublicFigures(
        identified=cells["identified"],
        with_remediation=cells["with_remediation"],
        remediation_share=share(cells["with_remediation"], cells["identified"]),
        multiple_types=cells["multiple_types"],
        multiple_share=share(cells["multiple_types"], cells["identified"]),
        followed_up=cells["followed_up"],
        out_of_work=cells["out_of_work"],
        out_of_work_share=share(cells["out_of_work"], cells["followed_up"]),
        visits_due=cells["visits_due"],
        visits_on_time=cells["visits_on_time"],
        on_time_share=share(cells["visits_on_time"], cells["visits_due"]),
    )
