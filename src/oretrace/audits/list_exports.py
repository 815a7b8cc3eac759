"""The downloads (CSV/XLSX, ``web/exports.py``) of the audits' lists: the audits a member sees,
and findings (of one audit, or of every audit the member sees). Names and texts as the pages
show them, in the reader's language; dates in ISO 8601."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext_lazy

from oretrace.assessments.texts import localise
from oretrace.audits import rules
from oretrace.audits.choices import ActionStatus
from oretrace.web.exports import Column, ListExport


def _yes_no(value: bool | None) -> str:
    if value is None:
        return ""
    return str(gettext_lazy("yes") if value else gettext_lazy("no"))


def _outcome(audit: Any) -> str:
    if not audit.outcome:
        return ""
    language = (translation.get_language() or "en").split("-")[0]
    return rules.grade_title(audit.programme, audit.outcome, language)


AUDITS_EXPORT = ListExport(
    "audits",
    (
        Column(gettext_lazy("Audit"), lambda a: f"A-{a.pk}"),
        Column(gettext_lazy("Programme"), lambda a: localise(a.programme.title)),
        Column(gettext_lazy("Programme code"), lambda a: a.programme.code),
        Column(gettext_lazy("Version"), lambda a: a.programme.version),
        Column(gettext_lazy("Type"), lambda a: a.get_audit_type_display()),
        Column(gettext_lazy("Facility"), lambda a: a.facility.name),
        Column(gettext_lazy("Auditee"), lambda a: str(a.auditee)),
        Column(gettext_lazy("Audit body"), lambda a: str(a.organisation)),
        Column(gettext_lazy("Programme owner"), lambda a: str(a.programme_owner or "")),
        Column(gettext_lazy("Status"), lambda a: a.get_status_display()),
        Column(gettext_lazy("Planned start"), lambda a: a.planned_start),
        Column(gettext_lazy("Planned end"), lambda a: a.planned_end),
        Column(gettext_lazy("Report"), lambda a: a.report_on),
        Column(gettext_lazy("Plan due"), lambda a: a.plan_due_on),
        Column(gettext_lazy("Decided"), lambda a: a.decided_on),
        Column(gettext_lazy("Score"), lambda a: a.score),
        Column(gettext_lazy("Outcome"), _outcome),
        Column(gettext_lazy("Conformant"), lambda a: _yes_no(a.conformant)),
        Column(gettext_lazy("Valid until"), lambda a: a.valid_until),
        Column(gettext_lazy("Next audit due"), lambda a: a.next_audit_due),
        Column(gettext_lazy("Next audit type"), lambda a: a.get_next_audit_type_display()),
    ),
)


def _open_actions(finding: Any) -> int:
    return sum(1 for a in finding.actions.all() if a.status != ActionStatus.VERIFIED)


FINDINGS_EXPORT = ListExport(
    "audit-findings",
    (
        Column(gettext_lazy("Audit"), lambda f: f"A-{f.audit_id}"),
        Column(gettext_lazy("Facility"), lambda f: f.audit.facility.name),
        Column(gettext_lazy("Auditee"), lambda f: str(f.audit.auditee)),
        Column(gettext_lazy("Criterion"), lambda f: f.criterion.code),
        Column(gettext_lazy("Requirement"), lambda f: localise(f.criterion.requirement)),
        Column(gettext_lazy("Grade"), lambda f: f.get_grade_display()),
        Column(gettext_lazy("Description"), lambda f: f.description),
        Column(gettext_lazy("To close by"), lambda f: f.closure_due_on),
        Column(gettext_lazy("Corrective actions"), lambda f: len(f.actions.all())),
        Column(gettext_lazy("Not yet verified"), _open_actions),
        Column(gettext_lazy("Evidence files"), lambda f: len(f.evidence.all())),
        Column(gettext_lazy("Audit status"), lambda f: f.audit.get_status_display()),
        Column(gettext_lazy("Recorded"), lambda f: f.created_at),
    ),
)
