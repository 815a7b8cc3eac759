"""The downloads (CSV/XLSX) of the assessments app's list pages: their columns as the pages
show them (web/exports.py). The views hand each its own, tenancy-scoped query."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oretrace.assessments.templatetags.assessments import tr
from oretrace.web.exports import Column, ListExport

ASSESSMENTS_EXPORT = ListExport(
    "assessments",
    (
        Column(gettext_lazy("Standard"), lambda a: tr(a.standard.title)),
        Column(gettext_lazy("Version"), lambda a: a.standard.version),
        Column(gettext_lazy("Asked by"), lambda a: str(a.organisation)),
        Column(gettext_lazy("Supplier"), lambda a: str(a.supplier)),
        Column(gettext_lazy("Facility"), lambda a: str(a.facility) if a.facility else ""),
        Column(gettext_lazy("Due"), lambda a: a.due_on),
        Column(gettext_lazy("Status"), lambda a: a.get_status_display()),
        Column(gettext_lazy("Score"), lambda a: a.score),
    ),
)
PLAN_EXPORT = ListExport(
    "improvement-plan",
    (
        Column(gettext_lazy("Criterion"), lambda a: a.criterion.code),
        Column(gettext_lazy("Requirement"), lambda a: tr(a.criterion.requirement)),
        Column(gettext_lazy("Severity"), lambda a: a.get_severity_display()),
        Column(gettext_lazy("Status"), lambda a: a.get_status_display()),
        Column(gettext_lazy("Steps"), lambda a: a.steps),
        Column(gettext_lazy("Due"), lambda a: a.due_on),
        Column(gettext_lazy("Owner"), lambda a: a.owner_name),
    ),
)
STANDARDS_EXPORT = ListExport(
    "standards",
    (
        Column(gettext_lazy("Standard"), lambda s: tr(s.title)),
        Column(gettext_lazy("Version"), lambda s: s.version),
        Column(gettext_lazy("Questions"), lambda s: s.n_questions),
        Column(
            gettext_lazy("Owner"),
            lambda s: str(s.organisation) if s.organisation else _("shipped with oretrace"),
        ),
    ),
)
TRAINING_EXPORT = ListExport(
    "training",
    (
        Column(gettext_lazy("Title"), lambda m: m.title),
        Column(gettext_lazy("Summary"), lambda m: m.summary),
        Column(gettext_lazy("Language"), lambda m: m.language),
        Column(gettext_lazy("Format"), lambda m: m.get_format_display()),
        Column(gettext_lazy("Standard"), lambda m: m.standard_code),
        Column(gettext_lazy("Criteria covered"), lambda m: ", ".join(m.criterion_codes or [])),
    ),
)
