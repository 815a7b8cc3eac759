"""Pages of the risk app: the editions of the reference lists, one edition with its counts,
its diff and its rows, and the operator's upload. Thin: reads in ``queries``, writes in
``services``."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from oretrace.core.models import Membership
from oretrace.core.requests import AuthenticatedRequest
from oretrace.core.uploads import read_upload
from oretrace.risk import queries, services
from oretrace.risk.choices import COUNT_LABELS, FIELD_LABELS, VALUE_LABELS
from oretrace.risk.forms import EditionFilterForm, EditionUploadForm
from oretrace.risk.list_exports import EDITIONS_EXPORT, rows_export
from oretrace.risk.permissions import can_import_editions
from oretrace.risk.sources import MAX_BYTES
from oretrace.web.views import errors_on_form, member_required, requires

DIFF_SHOWN = 100  # keys shown per part of a diff; the download has every row


@member_required
def edition_list(request: AuthenticatedRequest, member: Membership) -> HttpResponse:
    form = EditionFilterForm(request.GET or None)
    kind = form.cleaned_data["kind"] if form.is_valid() else ""
    found = queries.editions_for(member, kind)
    if (download := EDITIONS_EXPORT.response(request, found)) is not None:
        return download
    page = Paginator(found, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "risk/edition_list.html",
        {
            "form": form,
            "page": page,
            "query": request.GET.urlencode(),
            "may_import": can_import_editions(member),
            "count_labels": COUNT_LABELS,
        },
    )


@member_required
def edition_detail(
    request: AuthenticatedRequest, member: Membership, edition_id: int
) -> HttpResponse:
    edition = queries.edition_for(member, edition_id)
    rows = queries.edition_rows(edition)
    if (download := rows_export(edition).response(request, rows)) is not None:
        return download
    diff = queries.edition_diff(edition)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    columns = rows_export(edition).columns
    return render(
        request,
        "risk/edition_detail.html",
        {
            "edition": edition,
            "counts": [(COUNT_LABELS.get(k, k), v) for k, v in edition.counts.items()],
            "diff": diff,
            "field_labels": FIELD_LABELS,
            "value_labels": VALUE_LABELS,
            "shown": DIFF_SHOWN,
            "page": page,
            "headers": [column.header for column in columns],
            "table": [[column.value(row) for column in columns] for row in page.object_list],
        },
    )


@member_required
@requires(can_import_editions)
def edition_import(request: AuthenticatedRequest, member: Membership) -> HttpResponse:
    """The operator's upload; every member may read what it does and who may use it."""
    form = EditionUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with errors_on_form(form, "file"):
            started = services.start_edition_import(
                read_upload(data["file"], limit=MAX_BYTES),
                data["file"].name,
                kind=data["kind"],
                actor=member,
                edition_date=data["edition_date"],
                label=data["label"],
            )
            if started.existing is not None:
                messages.info(
                    request,
                    _("This file was already imported as %(edition)s: nothing changed.")
                    % {"edition": started.existing},
                )
                return redirect("risk:edition", edition_id=started.existing.pk)
            if started.job is not None:
                return redirect("web:jobs_detail", job_id=started.job.pk)
    return render(
        request,
        "risk/edition_import.html",
        {"form": form, "may_import": can_import_editions(member)},
        status=400 if form.errors else 200,
    )
