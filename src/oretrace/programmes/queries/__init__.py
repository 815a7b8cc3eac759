"""Reads of the programmes app that serve a member, scoped to what they may see."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from oretrace.core.exceptions import NotFound
from oretrace.core.models import Membership
from oretrace.core.tenancy import owned, scope_to_member
from oretrace.programmes import catalogue, disclosure
from oretrace.programmes.choices import CaseStatus
from oretrace.programmes.figures import CaseFacts, Figures, Visit, compute
from oretrace.programmes.indicatorsets import IndicatorSet
from oretrace.programmes.models import (
    CaseRead,
    ChildCase,
    DonorReport,
    MonitoringVisit,
    Programme,
    ReportingPeriod,
    SupportOffer,
    Village,
    VisitValue,
)
from oretrace.programmes.permissions import can_handle_child_cases
from oretrace.traceability.models import Lot
from oretrace.traceability.trace import upstream


def programmes_for(member: Membership) -> QuerySet[Programme]:
    """The programmes the member's organisation runs, or that were shared with it (a donor)."""
    return scope_to_member(Programme.objects.all(), member)


def programme_for(member: Membership, programme_id: int) -> Programme:
    found = programmes_for(member).filter(pk=programme_id).first()
    if found is None:
        raise NotFound(f"no programme {programme_id}")
    return found


def village_for(member: Membership, village_id: int) -> Village:
    found = (
        Village.objects.select_related("programme", "country")
        .filter(programme__in=programmes_for(member), pk=village_id)
        .first()
    )
    if found is None:
        raise NotFound(f"no village {village_id}")
    return found


def visits_of(village: Village) -> QuerySet[MonitoringVisit]:
    return village.visits.prefetch_related("values")


def indicator_set_of(visit: MonitoringVisit) -> IndicatorSet | None:
    """The set version the visit was recorded with (never a later one)."""
    return catalogue.get(visit.indicator_set, visit.set_version)


# --- trends ------------------------------------------------------------------------------------
WIDTH, HEIGHT, PAD = 600, 160, 10


@dataclass(frozen=True)
class TrendPoint:
    x: float
    y: float
    day: date
    value: Decimal


@dataclass(frozen=True)
class Trend:
    """One indicator's values over time, laid out for an SVG of WIDTH x HEIGHT."""

    code: str
    title: str
    unit: str
    points: list[TrendPoint]
    top: Decimal
    width: int = WIDTH
    height: int = HEIGHT

    @property
    def line(self) -> str:
        return " ".join(f"{p.x},{p.y}" for p in self.points)


def _layout(code: str, title: str, unit: str, values: list[tuple[date, Decimal]]) -> Trend:
    top = Decimal(100) if unit == "percent" else max((v for _d, v in values), default=Decimal(1))
    top = max(top, Decimal(1))
    first, last = values[0][0], values[-1][0]
    span = max((last - first).days, 1)
    points = [
        TrendPoint(
            round(PAD + (day - first).days * (WIDTH - 2 * PAD) / span, 2),
            round(PAD + float(top - value) * (HEIGHT - 2 * PAD) / float(top), 2),
            day,
            value,
        )
        for day, value in values
    ]
    return Trend(code, title, unit, points, top)


def _series(rows: QuerySet[VisitValue]) -> dict[str, list[tuple[date, Decimal]]]:
    """Per indicator, the mean of the values recorded on each day, oldest first."""
    by_day: dict[str, dict[date, list[Decimal]]] = defaultdict(lambda: defaultdict(list))
    for code, day, value in rows.values_list("indicator", "visit__visited_on", "value"):
        by_day[code][day].append(value)
    return {
        code: [(day, sum(vs, Decimal(0)) / len(vs)) for day, vs in sorted(days.items())]
        for code, days in by_day.items()
    }


def trends(programme: Programme, *, village: Village | None = None, language: str) -> list[Trend]:
    """The trend of each indicator of the programme's set, for one village or all of them."""
    rows = VisitValue.objects.filter(visit__village__programme=programme)
    if village is not None:
        rows = rows.filter(visit__village=village)
    series = _series(rows)
    indicator_set = catalogue.latest(programme.indicator_set)
    if indicator_set is None:
        return []
    return [
        _layout(i.code, i.title(language), i.unit, series[i.code])
        for i in indicator_set.indicators
        if series.get(i.code)
    ]


