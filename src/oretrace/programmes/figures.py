"""The indicators computed from the cases, never typed: plain arithmetic over case facts.

For a group of cases (a village, a programme, a reporting period):

- **identified**: the children identified;
- **≥1 remediation**: the share of them with at least one service delivered;
- **>1 type**: the share with services of more than one kind delivered;
- **out of work at follow-up**: of the children followed up at least once, the share whose
  latest follow-up found them no longer working;
- **visits on time**: of the follow-up visits due by today, the share made by their due day
  (a visit not made is late).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal


@dataclass(frozen=True)
class Visit:
    due_on: date
    done_on: date | None
    still_working: bool | None


@dataclass(frozen=True)
class CaseFacts:
    """What the figures need of one case, and nothing that identifies the child."""

    village: str
    identified_on: date
    delivered_kinds: frozenset[str]
    visits: tuple[Visit, ...] = field(default=())


@dataclass(frozen=True)
class Figures:
    identified: int
    with_remediation: int
    multiple_types: int
    followed_up: int
    out_of_work: int
    visits_due: int
    visits_on_time: int

    @staticmethod
    def share(part: int, whole: int) -> Decimal | None:
        """``part`` of ``whole`` in percent to one decimal; None when nothing to count."""
        if whole == 0:
            return None
        return (Decimal(100) * part / whole).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)

    @property
    def remediation_share(self) -> Decimal | None:
        return self.share(self.with_remediation, self.identified)

    @property
    def multiple_share(self) -> Decimal | None:
        return self.share(self.multiple_types, self.identified)

    @property
    def out_of_work_share(self) -> Decimal | None:
        return self.share(self.out_of_work, self.followed_up)

    @property
    def on_time_share(self) -> Decimal | None:
        return self.share(self.visits_on_time, self.visits_due)


def compute(cases: Iterable[CaseFacts], *, today: date) -> Figures:
    """The figures of ``cases`` as of ``today``."""
    identified = remediated = multiple = followed = out = due = on_time = 0
    for case in cases:
        identified += 1
        remediated += bool(case.delivered_kinds)
        multiple += len(case.delivered_kinds) > 1
        done = sorted(
            (v for v in case.visits if v.done_on is not None), key=lambda v: v.done_on or date.min
        )
        if done:
            followed += 1
            out += done[-1].still_working is False
        for visit in case.visits:
            if visit.due_on <= today or visit.done_on is not None:
                due += 1
                on_time += visit.done_on is not None and visit.done_on <= visit.due_on
    return Figures(identified, remediated, multiple, followed, out, due, on_time)
