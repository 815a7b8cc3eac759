"""Pages of the assessments: list and assignment, the answering portal (saves as you go),
review, results with gaps, the printable gap report, the improvement plan, and standards.
Thin: reads through tenancy scoping, writes through services."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from django.contrib import messages
from django.db.models import Q
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from oretrace.assessments import editor_views, queries, services, stdfile
from oretrace.assessments.choices import AnswerType, SupportKind, TrainingFormat, YesNo
from oretrace.assessments.list_exports import (
    ASSESSMENTS_EXPORT,
    PLAN_EXPORT,
    STANDARDS_EXPORT,
    TRAINING_EXPORT,
)
from oretrace.assessments.models import (
    Assessment,
    Evidence,
    ImprovementAction,
    ProgressUpdate,
    Question,
    Standard,
    SupportRequest,
    TrainingModule,
)
from oretrace.assessments.permissions import (
    can_assign_assessments,
    can_author_standards,
    can_respond_to_assessments,
)
from oretrace.assessments.services import plans
from oretrace.core.models import Membership
from oretrace.core.requests import AuthenticatedRequest
from oretrace.core.tenancy import get_for_member, owned, visible
from oretrace.core.uploads import read_upload
from oretrace.registry.models import Facility
from oretrace.web.exports import pdf_download
from oretrace.web.files import stored_file_response
from oretrace.web.views import (
    attempt,
    chosen_file,
    errors_as_messages,
    member_required,
    requires,
)

LANGUAGES = ("en", "fr", "hi")


def _assessment(member: Membership, assessment_id: int) -> Assessment:
    return get_for_member(
        Assessment.objects.select_related("standard", "supplier", "organisation", "facility"),
        member,
        pk=assessment_id,
    )


def _text_language(request: HttpRequest) -> str:
    """The language of the question texts: ``?lang=``, else the page's language."""
    wanted = request.GET.get("lang") or request.POST.get("lang") or ""
    if wanted in LANGUAGES:
        return wanted
    return (translation.get_language() or "en").split("-")[0]


def _assignable_facilities(member: Membership) -> list[Facility]:
    """Facilities the member sees that another organisation records or runs."""
    others = (Q(organisation__isnull=False) & ~Q(organisation_id=member.organisation_id)) | (
        Q(operator__isnull=False) & ~Q(operator_id=member.organisation_id)
    )
    return list(
        visible(Facility.objects.select_related("organisation", "operator"), member)
        .filter(merged_into__isnull=True)
        .filter(others)
        .order_by("name")[:500]
    )


@member_required
@requires(can_assign_assessments)
def assessment_list(request: HttpRequest, member: Membership) -> HttpResponse:
    if request.method == "POST":
        return _assign(request, member)
    found = queries.assessments_for(member)
    listed = found.filter(
        Q(supplier_id=member.organisation_id) | Q(organisation=member.organisation)
    )
    download = ASSESSMENTS_EXPORT.response(
        request, listed.select_related("standard", "organisation", "supplier", "facility")
    )
    if download is not None:
        return download
    can_assign = can_assign_assessments(member)
    return render(
        request,
        "assessments/list.html",
        {
            "to_answer": found.filter(supplier_id=member.organisation_id),
            "assigned": owned(found, member),
            "can_assign": can_assign,
            "standards": queries.standards_for(member) if can_assign else [],
            "facilities": _assignable_facilities(member) if can_assign else [],
        },
    )


def _assign(request: HttpRequest, member: Membership) -> HttpResponse:
    standard = get_for_member(Standard.objects.all(), member, pk=_int(request.POST, "standard"))
    facility = get_for_member(Facility.objects.all(), member, pk=_int(request.POST, "facility"))
    supplier = facility.operator or facility.organisation
    try:
        due_on = date.fromisoformat(request.POST.get("due_on", ""))
    except ValueError:
        messages.error(request, _("Give the due date as YYYY-MM-DD."))
        return redirect("assessments:list")
    if supplier is None:
        raise Http404
    with errors_as_messages(request):
        assessment = services.assign_assessment(
            standard=standard,
            supplier=supplier,
            facility=facility,
            due_on=due_on,
            message=request.POST.get("message", ""),
            actor=member,
        )
        messages.success(request, _("Assessment assigned to %(org)s.") % {"org": supplier})
        return redirect("assessments:detail", assessment.pk)
    return redirect("assessments:list")


