"""Pages of the roll-up: the company's own declaration per template and year, with charts, its
export into the user's blank template, and the CSV/XLSX reports."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from oretrace.core import tabular
from oretrace.core.choices import JobStatus
from oretrace.core.models import Job, Membership
from oretrace.core.reference import mineral_name
from oretrace.core.tenancy import get_for_member, visible
from oretrace.core.uploads import read_upload
from oretrace.declarations.models import Declaration, Supplier
from oretrace.declarations.queries.rollup import (
    LATEST,
    Rollup,
    build_rollup,
    years_with_declarations,
)
from oretrace.declarations.services import export
from oretrace.declarations.services.rollup import (
    KIND,
    download_name,
    filled_path,
    start_rollup_export,
)
from oretrace.web.exports import answered
from oretrace.web.views import errors_as_messages, member_required

CONTACT_LABELS = {
    "contact_name": gettext_lazy("Contact name"),
    "contact_email": gettext_lazy("Contact e-mail"),
    "contact_phone": gettext_lazy("Contact phone"),
    "authorizer_name": gettext_lazy("Authorised by (name)"),
    "authorizer_title": gettext_lazy("Authoriser's title"),
    "authorizer_email": gettext_lazy("Authoriser's e-mail"),
    "authorizer_phone": gettext_lazy("Authoriser's phone"),
}
CONTACT_FIELDS = tuple(CONTACT_LABELS)


def _choice(request: HttpRequest, member: Membership) -> tuple[str, int]:
    pairs = years_with_declarations(member)
    family = (request.GET.get("family") or request.POST.get("family") or "").upper()
    year_text = request.GET.get("year") or request.POST.get("year") or ""
    if family not in LATEST:
        family = pairs[0][0] if pairs else "CMRT"
    try:
        year = int(year_text)
    except ValueError:
        year = next((y for f, y in pairs if f == family), timezone.now().year - 1)
    return family, year


def chart_bars(rollup: Rollup) -> list[dict[str, Any]]:
    """One bar per mineral: conformant and other smelters, scaled to the largest bar."""
    counts = rollup.by_metal()
    widest = max((total for _m, total, _c in counts), default=0) or 1
    return [
        {
            "label": mineral_name(metal),
            "total": total,
            "conformant": conformant,
            "other": total - conformant,
            "conformant_width": round(300 * conformant / widest, 1),
            "other_x": round(110 + 300 * conformant / widest, 1),
            "other_width": round(300 * (total - conformant) / widest, 1),
            "y": 10 + 30 * index,
            "text_y": 25 + 30 * index,
        }
        for index, (metal, total, conformant) in enumerate(counts)
    ]


@member_required
def rollup_page(request: HttpRequest, member: Membership) -> HttpResponse:
    family, year = _choice(request, member)
    rollup = build_rollup(member, family, year)
    share = rollup.conformant_share()
    bars = chart_bars(rollup)
    return render(
        request,
        "declarations/rollup.html",
        {
            "rollup": rollup,
            "family": family,
            "year": year,
            "families": list(LATEST),
            "pairs": years_with_declarations(member),
            "share": share,
            "share_percent": round(100 * share) if share is not None else None,
            "response_percent": round(100 * rollup.response_rate),
            "bars": bars,
            "chart_height": 20 + 30 * len(bars),
            "mineral_labels": {m: mineral_name(m) for m in rollup.minerals},
            "company_defaults": export.COMPANY_ANSWER_DEFAULTS.get(family, {}),
            "contact_fields": [
                (name, label, member.user.email if name.endswith("_email") else "")
                for name, label in CONTACT_LABELS.items()
            ],
            "filled": [(job, download_name(job)) for job in _filled_templates(member)],
        },
    )


def _filled_templates(member: Membership, limit: int = 5) -> list[Job]:
    """The organisation's latest templates filled with a roll-up, ready to download again."""
    jobs = visible(
        Job.objects.filter(kind=KIND, status=JobStatus.SUCCEEDED).select_related("organisation"),
        member,
    )
    return [
        job for job in jobs.order_by("-finished_at", "-pk")[:limit] if filled_path(job).is_file()
    ]