# --- children's cases (case workers only) -----------------------------------------------------
def cases_for(
    member: Membership, *, programme: Programme | None = None, overdue: bool = False
) -> QuerySet[ChildCase]:
    """The organisation's children's cases, for its case workers only (nobody else sees any)."""
    if not can_handle_child_cases(member):
        return ChildCase.objects.none()
    found = owned(ChildCase.objects.select_related("village", "programme"), member)
    if programme is not None:
        found = found.filter(programme=programme)
    if overdue:
        found = found.filter(overdue_q())
    return found


def follow_ups_in(member: Membership, village: Village) -> QuerySet[ChildCase]:
    """The village's open cases with a case plan (those a follow-up visit is for), for the
    organisation's case workers; the field officer's list before going there: references
    only, in the order of their references."""
    return (
        cases_for(member)
        .filter(village=village, closed_on__isnull=True, plan_on__isnull=False)
        .order_by("reference")
    )


def overdue_q(today: date | None = None) -> Q:
    """Open cases with a follow-up visit past its due day and not made."""
    day = today or timezone.localdate()
    return Q(closed_on__isnull=True) & Q(
        follow_ups__done_on__isnull=True, follow_ups__due_on__lt=day
    )


def due_q(today: date | None = None) -> Q:
    day = today or timezone.localdate()
    return Q(closed_on__isnull=True) & Q(
        follow_ups__done_on__isnull=True, follow_ups__due_on__gte=day
    )


def case_for(member: Membership, case_id: int) -> ChildCase:
    found = cases_for(member).filter(pk=case_id).first()
    if found is None:
        raise NotFound(f"no case {case_id}")
    return found


def reads_of(case: ChildCase) -> list[CaseRead]:
    return list(case.reads.select_related("member__user")[:20])


@dataclass(frozen=True)
class CaseCounts:
    open: int
    due: int
    overdue: int


def case_counts(member: Membership, programme: Programme | None = None) -> CaseCounts:
    found = cases_for(member, programme=programme)
    return CaseCounts(
        found.exclude(status=CaseStatus.CLOSED).count(),
        found.filter(due_q()).distinct().count(),
        found.filter(overdue_q()).distinct().count(),
    )


# --- computed indicators (no child's identity, open to every member who sees the programme) --
def case_facts(programme: Programme) -> list[CaseFacts]:
    """The facts of the programme's cases the figures count; nothing that identifies a child."""
    cases = (
        ChildCase.objects.filter(programme=programme)
        .select_related("village")
        .prefetch_related("services", "follow_ups")
        .order_by("pk")
    )
    return [
        CaseFacts(
            case.village.name,
            case.identified_on,
            frozenset(s.kind for s in case.services.all() if s.delivered_on is not None),
            tuple(Visit(v.due_on, v.done_on, v.still_working) for v in case.follow_ups.all()),
        )
        for case in cases
    ]


@dataclass(frozen=True)
class FigureRow:
    """One line of the indicator table: a village (or the whole programme) in a period."""

    scope: str
    period: str
    figures: Figures


def figure_rows(programme: Programme, *, today: date | None = None) -> list[FigureRow]:
    """The programme's figures: the whole programme, then each village; for all time, then each
    reporting period (cases identified in it)."""
    day = today or timezone.localdate()
    facts = case_facts(programme)
    periods: list[tuple[str, date | None, date | None]] = [("", None, None)]
    periods += [
        (p.label, p.starts_on, p.ends_on)
        for p in ReportingPeriod.objects.filter(programme=programme).order_by("starts_on")
    ]
    villages = sorted({f.village for f in facts})
    rows: list[FigureRow] = []
    for label, start, end in periods:
        chosen = [
            f
            for f in facts
            if (start is None or f.identified_on >= start)
            and (end is None or f.identified_on <= end)
        ]
        rows.append(FigureRow("", label, compute(chosen, today=day)))
        for name in villages:
            rows.append(
                FigureRow(name, label, compute([f for f in chosen if f.village == name], today=day))
            )
    return rows


# --- seen from the product: a buyer tracing a lot to the villages around its origins ---------
@dataclass(frozen=True)
class VillageValue:
    """One indicator of a village's latest monitoring visit, as a buyer sees it."""

    title: str
    unit: str
    cell: disclosure.Cell


@dataclass(frozen=True)
class VillageView:
    village: Village
    visited_on: date | None
    values: list[VillageValue]