def _int(data: Any, key: str) -> int:
    try:
        return int(data.get(key, ""))
    except (TypeError, ValueError):
        raise Http404 from None


@member_required
def assessment_detail(request: HttpRequest, member: Membership, assessment_id: int) -> HttpResponse:
    assessment = _assessment(member, assessment_id)
    if request.method == "POST":
        return _review_post(request, member, assessment)
    actions = assessment.actions.select_related("criterion").prefetch_related(
        "updates", "support_requests", "corrective_actions__finding"
    )
    if (download := PLAN_EXPORT.response(request, actions)) is not None:
        return download
    _sections, progress = queries.questionnaire(assessment)
    history = queries.history(assessment, member)
    return render(
        request,
        "assessments/detail.html",
        {
            "assessment": assessment,
            "progress": progress,
            "is_supplier": services.is_responder(member, assessment),
            "is_reviewer": services.is_assigner(member, assessment),
            "sections": queries.section_scores(assessment),
            "gaps": queries.gaps_of(assessment, member) if assessment.result else [],
            "history": history,
            "chart": _chart(history),
            "chart_width": 20 + 60 * len(history),
            "actions": actions,
            "support_kinds": SupportKind.choices,
            "lang": _text_language(request),
            "training": queries.training_by_criterion(assessment, member),
        },
    )


def _review_post(request: HttpRequest, member: Membership, assessment: Assessment) -> HttpResponse:
    action = request.POST.get("action")
    with errors_as_messages(request):
        if action == "submit":
            services.submit(assessment, actor=member)
            messages.success(request, _("Submitted. The score and gaps are below."))
        elif action == "send-back":
            services.send_back(assessment, note=request.POST.get("note", ""), actor=member)
            messages.success(request, _("Sent back to the supplier for clarification."))
        elif action == "accept":
            services.accept(assessment, actor=member)
            messages.success(request, _("Accepted."))
        elif action == "plan":
            made = plans.generate_plan(assessment, actor=member, language=_text_language(request))
            messages.success(
                request,
                ngettext(
                    "%(n)d improvement action added.", "%(n)d improvement actions added.", len(made)
                )
                % {"n": len(made)},
            )
        else:
            raise Http404
    return redirect("assessments:detail", assessment.pk)


def _chart(history: list[Assessment]) -> list[dict[str, Any]]:
    """Bars of the overall score at each submission, for an inline SVG (0-100 scale)."""
    bars = []
    for i, item in enumerate(history):
        value = float(item.score or 0)
        bars.append(
            {
                "x": 10 + i * 60,
                "height": value * 1.6,
                "y": 170 - value * 1.6,
                "score": item.score,
                "date": item.submitted_at,
                "pk": item.pk,
            }
        )
    return bars


@member_required
def answer_page(request: HttpRequest, member: Membership, assessment_id: int) -> HttpResponse:
    assessment = _assessment(member, assessment_id)
    sections, progress = queries.questionnaire(assessment)
    return render(
        request,
        "assessments/answer.html",
        {
            "assessment": assessment,
            "sections": sections,
            "progress": progress,
            "lang": _text_language(request),
            "text_languages": LANGUAGES,
            "can_answer": services.is_responder(member, assessment)
            and assessment.status in ("assigned", "in_progress", "returned"),
            "can_comment": True,
            "yes_no": YesNo.choices,
            "types": AnswerType,
        },
    )


def _question_response(
    request: AuthenticatedRequest,
    member: Membership,
    assessment: Assessment,
    question: Question,
    error: str = "",
) -> HttpResponse:
    """The question's block again (htmx), with the progress and any dependants out of band."""
    if not request.htmx:
        if error:
            messages.error(request, error)
        url = reverse("assessments:answer", args=[assessment.pk])
        return redirect(f"{url}?lang={_text_language(request)}#q-{question.pk}")
    sections, progress = queries.questionnaire(assessment)
    rows = {row.question.pk: row for s in sections for _c, qs in s.criteria for row in qs}
    dependants = [rows[q.pk] for q in question.dependants.all() if q.pk in rows]
    return render(
        request,
        "assessments/_saved.html",
        {
            "assessment": assessment,
            "row": rows[question.pk],
            "dependants": dependants,
            "progress": progress,
            "error": error,
            "lang": _text_language(request),
            "can_answer": services.is_responder(member, assessment)
            and assessment.status in ("assigned", "in_progress", "returned"),
            "can_comment": True,
            "yes_no": YesNo.choices,
            "types": AnswerType,
        },
    )


