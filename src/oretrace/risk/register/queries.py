"""Reads of the risk register and its plans, scoped to the acting member's organisation: the
register with its filters, one entry, the plans (those due for review), the owners a measure
may have, the monthly trends and what the risk map shades."""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone

from oretrace.assessments.models import Assessment, ImprovementAction
from oretrace.core.models import Country, Membership
from oretrace.core.models.reference import country_name
from oretrace.core.tenancy import get_for_member, owned, visible
from oretrace.declarations.models import Supplier
from oretrace.registry.models import Facility
from oretrace.risk.choices import EditionKind, PlanStatus, RiskLevel, RiskStatus
from oretrace.risk.exceptions import RegisterError
from oretrace.risk.models import (
    ConflictArea,
    Edition,
    GoodListing,
    RedFlag,
    RiskEntry,
    RiskPlan,
    RiskStatusChange,
    Score,
)
from oretrace.risk.register.reviews import add_months
from oretrace.risk.register.services.entries import Subject
from oretrace.traceability.models import Lot

LEVELS = [RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.EXTREME]
RANK: dict[str, int] = {str(level): rank for rank, level in enumerate(LEVELS, start=1)}


def entries_for(member: Membership, filters: dict[str, Any] | None = None) -> QuerySet[RiskEntry]:
    """The organisation's register, newest first, narrowed by the filters given (status,
    category, level, origin, facility, supplier, text in the title)."""
    entries = visible(RiskEntry.objects.all(), member).select_related(
        "facility", "supplier", "lot", "country", "plan"
    )
    filters = filters or {}
    for name in ("status", "category", "level", "origin"):
        if filters.get(name):
            entries = entries.filter(**{name: filters[name]})
    for name in ("facility", "supplier", "lot"):
        if filters.get(name):
            entries = entries.filter(**{f"{name}_id": filters[name]})
    if filters.get("q"):
        entries = entries.filter(title__icontains=filters["q"])
    return entries


def entry_for(member: Membership, entry_id: object) -> RiskEntry:
    return get_for_member(
        RiskEntry.objects.select_related("facility", "supplier", "lot", "country", "created_by"),
        member,
        pk=entry_id,
    )


def plan_of(entry: RiskEntry) -> RiskPlan | None:
    plan: RiskPlan | None = RiskPlan.objects.filter(entry=entry).first()
    return plan


def plans_for(member: Membership, *, due_by: date | None = None) -> QuerySet[RiskPlan]:
    """The organisation's plans, soonest review first; ``due_by``: only plans in force whose
    review falls on or before that date."""
    plans = visible(RiskPlan.objects.all(), member).select_related("entry")
    if due_by is not None:
        plans = plans.filter(status=PlanStatus.ADOPTED, review_on__lte=due_by)
    return plans


def plan_for(member: Membership, plan_id: object) -> RiskPlan:
    return get_for_member(RiskPlan.objects.select_related("entry"), member, pk=plan_id)


def owners_for(member: Membership) -> QuerySet[Membership]:
    """Who may own a measure: the organisation's active members."""
    return (
        Membership.objects.for_member(member)
        .active()
        .select_related("user")
        .order_by("user__email")
    )


def improvement_choices(member: Membership) -> tuple[QuerySet[Assessment], QuerySet[Any]]:
    """Assessments (improvement plans) and their actions the member sees."""
    assessments = Assessment.objects.for_member(member).select_related("standard", "supplier")
    actions = ImprovementAction.objects.filter(assessment__in=assessments).select_related(
        "criterion", "assessment"
    )
    return assessments, actions


def subject_choices(member: Membership) -> dict[str, QuerySet[Any]]:
    """What a risk may be about: the organisation's facilities, suppliers and lots."""
    return {
        "facility": owned(Facility.objects.for_member(member).live(), member).order_by("name"),
        "supplier": owned(Supplier.objects.for_member(member), member).order_by("name"),
        "lot": owned(Lot.objects.for_member(member), member).order_by("-pk"),
    }


