"""Writes of improvement plans: actions generated from gaps, progress, support requests,
and the training library. Same rules as ``services``: one transaction, an actor, a log entry."""

from __future__ import annotations

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from oretrace.assessments import evidence as evidence_checks
from oretrace.assessments import notices
from oretrace.assessments.choices import (
    SEVERITY_DUE_DAYS,
    ActionStatus,
    SupportKind,
    SupportStatus,
    TrainingFormat,
)
from oretrace.assessments.exceptions import AssessmentError
from oretrace.assessments.models import (
    Assessment,
    Criterion,
    ImprovementAction,
    ProgressUpdate,
    SupportRequest,
    TrainingModule,
)
from oretrace.assessments.permissions import can_assign_assessments
from oretrace.assessments.queries import RESULT_STATUSES
from oretrace.assessments.services import Actor, _require, is_assigner, is_responder
from oretrace.assessments.texts import localise, text_language
from oretrace.core.actors import actor_user
from oretrace.core.changelog import log_change, status_change, update_and_log
from oretrace.core.choices import ChangeAction
from oretrace.core.exceptions import InvalidTransition, PermissionDenied
from oretrace.core.models import Organisation


def _either_party(assessment: Assessment, actor: Actor) -> None:
    if not (is_assigner(actor, assessment) or is_responder(actor, assessment)):
        raise PermissionDenied("only the two organisations of an assessment can do this")


@transaction.atomic
def generate_plan(
    assessment: Assessment, *, actor: Actor, language: str = "en", today: date | None = None
) -> list[ImprovementAction]:
    """One action per gap of the submitted result, with the criterion's suggested steps and a
    due date by severity; gaps that already have an action are left as they are."""
    _either_party(assessment, actor)
    if assessment.status not in RESULT_STATUSES:
        raise InvalidTransition("a plan is generated from a submitted assessment")
    start = today or timezone.localdate()
    codes = (assessment.result or {}).get("gaps", [])
    criteria = {
        c.code: c
        for c in Criterion.objects.filter(section__standard=assessment.standard, code__in=codes)
    }
    existing = set(assessment.actions.values_list("criterion_id", flat=True))
    created = []
    for code in codes:
        criterion = criteria[code]
        if criterion.pk in existing:
            continue
        action = ImprovementAction.objects.create(
            assessment=assessment,
            criterion=criterion,
            severity=criterion.severity,
            steps=localise(criterion.improvement_steps, language),
            steps_language=text_language(criterion.improvement_steps, language),
            due_on=start + timedelta(days=SEVERITY_DUE_DAYS[criterion.severity]),
        )
        log_change(
            action, action=ChangeAction.CREATE, actor=actor, organisation=assessment.supplier
        )
        created.append(action)
    return created


@transaction.atomic
def update_action(
    action: ImprovementAction,
    *,
    actor: Actor,
    status: str | None = None,
    owner_name: str | None = None,
    due_on: date | None = None,
    steps: str | None = None,
) -> ImprovementAction:
    """The supplier moves an action on (status, owner, due date, steps)."""
    if not is_responder(actor, action.assessment):
        raise PermissionDenied(f"only {action.assessment.supplier} updates its plan")
    changes: dict[str, object] = {}
    if status is not None:
        if status not in ActionStatus.values:
            raise AssessmentError(f"{status!r} is not an action status")
        changes.update(status_change(status, done=ActionStatus.DONE))
    if owner_name is not None:
        changes["owner_name"] = owner_name.strip()[:200]
    if due_on is not None:
        changes["due_on"] = due_on
    if steps is not None:
        if not steps.strip():
            raise AssessmentError("an action needs at least one step")
        if steps.strip() != action.steps:
            changes["steps"], changes["steps_language"] = steps.strip(), ""
    return update_and_log(action, actor=actor, organisation=action.assessment.supplier, **changes)


