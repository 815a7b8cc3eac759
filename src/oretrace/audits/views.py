"""Pages of audits: the lists of each side, one audit (its life, findings, actions and
outcome). Thin: reads in ``queries``, writes in ``services``."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from oretrace.audits import queries
from oretrace.audits.list_exports import AUDITS_EXPORT
from oretrace.audits.services import sides
from oretrace.core.models import Membership
from oretrace.core.requests import AuthenticatedRequest
from oretrace.web.views import member_required


@member_required
def audit_list(request: AuthenticatedRequest, member: Membership) -> HttpResponse:
    # ?export=csv|xlsx: every audit the member sees (audits/list_exports.py)
    if (download := AUDITS_EXPORT.response(request, queries.audits_for(member))) is not None:
        return download
    return render(
        request,
        "audits/list.html",
        {
            "undergone": queries.audits_for(member, "auditee"),
            "run": queries.audits_for(member, "body"),
            "owned": queries.audits_for(member, "owner"),
        },
    )


@member_required
def audit_detail(request: AuthenticatedRequest, member: Membership, audit_id: int) -> HttpResponse:
    audit = queries.audit_for(member, audit_id)
    return render(
        request,
        "audits/detail.html",
        {
            "audit": audit,
            "rows": queries.findings_with_help(audit, member),
            "steps": queries.steps_of(audit),
            "reviews": audit.reviews.select_related("decided_by__user"),
            "counts": queries.counts(audit),
            "is_auditor": sides.is_auditor(member, audit),
            "is_auditee": sides.is_auditee(member, audit),
            "is_supporter": sides.is_supporter(member, audit),
        },
    )
