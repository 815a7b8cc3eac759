"""Pages of audits: the lists of each side, one audit, planning one, the auditor's checklist
(saved criterion by criterion as they go), the auditee's answers (actions, evidence, support,
submitting a round), the auditor's moves (report, send back, verify and close) and the
programme owner's answers to support requests. Thin: reads in ``queries``, writes in
``services``."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.forms import BaseForm
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from oretrace.assessments.models import Criterion
from oretrace.audits import forms, queries
from oretrace.audits.list_exports import AUDITS_EXPORT
from oretrace.audits.models import Audit, Finding
from oretrace.audits.permissions import can_answer_audits, can_conduct_audits, can_support_audits
from oretrace.audits.services import actions, audits, closure, findings, sides
from oretrace.core.exceptions import OretraceError
from oretrace.core.models import Membership
from oretrace.core.requests import AuthenticatedRequest
from oretrace.web.files import kept_file_response
from oretrace.web.views import (
    attempt,
    chosen_file,
    errors_as_messages,
    errors_on_form,
    member_required,
    requires,
)


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
            "plan_url": reverse("audits:new") if can_conduct_audits(member) else "",
        },
    )


def _sides(member: Membership, audit: Audit) -> dict[str, bool]:
    return {
        "is_auditor": sides.is_auditor(member, audit),
        "is_auditee": sides.is_auditee(member, audit),
        "is_supporter": sides.is_supporter(member, audit),
    }


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
            "answer_form": forms.SupportAnswerForm(),
            **_sides(member, audit),
        },
    )


@member_required
@requires(can_conduct_audits)
def audit_new(request: AuthenticatedRequest, member: Membership) -> HttpResponse:
    form = forms.PlanForm(
        request.POST or None,
        programmes=queries.programmes_for(member),
        facilities=queries.auditable_facilities(member),
        owners=queries.programme_owners(),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        facility = data["facility"]
        with errors_on_form(form):
            audit = audits.plan_audit(
                actor=member,
                organisation=member.organisation,
                programme=data["programme"],
                audit_type=data["audit_type"],
                auditee=facility.organisation,
                facility=facility,
                scope=data["scope"],
                planned_start=data["planned_start"],
                planned_end=data["planned_end"],
                programme_owner=data["programme_owner"],
            )
            return redirect("audits:detail", audit_id=audit.pk)
    return render(request, "audits/new.html", {"form": form}, status=400 if form.errors else 200)


@member_required
def checklist(request: AuthenticatedRequest, member: Membership, audit_id: int) -> HttpResponse:
    """The auditor's checklist: every criterion, its finding, saved as the auditor goes."""
    audit = queries.audit_for(member, audit_id)
    if not sides.is_auditor(member, audit):
        return redirect("audits:detail", audit_id=audit.pk)
    return render(
        request,
        "audits/checklist.html",
        {
            "audit": audit,
            "sections": queries.checklist(audit, member),
            "grades": forms.FindingForm().fields["grade"].choices,  # type: ignore[attr-defined]
            "editable": audit.status == "fieldwork",
        },
    )


@require_POST
@member_required
@requires(can_conduct_audits)
def save_finding(
    request: AuthenticatedRequest, member: Membership, audit_id: int, criterion_id: int
) -> HttpResponse:
    """Save one criterion of the checklist (its grade, description and a photo); answers the
    criterion's row (htmx) or goes back to the checklist."""
    audit = queries.audit_for(member, audit_id)
    criterion = queries.criterion_of(audit, criterion_id)
    form = forms.FindingForm(request.POST, request.FILES)
    with attempt() as tried:
        if not form.is_valid():
            raise OretraceError(_form_problems(form))
        _write_finding(audit, criterion, form.cleaned_data, member)
    if not request.htmx:
        if tried.error:
            messages.error(request, tried.error)
        return redirect(reverse("audits:checklist", args=[audit.pk]) + f"#c-{criterion.pk}")
    row = queries.Row(criterion, queries.finding_of(audit, criterion))
    # A refused change, or text typed before a grade was chosen, stays in the row as typed.
    keep = tried.error or (row.finding is None and request.POST.get("description", "").strip())
    return render(
        request,
        "audits/_criterion.html",
        {
            "audit": audit,
            "row": row,
            "grades": form.fields["grade"].choices,  # type: ignore[attr-defined]
            "editable": True,
            "error": tried.error,
            "saved": not tried.error and row.finding is not None,
            "posted": request.POST if keep else None,
        },
        status=400 if tried.error else 200,
    )


def _form_problems(form: BaseForm) -> str:
    """A form's errors in one line: each field's name and what is wrong with it."""
    return "; ".join(
        f"{name}: {' '.join(str(e) for e in errors)}" for name, errors in form.errors.items()
    )


def _write_finding(
    audit: Audit, criterion: Criterion, data: dict[str, Any], member: Membership
) -> None:
    existing = queries.finding_of(audit, criterion)
    grade = str(data.get("grade") or "")
    upload = data.get("file")
    if not grade and upload is not None:
        raise OretraceError(_("Choose the finding's grade before adding a photo."))
    if not grade:
        if existing is not None:
            findings.clear_finding(existing, actor=member)
        return
    finding = findings.record_finding(
        audit, criterion, grade=grade, description=str(data.get("description") or ""), actor=member
    )
    if upload is not None:
        findings.add_finding_evidence(finding, upload=upload, actor=member)


