"""Pages of the audit report (HTML, or PDF with ``?format=pdf``) and of findings across audits
(with their CSV/XLSX downloads). Thin: reads in ``queries`` and ``report``."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import translation

from oretrace.audits import queries, report
from oretrace.audits.choices import FindingGrade
from oretrace.audits.list_exports import FINDINGS_EXPORT
from oretrace.core.models import Membership
from oretrace.core.requests import AuthenticatedRequest
from oretrace.web.exports import pdf_download
from oretrace.web.views import member_required

STATES = ("open", "closed")


@member_required
def audit_report(request: AuthenticatedRequest, member: Membership, audit_id: int) -> HttpResponse:
    """The audit report in the auditee's language (``?lang=`` for another), as a page or, with
    ``?format=pdf``, as a PDF; with ``?export=csv|xlsx``, the audit's findings as a file."""
    audit = queries.audit_for(member, audit_id)
    findings = queries.findings_for(member, audit_id=audit.pk)
    if (download := FINDINGS_EXPORT.response(request, findings)) is not None:
        return download
    language = report.report_language(audit, request.GET.get("lang", ""))
    with translation.override(language):
        as_pdf = request.GET.get("format") == "pdf"
        context = report.report_context(audit, member, language, photos=as_pdf)
        if not as_pdf:
            return render(request, "audits/report.html", context)
        name = f"audit-report-A-{audit.pk}-{language}.pdf"
        return pdf_download(request, "audits/report.html", context, name)


@member_required
def findings_list(request: AuthenticatedRequest, member: Membership) -> HttpResponse:
    """Findings of every audit the member sees, by grade and by state (audit running or
    closed), with the downloads of the whole selection."""
    grade = request.GET.get("grade", "")
    grade = grade if grade in FindingGrade.values else ""
    state = request.GET.get("state", "")
    state = state if state in STATES else ""
    found = queries.findings_for(member, grade=grade, state=state)
    if (download := FINDINGS_EXPORT.response(request, found)) is not None:
        return download
    return render(
        request,
        "audits/findings.html",
        {
            "page": Paginator(found, 50).get_page(request.GET.get("page")),
            "grades": FindingGrade.choices,
            "grade": grade,
            "state": state,
        },
    )
