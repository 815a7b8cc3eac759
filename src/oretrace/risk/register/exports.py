"""The register's download (CSV/XLSX, web/exports.py): one row per risk, with its plan."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from oretrace.risk.models import RiskEntry
from oretrace.web.exports import Column, ListExport


def _plan(entry: RiskEntry, attribute: str) -> object:
    plan = getattr(entry, "plan", None)
    if plan is None:
        return ""
    if attribute == "strategy":
        return plan.get_strategy_display()
    return getattr(plan, attribute)


REGISTER_EXPORT = ListExport(
    "risk-register",
    (
        Column(gettext_lazy("Risk"), lambda e: f"R-{e.pk}"),
        Column(gettext_lazy("Title"), lambda e: e.title),
        Column(gettext_lazy("Category"), lambda e: e.get_category_display()),
        Column(gettext_lazy("Level"), lambda e: e.get_level_display()),
        Column(gettext_lazy("Status"), lambda e: e.get_status_display()),
        Column(gettext_lazy("Facility"), lambda e: str(e.facility or "")),
        Column(gettext_lazy("Supplier"), lambda e: str(e.supplier or "")),
        Column(gettext_lazy("Lot"), lambda e: e.lot.code if e.lot else ""),
        Column(gettext_lazy("Country"), lambda e: e.country_id or ""),
        Column(gettext_lazy("Region"), lambda e: e.region_code),
        Column(gettext_lazy("Identified"), lambda e: e.get_origin_display()),
        Column(gettext_lazy("Identified on"), lambda e: e.identified_on),
        Column(gettext_lazy("Strategy"), lambda e: _plan(e, "strategy")),
        Column(gettext_lazy("Next review"), lambda e: _plan(e, "review_on")),
    ),
)


PLANS_EXPORT = ListExport(
    "risk-plans",
    (
        Column(gettext_lazy("Risk"), lambda p: f"R-{p.entry_id}"),
        Column(gettext_lazy("Title"), lambda p: p.entry.title),
        Column(gettext_lazy("Strategy"), lambda p: p.get_strategy_display()),
        Column(gettext_lazy("Status"), lambda p: p.get_status_display()),
        Column(gettext_lazy("Last decision"), lambda p: p.decided_on),
        Column(gettext_lazy("Next review"), lambda p: p.review_on),
    ),
)