@transaction.atomic
def add_progress(
    action: ImprovementAction, *, text: str, actor: Actor, upload: UploadedFile[bytes] | None = None
) -> ProgressUpdate:
    """A progress note on an action, with an optional evidence file (checked like answers')."""
    if not is_responder(actor, action.assessment):
        raise PermissionDenied(f"only {action.assessment.supplier} reports progress")
    if not text.strip():
        raise AssessmentError("say what was done")
    update = ProgressUpdate(action=action, author=actor_user(actor), text=text.strip()[:5000])
    if upload is not None:
        checked = evidence_checks.check(upload.name or "", upload.size or 0, upload)
        update.original_name = checked.name
        update.file.save(f"{checked.sha256[:16]}.{checked.extension}", upload, save=False)
    try:
        update.save()
        log_change(
            update, action=ChangeAction.CREATE, actor=actor, organisation=action.assessment.supplier
        )
    except Exception:
        if update.file:
            update.file.delete(save=False)
        raise
    return update


@transaction.atomic
def request_support(
    action: ImprovementAction, *, kind: str, message: str, actor: Actor
) -> SupportRequest:
    """The supplier asks the assigning organisation for a site visit, training or a call."""
    if not is_responder(actor, action.assessment):
        raise PermissionDenied(f"only {action.assessment.supplier} requests support")
    if kind not in SupportKind.values:
        raise AssessmentError(f"{kind!r} is not a kind of support")
    if not message.strip():
        raise AssessmentError("describe the support you need")
    request = SupportRequest.objects.create(
        action=action, kind=kind, message=message.strip(), requested_by=actor_user(actor)
    )
    log_change(
        request, action=ChangeAction.CREATE, actor=actor, organisation=action.assessment.supplier
    )
    notices.support_requested(request, actor=actor)
    return request


@transaction.atomic
def answer_support(
    request: SupportRequest, *, status: str, response: str, actor: Actor
) -> SupportRequest:
    """The assigning organisation accepts, declines or closes a support request."""
    assessment = request.action.assessment
    if not is_assigner(actor, assessment):
        raise PermissionDenied(f"only {assessment.organisation} answers support requests")
    if status not in (SupportStatus.ACCEPTED, SupportStatus.DECLINED, SupportStatus.DONE):
        raise AssessmentError(f"{status!r} is not an answer to a support request")
    if status == SupportStatus.DECLINED and not response.strip():
        raise AssessmentError("say why the request is declined")
    update_and_log(
        request,
        actor=actor,
        organisation=assessment.organisation,
        status=status,
        response=response.strip(),
        answered_by=actor_user(actor),
    )
    notices.support_answered(request, actor=actor)
    return request


@transaction.atomic
def add_training_module(
    *,
    organisation: Organisation,
    title: str,
    language: str,
    format: str,
    standard_code: str,
    criterion_codes: list[str],
    actor: Actor,
    url: str = "",
    summary: str = "",
    upload: UploadedFile[bytes] | None = None,
) -> TrainingModule:
    """Add a module to an organisation's training library, linked to criteria it covers."""
    _require(actor, organisation, can_assign_assessments, "add training modules")
    if format not in TrainingFormat.values:
        raise AssessmentError(f"{format!r} is not a training format")
    if not url.strip() and upload is None:
        raise AssessmentError("a training module needs a link to the material or a file")
    known = set(
        Criterion.objects.filter(section__standard__code=standard_code).values_list(
            "code", flat=True
        )
    )
    unknown = [code for code in criterion_codes if code not in known]
    if not criterion_codes or unknown:
        raise AssessmentError(
            f"criteria not in {standard_code}: {', '.join(unknown)}"
            if unknown
            else "name at least one criterion the module covers"
        )
    module = TrainingModule(
        organisation=organisation,
        title=title.strip(),
        language=language,
        format=format,
        url=url.strip(),
        summary=summary.strip(),
        standard_code=standard_code,
        criterion_codes=criterion_codes,
    )
    try:
        module.full_clean(exclude=["file"])
    except ValidationError as exc:
        raise AssessmentError(
            "; ".join(f"{k}: {' '.join(v)}" for k, v in exc.message_dict.items())
        ) from None
    if upload is not None:
        checked = evidence_checks.check(upload.name or "", upload.size or 0, upload)
        module.file.save(f"{checked.sha256[:16]}.{checked.extension}", upload, save=False)
    try:
        module.save()
    except Exception:
        if module.file:
            module.file.delete(save=False)
        raise
    log_change(module, action=ChangeAction.CREATE, actor=actor, organisation=organisation)
    return module
