"""The downloads (CSV/XLSX) of the declarations app's list pages: their columns as the pages
show them (web/exports.py). The views hand each its own, tenancy-scoped query."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oretrace.web.exports import Column, ListExport


def _scope(d: Any) -> str:
    return d.scope or ""


def _supplier(d: Any) -> str:
    if d.superseded_by_id:
        return f"{d.supplier.name} ({_('superseded')})"
    return str(d.supplier.name)


DECLARATIONS = ListExport(
    "declarations",
    (
        Column(gettext_lazy("Supplier"), _supplier),
        Column(gettext_lazy("Template"), lambda d: f"{d.family} {d.version}".strip()),
        Column(gettext_lazy("Scope"), _scope),
        Column(gettext_lazy("Effective"), lambda d: d.effective_date),
        Column(gettext_lazy("Status"), lambda d: d.get_status_display()),
        Column(gettext_lazy("Errors"), lambda d: d.error_count),
        Column(gettext_lazy("Red flags"), lambda d: d.flag_count),
        Column(gettext_lazy("File"), lambda d: d.filename),
    ),
)

SUPPLIERS = ListExport(
    "suppliers",
    (
        Column(gettext_lazy("Name"), lambda s: s.name),
        Column(gettext_lazy("Your reference"), lambda s: s.reference),
        Column(gettext_lazy("E-mail"), lambda s: s.email),
        Column(gettext_lazy("Country"), lambda s: s.country_id or ""),
    ),
)


def _rate(row: tuple[Any, Any]) -> str:
    rate = row[1]
    if not rate.requested:
        return ""
    return f"{rate.percent} % ({rate.responded}/{rate.requested})"


CAMPAIGNS = ListExport(
    "campaigns",
    (
        Column(gettext_lazy("Campaign"), lambda r: r[0].name),
        Column(gettext_lazy("Template"), lambda r: r[0].family),
        Column(gettext_lazy("Reporting year"), lambda r: r[0].reporting_year),
        Column(gettext_lazy("Due date"), lambda r: r[0].due_date),
        Column(gettext_lazy("Status"), lambda r: r[0].get_status_display()),
        Column(gettext_lazy("Response rate"), _rate),
    ),
)


def _declaration(r: Any) -> str:
    d = r.declaration
    return f"{d.filename} ({d.get_status_display()})" if d else ""


CAMPAIGN_REQUESTS = ListExport(
    "campaign-requests",
    (
        Column(gettext_lazy("Supplier"), lambda r: r.supplier.name),
        Column(gettext_lazy("E-mail"), lambda r: r.email),
        Column(gettext_lazy("Status"), lambda r: r.get_status_display()),
        Column(gettext_lazy("Reason"), lambda r: r.decline_reason),
        Column(gettext_lazy("Sent"), lambda r: r.sent_at),
        Column(gettext_lazy("Reminders"), lambda r: r.reminder_count),
        Column(gettext_lazy("Answered"), lambda r: r.responded_at),
        Column(gettext_lazy("Declaration"), _declaration),
    ),
)

FACILITY_SUPPLIERS = ListExport(
    "suppliers-naming-smelter",
    (
        Column(gettext_lazy("Supplier"), lambda n: n.declaration.supplier.name),
        Column(
            gettext_lazy("Declaration"),
            lambda n: f"{n.declaration.family} {n.declaration.reporting_year or ''}".strip(),
        ),
        Column(gettext_lazy("Row"), lambda n: n.entry.row),
        Column(gettext_lazy("Metal"), lambda n: n.entry.metal_text or n.entry.metal),
        Column(gettext_lazy("Name as declared"), lambda n: n.entry.smelter_name),
        Column(gettext_lazy("ID as declared"), lambda n: n.entry.smelter_id),
        Column(
            gettext_lazy("Linked by"),
            lambda n: _("a person's review") if n.by_review else _("the matcher"),
        ),
    ),
)


def _outcome(f: dict[str, Any]) -> str:
    return {
        "imported": _("imported"),
        "duplicate": _("already imported"),
        "refused": _("refused"),
    }.get(f.get("outcome", ""), _("waiting"))


BATCH_FILES = ListExport(
    "import-files",
    (
        Column(gettext_lazy("File"), lambda f: f.get("filename", "")),
        Column(gettext_lazy("Outcome"), _outcome),
        Column(gettext_lazy("Errors"), lambda f: f.get("errors") or 0),
        Column(gettext_lazy("Warnings"), lambda f: f.get("warnings") or 0),
        Column(gettext_lazy("Red flags"), lambda f: f.get("flags") or 0),
        Column(gettext_lazy("Details"), lambda f: f.get("message", "")),
    ),
)