@require_POST
@member_required
@requires(can_conduct_audits)
def move(request: AuthenticatedRequest, member: Membership, audit_id: int) -> HttpResponse:
    """The auditor's moves: start the fieldwork, issue the report, send the plan back, verify
    and close."""
    audit = queries.audit_for(member, audit_id)
    do = request.POST.get("do", "")
    with errors_as_messages(request):
        if do == "fieldwork":
            audits.start_fieldwork(audit, actor=member)
            return redirect("audits:checklist", audit_id=audit.pk)
        if do == "report":
            audits.issue_report(audit, actor=member)
        elif do == "send_back":
            actions.send_back(audit, actor=member, note=request.POST.get("note", ""))
        elif do == "close":
            closure.close_audit(
                audit,
                actor=member,
                note=request.POST.get("note", ""),
                score=request.POST.get("score") or None,
            )
        else:
            raise OretraceError(_("Choose what to do."))
    return redirect("audits:detail", audit_id=audit.pk)


@member_required
@requires(can_answer_audits)
def answer(request: AuthenticatedRequest, member: Membership, audit_id: int) -> HttpResponse:
    """The auditee's page: each finding with its help, its actions and evidence, the forms to
    add an action or ask for support, and the plan's submission."""
    audit = queries.audit_for(member, audit_id)
    if not sides.is_auditee(member, audit):
        return redirect("audits:detail", audit_id=audit.pk)
    if request.method == "POST":
        anchor = _answer_post(request, member, audit)
        return redirect(reverse("audits:answer", args=[audit.pk]) + anchor)
    return render(
        request,
        "audits/answer.html",
        {
            "audit": audit,
            "rows": queries.findings_with_help(audit, member),
            "action_form": forms.ActionForm(),
            "support_form": forms.SupportForm(),
            "open": audit.status in actions.ANSWERING,
            "missing": actions.unanswered(audit) if audit.status in actions.ANSWERING else [],
        },
    )


def _answer_post(request: AuthenticatedRequest, member: Membership, audit: Audit) -> str:
    do = request.POST.get("do", "")
    with errors_as_messages(request):
        if do == "submit":
            actions.submit_plan(audit, actor=member)
            messages.success(request, _("The corrective action plan is submitted."))
            return ""
        finding = queries.finding_in(audit, request.POST.get("finding", ""))
        if do == "action":
            _add_action(request, member, finding)
        elif do == "support":
            form = forms.SupportForm(request.POST)
            if not form.is_valid():
                raise OretraceError(_("Say what support you need."))
            actions.request_support(finding, actor=member, **form.cleaned_data)
        else:
            raise OretraceError(_("Choose what to do."))
        return f"#finding-{finding.pk}"
    return ""


def _add_action(request: AuthenticatedRequest, member: Membership, finding: Finding) -> None:
    form = forms.ActionForm(request.POST, request.FILES)
    if not form.is_valid():
        raise OretraceError(_form_problems(form))
    data = form.cleaned_data
    action = actions.add_action(
        finding,
        actor=member,
        what=data["what"],
        owner_name=data["owner_name"],
        due_on=data["due_on"],
        root_cause=data["root_cause"],
    )
    if data["file"] is not None:
        actions.add_action_evidence(action, upload=data["file"], actor=member)


@require_POST
@member_required
@requires(can_answer_audits)
def action_update(
    request: AuthenticatedRequest, member: Membership, corrective_id: int
) -> HttpResponse:
    """The auditee marks an action done (or open again), or adds evidence to it."""
    action = queries.action_for(member, corrective_id)
    do = request.POST.get("do", "")
    with errors_as_messages(request):
        if do in ("done", "open"):
            actions.update_action(action, actor=member, status=do)
        elif do == "evidence":
            upload = chosen_file(request, "file", _("Choose a file to upload."))
            actions.add_action_evidence(action, upload=upload, actor=member)
        else:
            raise OretraceError(_("Choose what to do."))
    anchor = f"#finding-{action.finding_id}"
    return redirect(reverse("audits:answer", args=[action.finding.audit_id]) + anchor)


@require_POST
@member_required
@requires(can_support_audits)
def support_answer(
    request: AuthenticatedRequest, member: Membership, audit_request_id: int
) -> HttpResponse:
    support = queries.request_for(member, audit_request_id)
    form = forms.SupportAnswerForm(request.POST)
    with errors_as_messages(request):
        if not form.is_valid():
            raise OretraceError(_("Choose an answer."))
        actions.answer_support(support, actor=member, **form.cleaned_data)
    return redirect(
        reverse("audits:detail", args=[support.finding.audit_id]) + f"#finding-{support.finding_id}"
    )


@member_required
def finding_file(
    request: AuthenticatedRequest, member: Membership, finding_file_id: int
) -> FileResponse:
    return kept_file_response(queries.finding_file_for(member, finding_file_id))


@member_required
def action_file(
    request: AuthenticatedRequest, member: Membership, action_file_id: int
) -> FileResponse:
    return kept_file_response(queries.action_file_for(member, action_file_id))
