"""Pages of supplier declarations: list and upload, import batches with live progress, a
declaration with its flags and smelters, suppliers. Thin: reads through tenancy scoping,
writes through services."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from oretrace.core.exceptions import OretraceError, PermissionDenied
from oretrace.core.models import Membership
from oretrace.core.tenancy import get_for_member, visible
from oretrace.core.uploads import read_upload
from oretrace.declarations import imports, services
from oretrace.declarations.choices import DeclarationStatus, Family, Severity
from oretrace.declarations.models import Declaration, ImportBatch, Supplier
from oretrace.declarations.permissions import (
    can_decide_declarations,
    can_edit_suppliers,
    can_import_declarations,
)
from oretrace.declarations.queries import (
    DeclarationFilter,
    answers_by_mineral,
    entries_of,
    search_declarations,
)
from oretrace.declarations.templates.values import mineral_label
from oretrace.registry.permissions import can_load_reference_lists
from oretrace.registry.queries import registry_is_empty
from oretrace.web.views import member_required, requires


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
        try:
            batch = imports.start_import(
                [
                    (f.name or "upload", read_upload(f, limit=imports.MAX_FILE_BYTES))
                    for f in uploads
                ],
                actor=member,
                supplier=supplier,
                source="web",
            )
        except PermissionDenied:
            raise  # a refusal: 403 from member_required, not a form error
        except OretraceError as exc:
            messages.error(request, str(exc))
            return redirect("declarations:list")
        return redirect("declarations:batch", batch_id=batch.pk)
    get = request.GET
    f = DeclarationFilter(
        status=get.get("status", ""),
        family=get.get("family", ""),
        supplier=_int(get.get("supplier")),
        flagged={"1": True, "0": False}.get(get.get("flagged", "")),
        include_superseded=get.get("all") == "1",
        q=get.get("q", "").strip(),
    )
    page = Paginator(search_declarations(member, f), 50).get_page(get.get("page"))
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
            "empty_registry": registry_is_empty(member),
            "may_load_lists": can_load_reference_lists(member),
            "batches": visible(ImportBatch.objects.select_related("job"), member)[:5],
        },
    )


@member_required
def batch_detail(request: HttpRequest, member: Membership, batch_id: int) -> HttpResponse:
    batch = get_for_member(ImportBatch.objects.select_related("job"), member, pk=batch_id)
    context = {
        "batch": batch,
        "job": batch.job,
        "running": batch.job is not None and not batch.job.is_final,
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
        try:
            services.decide(
                declaration,
                status=request.POST.get("status", ""),
                note=request.POST.get("note", ""),
                actor=member,
            )
        except PermissionDenied:
            raise  # a refusal: 403 from member_required, not a form error
        except OretraceError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Decision recorded."))
        return redirect("declarations:detail", declaration_id=declaration.pk)
    entries = entries_of(declaration, member)
    answer_minerals, answers = answers_by_mineral(declaration)
    return render(
        request,
        "declarations/declaration_detail.html",
        {
            "declaration": declaration,
            "company": declaration.content["company"],
            "flags": declaration.issues_of(Severity.FLAG),
            "errors": declaration.issues_of(Severity.ERROR),
            "warnings": declaration.issues_of(Severity.WARNING),
            "answers": answers,
            "answer_minerals": [mineral_label(m) if m else "" for m in answer_minerals],
            "company_answers": declaration.content.get("company_answers", []),
            "entries": entries,
            "products": declaration.content.get("products", []),
            "supersedes": declaration.supersedes.all(),
            "can_decide": can_decide_declarations(member),
            "decisions": [
                (DeclarationStatus.ACCEPTED, _("Accept")),
                (DeclarationStatus.NEEDS_CORRECTION, _("Ask for a correction")),
                (DeclarationStatus.REJECTED, _("Reject")),
            ],
        },
    )


@member_required
@requires(can_edit_suppliers)
def supplier_list(request: HttpRequest, member: Membership) -> HttpResponse:
    if request.method == "POST":
        try:
            services.create_supplier(
                actor=member,
                name=request.POST.get("name", ""),
                reference=request.POST.get("reference", ""),
                email=request.POST.get("email", ""),
                country=request.POST.get("country", ""),
            )
        except PermissionDenied:
            raise  # a refusal: 403 from member_required, not a form error
        except OretraceError as exc:
            messages.error(request, str(exc))
        return redirect("declarations:suppliers")
    suppliers = visible(Supplier.objects.select_related("country"), member)
    page = Paginator(suppliers, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "declarations/supplier_list.html",
        {"page": page, "can_edit": can_edit_suppliers(member)},
    )
