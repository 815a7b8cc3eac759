"""Writes of the corrective action plan: the auditee's actions on findings (with evidence),
submitting a round for verification, the auditor sending it back, and support requests.

A round is one submission of the plan. The auditor sends a round back with a note (the next
round opens) or verifies it by closing the audit (``services.closure``).
"""

from __future__ import annotations

from datetime import date

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone

from oretrace.assessments.choices import ActionStatus as ImprovementStatus
from oretrace.assessments.choices import SupportKind, SupportStatus
from oretrace.assessments.models import ImprovementAction
from oretrace.audits import notices
from oretrace.audits.choices import NEEDS_ACTION, ActionStatus, AuditStatus, ReviewDecision
from oretrace.audits.exceptions import AuditError
from oretrace.audits.models import (
    ActionEvidence,
    Audit,
    CapReview,
    CorrectiveAction,
    Finding,
    SupportRequest,
)
from oretrace.audits.services.audits import move
from oretrace.audits.services.sides import (
    Actor,
    is_supporter,
    require_auditee,
    require_auditor,
    store_file,
)
from oretrace.core.actors import acting_member, actor_user
from oretrace.core.changelog import log_change, status_change, update_and_log
from oretrace.core.choices import ChangeAction
from oretrace.core.exceptions import InvalidTransition, PermissionDenied

ANSWERING = (AuditStatus.REPORT, AuditStatus.CAP)


def _answering(audit: Audit, actor: Actor, what: str) -> None:
    require_auditee(actor, audit, what)
    if audit.status not in ANSWERING:
        raise InvalidTransition(
            f"the corrective action plan is open after the report and until it is submitted, "
            f"not in {audit.get_status_display()}"
        )


def linked_improvement(finding: Finding) -> ImprovementAction | None:
    """The auditee's open improvement action on the finding's criterion (same standard code and
    criterion code, an assessment of the same facility): the same work, seen from its plan."""
    audit = finding.audit
    return (
        ImprovementAction.objects.filter(
            assessment__supplier_id=audit.auditee_id,
            assessment__facility_id=audit.facility_id,
            assessment__standard__code=finding.criterion.section.standard.code,
            criterion__code=finding.criterion.code,
            status__in=(ImprovementStatus.OPEN, ImprovementStatus.IN_PROGRESS),
        )
        .order_by("-assessment__submitted_at", "-pk")
        .first()
    )


def _due(finding: Finding, due_on: date | None) -> date:
    if due_on is None:
        raise AuditError("due_on", "give the action's due date")
    if finding.closure_due_on is not None and due_on > finding.closure_due_on:
        raise AuditError(
            "due_on",
            f"the programme closes a {finding.get_grade_display().lower()} by "
            f"{finding.closure_due_on.isoformat()}: the action is due by then",
        )
    return due_on


@transaction.atomic
def add_action(
    finding: Finding,
    *,
    actor: Actor,
    what: str,
    owner_name: str,
    due_on: date | None,
    root_cause: str = "",
) -> CorrectiveAction:
    """The auditee answers a finding with an action: what, who carries it, by when."""
    audit = finding.audit
    _answering(audit, actor, "answer findings")
    if not what.strip():
        raise AuditError("what", "say what will be done")
    if not owner_name.strip():
        raise AuditError("owner_name", "say who carries the action")
    action = CorrectiveAction.objects.create(
        finding=finding,
        round=audit.cap_round,
        what=what.strip()[:5000],
        root_cause=root_cause.strip()[:5000],
        owner_name=owner_name.strip()[:200],
        due_on=_due(finding, due_on),
        improvement=linked_improvement(finding),
        created_by=actor_user(actor),
    )
    log_change(action, action=ChangeAction.CREATE, actor=actor, organisation=audit.auditee)
    if audit.status == AuditStatus.REPORT:
        move(audit, AuditStatus.CAP, actor=actor, note="first corrective action")
    return action


@transaction.atomic
def update_action(
    action: CorrectiveAction,
    *,
    actor: Actor,
    status: str | None = None,
    what: str | None = None,
    owner_name: str | None = None,
    due_on: date | None = None,
) -> CorrectiveAction:
    """The auditee moves an action on: done (or open again), its text, owner or due date."""
    audit = action.finding.audit
    _answering(audit, actor, "update corrective actions")
    if action.status == ActionStatus.VERIFIED:
        raise InvalidTransition("a verified action is not changed")
    changes: dict[str, object] = {}
    if status is not None:
        if status not in (ActionStatus.OPEN, ActionStatus.DONE):
            raise AuditError("status", f"{status!r}: an action is open or done")
        changes.update(status_change(status, done=ActionStatus.DONE))
    if what is not None:
        if not what.strip():
            raise AuditError("what", "say what will be done")
        changes["what"] = what.strip()[:5000]
    if owner_name is not None:
        if not owner_name.strip():
            raise AuditError("owner_name", "say who carries the action")
        changes["owner_name"] = owner_name.strip()[:200]
    if due_on is not None:
        changes["due_on"] = _due(action.finding, due_on)
    return update_and_log(action, actor=actor, organisation=audit.auditee, **changes)