@dataclass(frozen=True)
class ProgrammeView:
    """A programme working around a lot's origins: the villages on the lot's trace with their
    latest monitoring, and the programme's figures with small cells kept back; never a case."""

    programme: Programme
    villages: list[VillageView]
    figures: disclosure.PublicFigures
    offers: list[SupportOffer]


def village_view(village: Village, language: str) -> VillageView:
    """The village's latest visit: a count under the threshold (children seen at mining sites)
    is kept back; percentages measured over the village are shown."""
    visit = village.visits.prefetch_related("values").first()  # newest first (Meta.ordering)
    if visit is None:
        return VillageView(village, None, [])
    indicator_set = catalogue.get(visit.indicator_set, visit.set_version)
    known = {i.code: i for i in indicator_set.indicators} if indicator_set else {}
    values = []
    for row in visit.values.all():
        indicator = known.get(row.indicator)
        title = indicator.title(language) if indicator else row.indicator
        unit = indicator.unit if indicator else "count"
        cell = (
            disclosure.count(row.value)
            if unit == "count"
            else disclosure.Cell(disclosure.plain(row.value))
        )
        values.append(VillageValue(title, unit, cell))
    return VillageView(village, visit.visited_on, values)


def public_figures(programme: Programme, *, today: date | None = None) -> disclosure.PublicFigures:
    """The programme's figures over all its villages and all time, small cells kept back.

    Only this one aggregate leaves the programme: figures per village or per period, or over
    the villages of one trace, could be subtracted from one another to recover a small cell.
    """
    day = today or timezone.localdate()
    return disclosure.public_figures(compute(case_facts(programme), today=day))


def origin_facilities(lot: Lot) -> set[int]:
    """The facilities of a lot's origins (mines, collection points) from its upstream trace."""
    return {s.facility_id for s in upstream(lot).shares if s.facility_id is not None}


def programmes_on_trace(member: Membership, lot: Lot, *, language: str) -> list[ProgrammeView]:
    """The programmes with villages linked to the origins of ``lot`` (a lot the member sees)."""
    origins = origin_facilities(lot)
    if not origins:
        return []
    villages = (
        Village.objects.filter(facilities__in=origins)
        .select_related("programme__organisation", "country")
        .distinct()
        .order_by("programme__name", "name")
    )
    grouped: dict[int, list[Village]] = defaultdict(list)
    programmes: dict[int, Programme] = {}
    for village in villages:
        grouped[village.programme_id].append(village)
        programmes[village.programme_id] = village.programme
    return [
        ProgrammeView(
            programme,
            [village_view(v, language) for v in grouped[pk]],
            public_figures(programme),
            list(offers_of(member, programme)),
        )
        for pk, programme in programmes.items()
    ]


def programme_on_trace(lot: Lot, programme_id: int) -> Programme:
    """A programme with a village linked to one of the origins of ``lot``."""
    found = (
        Programme.objects.filter(pk=programme_id, villages__facilities__in=origin_facilities(lot))
        .select_related("organisation")
        .first()
    )
    if found is None:
        raise NotFound(f"no programme {programme_id} around the origins of lot {lot.pk}")
    return found


def offers_of(member: Membership, programme: Programme) -> QuerySet[SupportOffer]:
    """The member's organisation's own offers to a programme."""
    return SupportOffer.objects.filter(programme=programme, requester_id=member.organisation_id)


def offers_to(member: Membership, programme: Programme) -> QuerySet[SupportOffer]:
    """Offers made to a programme, for the organisation that runs it (nobody else)."""
    return owned(SupportOffer.objects.filter(programme=programme), member).select_related(
        "requester"
    )


def offer_for(member: Membership, offer_id: int) -> SupportOffer:
    """An offer the member's organisation received (it answers) or made."""
    found = (
        SupportOffer.objects.filter(pk=offer_id)
        .filter(Q(organisation_id=member.organisation_id) | Q(requester_id=member.organisation_id))
        .select_related("programme", "requester")
        .first()
    )
    if found is None:
        raise NotFound(f"no offer {offer_id}")
    return found


# --- donor reports -----------------------------------------------------------------------------
def reports_of(programme: Programme) -> QuerySet[DonorReport]:
    """The reports issued for a programme the member sees (its owner and its donors)."""
    return programme.reports.defer("document")


def report_for(member: Membership, report_id: int) -> DonorReport:
    found = (
        DonorReport.objects.filter(programme__in=programmes_for(member), pk=report_id)
        .select_related("programme")
        .first()
    )
    if found is None:
        raise NotFound(f"no report {report_id}")
    return found