@member_required
def rollup_export(request: HttpRequest, member: Membership) -> HttpResponse:
    """POST a blank template: it is kept as received and filled by a job (the worker reads
    it, never the web process); the job's page shows the progress and the download."""
    family, year = _choice(request, member)
    back = redirect(f"/declarations/rollup/?family={family}&year={year}")
    if request.method != "POST":
        return back
    upload = request.FILES.get("blank")
    if upload is None:
        messages.error(request, _("Choose the blank template to fill."))
        return back
    try:
        effective = date.fromisoformat(
            request.POST.get("effective_date") or str(timezone.now().date())
        )
    except ValueError:
        messages.error(request, _("The effective date must be a date (YYYY-MM-DD)."))
        return back
    letters = export.COMPANY_ANSWER_DEFAULTS.get(family, {})
    with errors_as_messages(request):
        job = start_rollup_export(
            actor=member,
            family=family,
            year=year,
            blank=read_upload(upload, limit=export.MAX_BLANK_BYTES),
            filename=upload.name or "blank.xlsx",
            contact={f: request.POST.get(f, "").strip()[:200] for f in CONTACT_FIELDS},
            company_answers={
                k: request.POST.get(f"q_{k}", v).strip()[:200] for k, v in letters.items()
            },
            effective=effective,
        )
        return redirect("web:jobs_detail", job_id=job.pk)
    return back


@member_required
def rollup_download(request: HttpRequest, member: Membership, job_id: int) -> HttpResponse:
    """The filled template of a finished export job of the member's organisation."""
    job = get_for_member(Job.objects.filter(kind=KIND), member, pk=job_id)
    path = filled_path(job)
    if job.status != JobStatus.SUCCEEDED or not path.is_file():
        raise Http404
    return _download(path.read_bytes(), download_name(job).removesuffix(".xlsx"), "xlsx")


def _download(data: bytes, name: str, kind: str) -> HttpResponse:
    types = {
        "csv": "text/csv; charset=utf-8",
        "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    }
    response = HttpResponse(data, content_type=types[kind])
    response["Content-Disposition"] = f'attachment; filename="{name}.{kind}"'
    return response


@member_required
def smelter_report(request: HttpRequest, member: Membership, kind: str) -> HttpResponse:
    family, year = _choice(request, member)
    rows = export.smelter_report_rows(build_rollup(member, family, year))
    header = export.SMELTER_REPORT_HEADER
    name = f"smelters-{family}-{year}"
    data = tabular.as_csv(header, rows) if kind == "csv" else tabular.as_xlsx(name, header, rows)
    return answered(request, _download(data, name, kind))


SUPPLIER_REPORT_HEADER = (
    "supplier",
    "reference",
    "template",
    "reporting_year",
    "status",
    "effective_date",
    "checker_errors",
    "red_flags",
    "file",
)


def supplier_report_rows(member: Membership) -> list[tuple[Any, ...]]:
    latest: dict[int, list[Declaration]] = {}
    current = (
        Declaration.objects.for_member(member)
        .filter(superseded_by__isnull=True)
        .select_related("supplier")
        .defer("content")
    )
    for d in current:
        latest.setdefault(d.supplier_id, []).append(d)
    rows: list[tuple[Any, ...]] = []
    for supplier in Supplier.objects.for_member(member).order_by("name"):
        found = latest.get(supplier.pk, [])
        if not found:
            rows.append(
                (supplier.name, supplier.reference, "", "", "no declaration", "", "", "", "")
            )
        for d in found:
            rows.append(
                (
                    supplier.name,
                    supplier.reference,
                    f"{d.family} {d.version}",
                    d.reporting_year or "",
                    d.status,
                    d.effective_date.isoformat() if d.effective_date else "",
                    d.error_count,
                    d.flag_count,
                    d.filename,
                )
            )
    return rows


@member_required
def supplier_report(request: HttpRequest, member: Membership, kind: str) -> HttpResponse:
    rows = supplier_report_rows(member)
    data = (
        tabular.as_csv(SUPPLIER_REPORT_HEADER, rows)
        if kind == "csv"
        else tabular.as_xlsx("suppliers", SUPPLIER_REPORT_HEADER, rows)
    )
    return answered(request, _download(data, "supplier-status", kind))
