"""Pages of supplier declarations: list and upload, import batches with live progress, a
declaration with its flags and smelters, suppliers. Thin: reads through tenancy scoping,
writes through services."""

from __future__ import annotations

import mimetypes

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oretrace.core.models import Membership
from oretrace.core.reference import mineral_name
from oretrace.core.tenancy import get_for_member, visible
from oretrace.core.uploads import read_upload
from oretrace.declarations import list_exports, queries, services
from oretrace.declarations.choices import DeclarationStatus, Family, Severity
from oretrace.declarations.findings import with_text
from oretrace.declarations.models import Declaration, ImportBatch, Supplier
from oretrace.declarations.permissions import (
    can_decide_declarations,
    can_edit_suppliers,
    can_import_declarations,
)
from oretrace.declarations.queries import (
    DeclarationFilter,
    answers_by_mineral,
    compare,
    current_issues,
    entries_of,
    namings_of,
    question_text,
    search_declarations,
)
from oretrace.declarations.services import imports
from oretrace.registry.models import Facility
from oretrace.registry.permissions import can_load_reference_lists
from oretrace.registry.queries import registry_is_empty
from oretrace.web.files import stored_file_response
from oretrace.web.views import errors_as_messages, member_required, requires


def _int(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


@member_required
@requires(can_import_declarations)
def declaration_list(request: HttpRequest, member: Membership) -> HttpResponse:
    if request.method == "POST":
        uploads = request.FILES.getlist("files")
        supplier = None
        supplier_id = _int(request.POST.get("supplier"))
        if supplier_id:
            supplier = get_for_member(Supplier.objects.all(), member, pk=supplier_id)
        with errors_as_messages(request):
            batch = imports.start_import(
                [
                    (f.name or "upload", read_upload(f, limit=imports.MAX_FILE_BYTES))
                    for f in uploads
                ],
                actor=member,
                supplier=supplier,
                source="web",
            )
            return redirect("declarations:batch", batch_id=batch.pk)
        return redirect("declarations:list")
    get = request.GET
    f = DeclarationFilter(
        status=get.get("status", ""),
        family=get.get("family", ""),
        supplier=_int(get.get("supplier")),
        flagged={"1": True, "0": False}.get(get.get("flagged", "")),
        include_superseded=get.get("all") == "1",
        q=get.get("q", "").strip(),
    )
    found = search_declarations(member, f)
    if (download := list_exports.DECLARATIONS.response(request, found)) is not None:
        return download
    page = Paginator(found, 50).get_page(get.get("page"))
    return render(
        request,
        "declarations/declaration_list.html",
        {
            "page": page,
            "filters": f,
            "statuses": DeclarationStatus.choices,
            "families": Family.choices,
            "suppliers": visible(Supplier.objects.all(), member).only("id", "name"),
            "can_import": can_import_declarations(member),
            "can_decide": can_decide_declarations(member),
            "decisions": [
                (DeclarationStatus.ACCEPTED, _("Accept")),
                (DeclarationStatus.NEEDS_CORRECTION, _("Ask for a correction")),
                (DeclarationStatus.REJECTED, _("Reject")),
            ],
            "empty_registry": registry_is_empty(member),
            "may_load_lists": can_load_reference_lists(member),
            "batches": visible(ImportBatch.objects.select_related("job"), member)[:5],
        },
    )


@member_required
@requires(can_decide_declarations)
def decide_selected(request: HttpRequest, member: Membership) -> HttpResponse:
    """The same decision on the declarations ticked in the list (POST only)."""
    if request.method != "POST":
        return redirect("declarations:list")
    ids = [i for i in (_int(v) for v in request.POST.getlist("declaration")) if i is not None]
    chosen = list(visible(Declaration.objects.defer("content"), member).filter(pk__in=ids))
    back = request.POST.get("next", "")
    back = back if back.startswith("?") else ""
    with errors_as_messages(request):
        outcome = services.decide_many(
            chosen,
            status=request.POST.get("status", ""),
            note=request.POST.get("note", ""),
            actor=member,
        )
        if outcome.decided:
            messages.success(
                request,
                ngettext(
                    "%(count)s declaration decided.",
                    "%(count)s declarations decided.",
                    len(outcome.decided),
                )
                % {"count": len(outcome.decided)},
            )
        for declaration, reason in outcome.refused:
            messages.error(request, f"{declaration.supplier.name}: {reason}")
    return redirect(reverse("declarations:list") + back)


@member_required
def batch_detail(request: HttpRequest, member: Membership, batch_id: int) -> HttpResponse:
    batch = get_for_member(ImportBatch.objects.select_related("job"), member, pk=batch_id)
    counts = {
        outcome: sum(f.get("outcome") == outcome for f in batch.files)
        for outcome in ("imported", "duplicate", "refused")
    }
    if (download := list_exports.BATCH_FILES.response(request, batch.files or [])) is not None:
        return download
    context = {
        "batch": batch,
        "job": batch.job,
        "running": batch.job is not None and not batch.job.is_final,
        "counts": counts,
        "all_refused": counts["refused"] == len(batch.files) > 0,
    }
    if request.htmx:  # type: ignore[attr-defined]
        return render(request, "declarations/batch.html#batch-files", context)
    return render(request, "declarations/batch.html", context)


@member_required
@requires(can_decide_declarations)
def declaration_detail(
    request: HttpRequest, member: Membership, declaration_id: int
) -> HttpResponse:
    declaration = get_for_member(
        Declaration.objects.select_related("supplier", "superseded_by"), member, pk=declaration_id
    )
    if request.method == "POST":
        with errors_as_messages(request):
            services.decide(
                declaration,
                status=request.POST.get("status", ""),
                note=request.POST.get("note", ""),
                actor=member,
            )
            messages.success(request, _("Decision recorded."))
        return redirect("declarations:detail", declaration_id=declaration.pk)
    entries = entries_of(declaration, member)
    issues = current_issues(declaration, member)
    answer_minerals, answers = answers_by_mineral(declaration)
    supersedes = list(declaration.supersedes.all().order_by("-created_at"))
    family = declaration.family
    return render(
        request,
        "declarations/declaration_detail.html",
        {
            "declaration": declaration,
            "company": declaration.content["company"],
            "flags": with_text([i for i in issues if i["severity"] == Severity.FLAG]),
            "errors": with_text([i for i in issues if i["severity"] == Severity.ERROR]),
            "warnings": with_text([i for i in issues if i["severity"] == Severity.WARNING]),
            "answers": [(q, question_text(family, q), items) for q, items in answers],
            "answer_minerals": [mineral_name(m) if m else "" for m in answer_minerals],
            "company_answers": [
                {**a, "text": question_text(family, a["question"])}
                for a in declaration.content.get("company_answers", [])
            ],
            "entries": entries,
            "products": declaration.content.get("products", []),
            "supersedes": supersedes,
            "comparison": compare(supersedes[0], declaration) if supersedes else None,
            "has_file": bool(declaration.stored_file),
            "can_decide": can_decide_declarations(member),
            "decisions": [
                (DeclarationStatus.ACCEPTED, _("Accept")),
                (DeclarationStatus.NEEDS_CORRECTION, _("Ask for a correction")),
                (DeclarationStatus.REJECTED, _("Reject")),
            ],
        },
    )


@member_required
def declaration_file(
    request: HttpRequest, member: Membership, declaration_id: int
) -> HttpResponse | FileResponse:
    """The file the supplier sent, as received: served only while it still matches the SHA-256
    recorded at import (the evidence the declaration and its ledger leaf stand on)."""
    declaration = get_for_member(Declaration.objects.defer("content"), member, pk=declaration_id)
    data = queries.evidence_file(declaration)
    if data is None:
        return HttpResponse(
            _("The file kept as evidence is missing or no longer matches its SHA-256."),
            status=410,
            content_type="text/plain; charset=utf-8",
        )
    kind = mimetypes.guess_type(declaration.filename)[0] or "application/octet-stream"
    return stored_file_response(data, filename=declaration.filename, content_type=kind)


@member_required
def facility_suppliers(request: HttpRequest, member: Membership, facility_id: int) -> HttpResponse:
    """Which suppliers named this smelter or refiner in their current declarations."""
    facility = get_for_member(Facility.objects.select_related("country"), member, pk=facility_id)
    namings = namings_of(facility, member)
    if (download := list_exports.FACILITY_SUPPLIERS.response(request, namings)) is not None:
        return download
    return render(
        request,
        "declarations/facility_suppliers.html",
        {
            "facility": facility,
            "namings": namings,
            "supplier_count": len({n.declaration.supplier_id for n in namings}),
        },
    )


@member_required
@requires(can_edit_suppliers)
def supplier_list(request: HttpRequest, member: Membership) -> HttpResponse:
    if request.method == "POST":
        with errors_as_messages(request):
            services.create_supplier(
                actor=member,
                name=request.POST.get("name", ""),
                reference=request.POST.get("reference", ""),
                email=request.POST.get("email", ""),
                country=request.POST.get("country", ""),
                language=request.POST.get("language", ""),
            )
        return redirect("declarations:suppliers")
    suppliers = visible(Supplier.objects.select_related("country"), member)
    if (download := list_exports.SUPPLIERS.response(request, suppliers)) is not None:
        return download
    page = Paginator(suppliers, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "declarations/supplier_list.html",
        {
            "page": page,
            "can_edit": can_edit_suppliers(member),
            "email_languages": settings.LANGUAGES,
        },
    )