def _question(assessment: Assessment, question_id: int) -> Question:
    question = assessment.standard.questions.filter(pk=question_id).first()
    if question is None:
        raise Http404
    return question


def _on_question(
    request: AuthenticatedRequest,
    member: Membership,
    assessment_id: int,
    question_id: int,
    write: Callable[[Assessment, Question], None],
) -> HttpResponse:
    """Run one write on a question of an assessment and answer with the question's block.

    A domain error is shown in the block; a refusal stays a 403 (``member_required``).
    """
    assessment = _assessment(member, assessment_id)
    question = _question(assessment, question_id)
    with attempt() as tried:
        write(assessment, question)
    return _question_response(request, member, assessment, question, tried.error)


@require_POST
@member_required
@requires(can_respond_to_assessments)
def save_answer(
    request: AuthenticatedRequest, member: Membership, assessment_id: int, question_id: int
) -> HttpResponse:
    def write(assessment: Assessment, question: Question) -> None:
        value, note = request.POST.get("value", ""), request.POST.get("note")
        services.save_answer(assessment, question, value=value, note=note, actor=member)

    return _on_question(request, member, assessment_id, question_id, write)


@require_POST
@member_required
@requires(can_respond_to_assessments)
def upload_evidence(
    request: AuthenticatedRequest, member: Membership, assessment_id: int, question_id: int
) -> HttpResponse:
    def write(assessment: Assessment, question: Question) -> None:
        upload = chosen_file(request, "file", _("Choose a file to upload."))
        services.add_evidence(assessment, question, upload=upload, actor=member)

    return _on_question(request, member, assessment_id, question_id, write)


@require_POST
@member_required
def comment(
    request: AuthenticatedRequest, member: Membership, assessment_id: int, question_id: int
) -> HttpResponse:
    def write(assessment: Assessment, question: Question) -> None:
        services.comment(assessment, question, text=request.POST.get("text", ""), actor=member)

    return _on_question(request, member, assessment_id, question_id, write)


@member_required
def evidence_file(request: HttpRequest, member: Membership, evidence_id: int) -> FileResponse:
    item = get_for_member(Evidence.objects.all(), member, pk=evidence_id)
    return stored_file_response(
        item.file, filename=item.original_name, content_type=item.content_type
    )


@member_required
def gap_report(request: HttpRequest, member: Membership, assessment_id: int) -> HttpResponse:
    """The gap report as a printable page, or as a PDF with ``?format=pdf``."""
    assessment = _assessment(member, assessment_id)
    if not assessment.result:
        raise Http404
    context = {
        "assessment": assessment,
        "sections": queries.section_scores(assessment),
        "gaps": queries.gaps_of(assessment, member),
        "lang": _text_language(request),
    }
    if request.GET.get("format") != "pdf":
        return render(request, "assessments/report.html", context)
    name = f"gap-report-{assessment.standard.code}-{assessment.pk}.pdf"
    return pdf_download(request, "assessments/report.html", context, name)


@require_POST
@member_required
@requires(can_respond_to_assessments)
def action_update(request: HttpRequest, member: Membership, action_id: int) -> HttpResponse:
    action = get_for_member(
        ImprovementAction.objects.select_related("assessment"), member, pk=action_id
    )
    what = request.POST.get("do")
    with errors_as_messages(request):
        if what == "status":
            plans.update_action(
                action,
                status=request.POST.get("status", ""),
                owner_name=request.POST.get("owner_name"),
                actor=member,
            )
        elif what == "progress":
            plans.add_progress(
                action,
                text=request.POST.get("text", ""),
                actor=member,
                upload=request.FILES.get("file"),
            )
        elif what == "support":
            plans.request_support(
                action,
                kind=request.POST.get("kind", ""),
                message=request.POST.get("message", ""),
                actor=member,
            )
        else:
            raise Http404
        messages.success(request, _("Saved."))
    return redirect(reverse("assessments:detail", args=[action.assessment_id]) + "#plan")


