"""Pages of red flags: the organisation's list (open or closed, by rule, severity and subject,
paginated, downloadable) and one flag with its rule, evidence, edition and history. Thin:
reads in ``risk.queries``, texts in ``texts``."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render

from oretrace.core.models import Membership
from oretrace.core.requests import AuthenticatedRequest
from oretrace.risk import queries
from oretrace.risk.forms import FlagFilterForm
from oretrace.risk.list_exports import FLAGS_EXPORT
from oretrace.risk.permissions import can_recompute_flags
from oretrace.risk.redflags.services import RECOMPUTE_JOB
from oretrace.risk.redflags.texts import (
    as_row,
    closed_reasons,
    evidence_text,
    evidence_url,
    flag_text,
)
from oretrace.web.views import member_required

PAGE_SIZE = 25


@member_required
def flag_list(request: AuthenticatedRequest, member: Membership) -> HttpResponse:
    form = FlagFilterForm(request.GET or None)
    found = queries.flags_for(member, queries.FlagFilter(**form.filters()))  # type: ignore[arg-type]
    if (download := FLAGS_EXPORT.response(request, found)) is not None:
        return download
    page = Paginator(found, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "risk/flag_list.html",
        {
            "form": form,
            "page": page,
            "rows": [as_row(flag) for flag in page.object_list],
            "query": request.GET.urlencode(),
            "may_recompute": can_recompute_flags(member),
            "recompute_kind": RECOMPUTE_JOB,
        },
        status=400 if form.is_bound and form.errors else 200,
    )


@member_required
def flag_detail(request: AuthenticatedRequest, member: Membership, flag_id: int) -> HttpResponse:
    flag = queries.flag_for(member, flag_id)
    history = queries.flag_history(flag)
    return render(
        request,
        "risk/flag_detail.html",
        {
            "flag": flag,
            "text": flag_text(flag),
            "evidence_url": evidence_url(flag),
            "evidence": evidence_text(flag.evidence_label),
            "reasons": closed_reasons(flag),
            "history": [(f, closed_reasons(f)) for f in history],
        },
    )