@transaction.atomic
def add_action_evidence(
    action: CorrectiveAction, *, upload: UploadedFile[bytes], actor: Actor
) -> ActionEvidence:
    """Attach proof that an action is done (a photo, a register, a receipt)."""
    audit = action.finding.audit
    _answering(audit, actor, "add evidence to corrective actions")
    return store_file(
        ActionEvidence(action=action), upload, actor=actor, organisation=audit.auditee
    )


def unanswered(audit: Audit) -> list[Finding]:
    """Findings that need an action and have none yet."""
    findings = audit.findings.filter(grade__in=NEEDS_ACTION).select_related("criterion")
    return [f for f in findings if not f.actions.exists()]


@transaction.atomic
def submit_plan(audit: Audit, *, actor: Actor) -> Audit:
    """The auditee submits the plan's round for verification: every non-conformity needs an
    action."""
    require_auditee(actor, audit, "submit the corrective action plan")
    if audit.status != AuditStatus.CAP:
        raise InvalidTransition("only a corrective action plan being written can be submitted")
    missing = unanswered(audit)
    if missing:
        codes = ", ".join(f.criterion.code for f in missing)
        raise AuditError("actions", f"answer every non-conformity with an action first: {codes}")
    move(audit, AuditStatus.VERIFICATION, actor=actor, note=f"round {audit.cap_round}")
    notices.plan_submitted(audit, actor=actor)
    return audit


@transaction.atomic
def send_back(audit: Audit, *, actor: Actor, note: str) -> CapReview:
    """The auditor sends the submitted round back with what is missing: the next round opens."""
    require_auditor(actor, audit, "send the corrective action plan back")
    if audit.status != AuditStatus.VERIFICATION:
        raise InvalidTransition("only a submitted corrective action plan can be sent back")
    if not note.strip():
        raise AuditError("note", "say what the auditee must add or change")
    review = record_review(audit, ReviewDecision.SENT_BACK, note=note, actor=actor)
    move(audit, AuditStatus.CAP, actor=actor, note=note, cap_round=audit.cap_round + 1)
    notices.plan_sent_back(audit, note.strip(), actor=actor)
    return review


def record_review(audit: Audit, decision: str, *, note: str, actor: Actor) -> CapReview:
    """The auditor's decision on the current round (inside the caller's transaction)."""
    review = CapReview.objects.create(
        audit=audit,
        round=audit.cap_round,
        decision=decision,
        note=note.strip(),
        decided_by=acting_member(actor),
        decided_at=timezone.now(),
    )
    log_change(review, action=ChangeAction.CREATE, actor=actor, organisation=audit.organisation)
    return review


@transaction.atomic
def request_support(finding: Finding, *, kind: str, message: str, actor: Actor) -> SupportRequest:
    """The auditee asks the programme's owner for help closing a finding (a site visit,
    training, an expert call)."""
    audit = finding.audit
    require_auditee(actor, audit, "ask for support")
    if audit.status == AuditStatus.CLOSED:
        raise InvalidTransition("the audit is closed")
    if kind not in SupportKind.values:
        raise AuditError("kind", f"{kind!r} is not one of {', '.join(SupportKind.values)}")
    if not message.strip():
        raise AuditError("message", "describe the support you need")
    request = SupportRequest.objects.create(
        finding=finding, kind=kind, message=message.strip()[:5000], requested_by=actor_user(actor)
    )
    log_change(request, action=ChangeAction.CREATE, actor=actor, organisation=audit.auditee)
    notices.support_requested(request, actor=actor)
    return request


@transaction.atomic
def answer_support(
    request: SupportRequest, *, status: str, response: str, actor: Actor
) -> SupportRequest:
    """The programme's owner (or the audit body, without one) accepts, declines or closes a
    support request."""
    audit = request.finding.audit
    if not is_supporter(actor, audit):
        raise PermissionDenied("only the programme's owner answers support requests")
    if status not in (SupportStatus.ACCEPTED, SupportStatus.DECLINED, SupportStatus.DONE):
        raise AuditError("status", f"{status!r} is not an answer to a support request")
    if status == SupportStatus.DECLINED and not response.strip():
        raise AuditError("response", "say why the request is declined")
    update_and_log(
        request,
        actor=actor,
        organisation=audit.programme_owner or audit.organisation,
        status=status,
        response=response.strip()[:5000],
        answered_by=actor_user(actor),
    )
    notices.support_answered(request, actor=actor)
    return request