@require_POST
@member_required
@requires(can_assign_assessments)
def support_answer(request: HttpRequest, member: Membership, request_id: int) -> HttpResponse:
    support = get_for_member(
        SupportRequest.objects.select_related("action__assessment"), member, pk=request_id
    )
    with errors_as_messages(request):
        plans.answer_support(
            support,
            status=request.POST.get("status", ""),
            response=request.POST.get("response", ""),
            actor=member,
        )
        messages.success(request, _("Saved."))
    return redirect(reverse("assessments:detail", args=[support.action.assessment_id]) + "#plan")


@member_required
@requires(can_author_standards)
def standard_list(request: HttpRequest, member: Membership) -> HttpResponse:
    if request.method == "POST":
        with errors_as_messages(request):
            upload = chosen_file(request, "file", _("Choose a YAML file to import."))
            standard = services.import_standard(
                read_upload(upload, limit=stdfile.MAX_BYTES),
                organisation=member.organisation,
                actor=member,
            )
            messages.success(request, _("Imported %(s)s.") % {"s": standard})
        return redirect("assessments:standards")
    standards = queries.standards_for(member).order_by("code", "version")
    return STANDARDS_EXPORT.download_or_page(
        request,
        standards,
        "assessments/standards.html",
        {
            "standards": standards,
            "can_import": can_author_standards(member),
            "drafts": editor_views.drafts_for(member),
        },
    )


@member_required
def standard_detail(request: HttpRequest, member: Membership, standard_id: int) -> HttpResponse:
    standard = get_for_member(Standard.objects.all(), member, pk=standard_id)
    if request.GET.get("format") == "yaml":
        response = HttpResponse(
            queries.export_standard(standard), content_type="application/yaml; charset=utf-8"
        )
        name = f"{standard.code}-{standard.version}.yaml"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
    lang = _text_language(request)
    return render(
        request,
        "assessments/standard.html",
        {
            "standard": standard,
            "lang": lang,
            "text_languages": LANGUAGES,
            "sections": standard.sections.prefetch_related("criteria__questions"),
            "can_author": can_author_standards(member),
        },
    )


@member_required
def progress_file(request: HttpRequest, member: Membership, update_id: int) -> FileResponse:
    update = get_for_member(ProgressUpdate.objects.all(), member, pk=update_id)
    return stored_file_response(update.file, filename=update.original_name)


@member_required
def training_file(request: HttpRequest, member: Membership, module_id: int) -> FileResponse:
    module = get_for_member(TrainingModule.objects.all(), member, pk=module_id)
    extension = (module.file.name or "").rsplit(".", 1)[-1]
    return stored_file_response(module.file, filename=f"{module.title}.{extension}")


@member_required
@requires(can_assign_assessments)
def training_list(request: HttpRequest, member: Membership) -> HttpResponse:
    can_add = can_assign_assessments(member)
    if request.method == "POST" and can_add:
        codes = [c.strip() for c in request.POST.get("criteria", "").split(",") if c.strip()]
        with errors_as_messages(request):
            plans.add_training_module(
                organisation=member.organisation,
                title=request.POST.get("title", ""),
                language=request.POST.get("language", ""),
                format=request.POST.get("format", ""),
                standard_code=request.POST.get("standard_code", ""),
                criterion_codes=codes,
                url=request.POST.get("url", ""),
                summary=request.POST.get("summary", ""),
                upload=request.FILES.get("file"),
                actor=member,
            )
            messages.success(request, _("Training module added."))
        return redirect("assessments:training")
    modules = visible(TrainingModule.objects.all(), member)
    return TRAINING_EXPORT.download_or_page(
        request,
        modules,
        "assessments/training.html",
        {
            "modules": modules,
            "can_add": can_add,
            "formats": TrainingFormat.choices,
            "standard_codes": sorted(
                set(queries.standards_for(member).values_list("code", flat=True))
            ),
        },
    )
