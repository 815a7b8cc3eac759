"""The downloads (CSV/XLSX) of the risk app's lists (web/exports.py): the editions, and the
rows of one edition with the columns of its kind."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from oretrace.risk.choices import EditionKind
from oretrace.risk.models import Edition
from oretrace.web.exports import Column, ListExport

EDITIONS_EXPORT = ListExport(
    "risk-editions",
    (
        Column(gettext_lazy("List"), lambda e: e.get_kind_display()),
        Column(gettext_lazy("Edition"), lambda e: e.label),
        Column(gettext_lazy("Edition date"), lambda e: e.edition_date),
        Column(gettext_lazy("Retrieved"), lambda e: e.retrieved_on),
        Column(gettext_lazy("Publisher"), lambda e: e.publisher),
        Column(gettext_lazy("File"), lambda e: e.filename),
        Column(gettext_lazy("SHA-256"), lambda e: e.sha256),
        Column(gettext_lazy("Rows"), lambda e: e.counts.get("rows", 0)),
    ),
)


def _yes(value: bool) -> str:
    return str(gettext_lazy("yes") if value else gettext_lazy("no"))


def _country(row: object) -> str:
    return getattr(row, "country_id", None) or ""


ROW_COLUMNS: dict[str, tuple[Column, ...]] = {
    EditionKind.DOL_GOODS: (
        Column(gettext_lazy("Good"), lambda r: r.good),
        Column(gettext_lazy("Sector"), lambda r: r.sector),
        Column(gettext_lazy("Country"), lambda r: r.country_name),
        Column(gettext_lazy("ISO code"), _country),
        Column(gettext_lazy("Child labour"), lambda r: _yes(r.child_labour)),
        Column(gettext_lazy("Forced labour"), lambda r: _yes(r.forced_labour)),
        Column(gettext_lazy("Forced child labour"), lambda r: _yes(r.forced_child_labour)),
    ),
    EditionKind.DOL_COUNTRIES: (
        Column(gettext_lazy("Country"), lambda r: r.country_name),
        Column(gettext_lazy("ISO code"), _country),
        Column(gettext_lazy("Region"), lambda r: r.region),
        Column(gettext_lazy("Advancement"), lambda r: r.advancement),
        Column(gettext_lazy("Children working"), lambda r: r.working_children),
        Column(gettext_lazy("Ages"), lambda r: r.age_range),
        Column(gettext_lazy("Goods"), lambda r: r.goods),
    ),
    EditionKind.CAHRA: (
        Column(gettext_lazy("Country"), lambda r: r.country_code),
        Column(gettext_lazy("Region code"), lambda r: r.region_code),
        Column(gettext_lazy("Area"), lambda r: r.region_name or r.country_name),
        Column(gettext_lazy("Conflict-affected"), lambda r: _yes(r.conflict_affected)),
        Column(gettext_lazy("High-risk"), lambda r: _yes(r.high_risk)),
        Column(gettext_lazy("Whole country"), lambda r: _yes(r.whole_country)),
    ),
    EditionKind.ISO3166: (
        Column(gettext_lazy("Alpha-2"), lambda r: r.alpha2),
        Column(gettext_lazy("Alpha-3"), lambda r: r.alpha3),
        Column(gettext_lazy("Numeric"), lambda r: r.numeric),
        Column(gettext_lazy("Name"), lambda r: r.name),
    ),
}


def rows_export(edition: Edition) -> ListExport:
    """The download of one edition's rows, named for its kind and date."""
    return ListExport(f"{edition.kind}-{edition.edition_date:%Y-%m-%d}", ROW_COLUMNS[edition.kind])


# --- red flags ---------------------------------------------------------------------------------


def _flag_text(flag: object) -> str:
    from oretrace.risk.redflags.texts import flag_text

    return flag_text(flag).detail  # type: ignore[arg-type]


def _flag_title(flag: object) -> str:
    from oretrace.risk.redflags.texts import flag_text

    return flag_text(flag).title  # type: ignore[arg-type]


def _evidence(flag: object) -> str:
    from oretrace.risk.redflags.texts import evidence_text

    return evidence_text(flag.evidence_label)  # type: ignore[attr-defined]


def _stamp(value: object) -> str:
    return f"{value:%Y-%m-%d %H:%M}" if value else ""


FLAGS_EXPORT = ListExport(
    "red-flags",
    (
        Column(gettext_lazy("Rule"), lambda f: f.rule),
        Column(gettext_lazy("Red flag"), _flag_title),
        Column(gettext_lazy("Severity"), lambda f: f.get_severity_display()),
        Column(gettext_lazy("What"), _flag_text),
        Column(gettext_lazy("Facility"), lambda f: f.facility.name if f.facility else ""),
        Column(gettext_lazy("Supplier"), lambda f: f.supplier.name if f.supplier else ""),
        Column(gettext_lazy("Lot"), lambda f: f.lot.code if f.lot else ""),
        Column(gettext_lazy("Country"), lambda f: f.country_id or ""),
        Column(gettext_lazy("Region"), lambda f: f.region),
        Column(gettext_lazy("Evidence"), _evidence),
        Column(gettext_lazy("Edition"), lambda f: str(f.edition) if f.edition else ""),
        Column(gettext_lazy("Raised"), lambda f: _stamp(f.raised_at)),
        Column(gettext_lazy("Closed"), lambda f: _stamp(f.closed_at)),
    ),
)