# --- trends -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Month:
    """How many of the organisation's risks stood open, managed and closed at a month's end."""

    month: date
    open: int
    managed: int
    closed: int

    @property
    def total(self) -> int:
        return self.open + self.managed + self.closed


def _month_end(first: date) -> date:
    return add_months(first, 1) - timedelta(days=1)


def trends(member: Membership, *, months: int = 12, today: date | None = None) -> list[Month]:
    """The register's status counts at the end of each of the last ``months`` months (the
    current month up to today), from the status history."""
    today = today or timezone.localdate()
    first = add_months(today.replace(day=1), -(months - 1))
    changes = (
        RiskStatusChange.objects.filter(entry__in=visible(RiskEntry.objects.all(), member))
        .order_by("changed_on", "id")
        .values_list("entry_id", "status", "changed_on")
    )
    history: dict[int, list[tuple[date, str]]] = defaultdict(list)
    for entry_id, status, changed_on in changes:
        history[entry_id].append((changed_on, status))
    result = []
    for index in range(months):
        start = add_months(first, index)
        end = min(_month_end(start), today)
        counts: Counter[str] = Counter()
        for steps in history.values():
            found = next((s for on, s in reversed(steps) if on <= end), None)
            if found:
                counts[found] += 1
        result.append(
            Month(
                start,
                counts[RiskStatus.OPEN],
                counts[RiskStatus.MANAGED],
                counts[RiskStatus.CLOSED],
            )
        )
    return result


# --- the risk map -----------------------------------------------------------------------------


@dataclass
class CountryRisk:
    """What the map says of one country of the supply base, and why."""

    code: str
    name: str
    numeric: str
    facilities: int = 0
    suppliers: int = 0
    risks: int = 0
    level: str = ""  # empty: nothing is known, which is not "no risk"
    reasons: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        """The country's name in the reader's language."""
        return country_name(self.name)

    @property
    def level_label(self) -> str:
        return str(RiskLevel(self.level).label) if self.level else ""

    def raise_to(self, level: str, reason: str) -> None:
        if RANK.get(level, 0) > RANK.get(self.level, 0):
            self.level = level
        self.reasons.append(reason)


def _latest(kind: str) -> Edition | None:
    edition: Edition | None = (
        Edition.objects.filter(kind=kind).order_by("-edition_date", "-pk").first()
    )
    return edition


def _supply_base(member: Membership) -> dict[str, CountryRisk]:
    base: dict[str, CountryRisk] = {}

    def country(code: str, name: str, numeric: str) -> CountryRisk:
        return base.setdefault(code, CountryRisk(code, name, numeric))

    facilities = owned(Facility.objects.for_member(member).live(), member)
    for code, name, numeric in facilities.values_list(
        "country_id", "country__name", "country__numeric"
    ):
        country(code, name, numeric).facilities += 1
    suppliers = owned(Supplier.objects.for_member(member), member).exclude(country=None)
    for code, name, numeric in suppliers.values_list(
        "country_id", "country__name", "country__numeric"
    ):
        country(code, name, numeric).suppliers += 1
    live = entries_for(member).exclude(status=RiskStatus.CLOSED).exclude(country=None)
    for code, name, numeric, level, title in live.values_list(
        "country_id", "country__name", "country__numeric", "level", "title"
    ):
        row = country(code, name, numeric)
        row.risks += 1
        row.raise_to(level, title)
    return base


