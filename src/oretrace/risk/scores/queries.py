"""Reads of risk scores for pages, exports and the API, scoped through the tenancy helper: an
organisation sees its own scores only (they rest on its declarations and statuses)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Max, QuerySet

from oretrace.core.models import Membership
from oretrace.core.tenancy import get_for_member, visible
from oretrace.declarations.models import Supplier
from oretrace.registry.models import Facility
from oretrace.risk.choices import ScoreSubject
from oretrace.risk.models import Score

TREND_WIDTH = 600
TREND_HEIGHT = 160
TREND_PAD = 8


def scores_for(member: Membership) -> QuerySet[Score]:
    """Every score of the member's organisation, newest first."""
    return visible(
        Score.objects.select_related("methodology", "facility", "supplier", "lot"), member
    )


def latest_scores(member: Membership, subject: str = "", level: str = "") -> QuerySet[Score]:
    """Each subject's latest score (the last date recomputed), optionally one kind and level."""
    scores = scores_for(member)
    if subject in ScoreSubject.values:
        scores = scores.filter(subject=subject)
    newest = scores.aggregate(newest=Max("as_of"))["newest"]
    if newest is None:
        return scores.none()
    scores = scores.filter(as_of=newest)
    if level:
        scores = scores.filter(level=level)
    return scores.order_by("-total", "subject", "id")


def score_for(member: Membership, score_id: object) -> Score:
    """One score of the member's organisation (404 otherwise)."""
    return get_for_member(
        Score.objects.select_related("methodology", "facility", "supplier", "lot", "job"),
        member,
        pk=score_id,
    )


def facility_for(member: Membership, facility_id: object) -> Facility:
    return get_for_member(Facility.objects.select_related("country"), member, pk=facility_id)


def supplier_for(member: Membership, supplier_id: object) -> Supplier:
    return get_for_member(Supplier.objects.all(), member, pk=supplier_id)


def history(member: Membership, **subject: Any) -> list[Score]:
    """A subject's scores (``facility=`` or ``supplier=``), oldest first."""
    return list(scores_for(member).filter(**subject).order_by("as_of", "id"))


@dataclass(frozen=True)
class TrendPoint:
    x: float
    y: float
    as_of: date
    total: Decimal
    level: str
    score_id: int


@dataclass(frozen=True)
class Trend:
    """A subject's totals over time, laid out for an SVG of TREND_WIDTH x TREND_HEIGHT."""

    points: list[TrendPoint]
    line: str  # the polyline's points, "x y x y …"
    bands: list[tuple[str, float, float]]  # (level, y of its top, height)
    width: int = TREND_WIDTH
    height: int = TREND_HEIGHT


def _y(total: Decimal) -> float:
    return round(TREND_PAD + (100 - float(total)) * (TREND_HEIGHT - 2 * TREND_PAD) / 100, 2)


def trend(scores: Sequence[Score], levels: Sequence[tuple[str, Decimal]]) -> Trend | None:
    """The trend picture of ``scores`` (oldest first; one per day, the last of each day), with
    the methodology's levels as bands behind the line; None with fewer than two days."""
    by_day = {score.as_of: score for score in scores}
    days = sorted(by_day)
    if len(days) < 2:
        return None
    span = (days[-1] - days[0]).days or 1
    inner = TREND_WIDTH - 2 * TREND_PAD
    points = [
        TrendPoint(
            round(TREND_PAD + (day - days[0]).days * inner / span, 2),
            _y(by_day[day].total),
            day,
            by_day[day].total,
            by_day[day].level,
            by_day[day].pk,
        )
        for day in days
    ]
    bounds = [*(bound for _code, bound in levels), Decimal(100)]
    bands = [
        (code, _y(bounds[i + 1]), round(_y(bounds[i]) - _y(bounds[i + 1]), 2))
        for i, (code, _bound) in enumerate(levels)
    ]
    line = " ".join(f"{p.x:.2f} {p.y:.2f}" for p in points)
    return Trend(points, line, bands)


def levels_of(score: Score) -> list[tuple[str, Decimal]]:
    """The levels of a score's methodology version, lowest first."""
    return [
        (level["code"], Decimal(level["at_least"])) for level in score.methodology.spec["levels"]
    ]