def _from_editions(base: dict[str, CountryRisk]) -> list[Edition]:
    """Raise the supply base's countries by the latest CAHRA list and List of Goods."""
    used = []
    cahra = _latest(EditionKind.CAHRA)
    if cahra is not None:
        used.append(cahra)
        areas = ConflictArea.objects.filter(edition=cahra, country_code__in=list(base))
        for area in areas.order_by("country_code", "region_code"):
            row = base[area.country_code]
            if area.whole_country:
                row.raise_to(RiskLevel.EXTREME, f"CAHRA: {cahra.label}")
            else:
                row.regions.append(f"{area.region_code} {area.region_name}".strip())
                row.raise_to(RiskLevel.HIGH, f"CAHRA region {area.region_code}")
    goods = _latest(EditionKind.DOL_GOODS)
    if goods is not None:
        used.append(goods)
        listed = GoodListing.objects.filter(edition=goods, country_id__in=list(base)).filter(
            Q(child_labour=True) | Q(forced_labour=True)
        )
        for code, good in listed.values_list("country_id", "good"):
            base[code].raise_to(RiskLevel.MEDIUM, f"DOL List of Goods: {good}")
    return used


def _from_scores(member: Membership, base: dict[str, CountryRisk]) -> None:
    """Raise the supply base's countries by the latest scores of their facilities and
    suppliers (the level each score gives)."""
    latest = visible(Score.objects.all(), member)
    newest = latest.order_by("-as_of").values_list("as_of", flat=True).first()
    if newest is None:
        return
    rows = latest.filter(as_of=newest).values_list(
        "level", "total", "facility__country_id", "supplier__country_id"
    )
    for level, total, facility_country, supplier_country in rows:
        code = facility_country or supplier_country
        if code in base and level in RANK:
            base[code].raise_to(level, f"score {total}")


def country_labels() -> dict[str, str]:
    """ISO numeric code → the country's name in the reader's language (the map's titles)."""
    return {
        numeric: country_name(name)
        for numeric, name in Country.objects.values_list("numeric", "name")
    }


def risk_map(member: Membership) -> tuple[list[CountryRisk], list[Edition]]:
    """Every country of the organisation's supply base (its facilities, suppliers and open
    risks) with its level and the reasons, and the editions read; highest level first."""
    base = _supply_base(member)
    editions = _from_editions(base)
    _from_scores(member, base)
    rows = sorted(base.values(), key=lambda r: (-RANK.get(r.level, 0), r.name))
    return rows, editions


# --- ids from the API, looked up among what the member sees --------------------------------


def _one(queryset: QuerySet[Any], pk: int | None, field: str, what: str) -> Any:
    if pk is None:
        return None
    row = queryset.filter(pk=pk).first()
    if row is None:
        raise RegisterError(field, f"no {what} #{pk} that your organisation sees")
    return row


def subject_by_ids(
    member: Membership, facility_id: int | None, supplier_id: int | None, lot_id: int | None
) -> Subject:
    """The facility, supplier and lot named by id, each one the member sees."""
    return Subject(
        _one(Facility.objects.for_member(member).live(), facility_id, "facility_id", "facility"),
        _one(Supplier.objects.for_member(member), supplier_id, "supplier_id", "supplier"),
        _one(Lot.objects.for_member(member), lot_id, "lot_id", "lot"),
    )


def score_by_id(member: Membership, score_id: int | None) -> Score | None:
    score: Score | None = _one(visible(Score.objects.all(), member), score_id, "score", "score")
    return score


def flag_by_id(member: Membership, flag_id: int | None) -> RedFlag | None:
    flag: RedFlag | None = _one(visible(RedFlag.objects.all(), member), flag_id, "red_flag", "flag")
    return flag


def owner_by_id(member: Membership, owner_id: int) -> Membership:
    owner: Membership = _one(owners_for(member), owner_id, "owner_id", "active member")
    return owner


def improvements_by_ids(
    member: Membership, assessment_ids: list[int], action_ids: list[int]
) -> tuple[list[Assessment], list[ImprovementAction]]:
    assessments, actions = improvement_choices(member)
    return (
        [_one(assessments, pk, "assessment_ids", "assessment") for pk in assessment_ids],
        [_one(actions, pk, "action_ids", "improvement action") for pk in action_ids],
    )
