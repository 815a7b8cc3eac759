"""Writes of findings: the auditor's grade on a criterion, saved as they go, and its evidence
(photos and documents, checked like an assessment's evidence). Only during the fieldwork."""

from __future__ import annotations

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from oretrace.assessments.models import Criterion
from oretrace.audits import rules
from oretrace.audits.choices import AuditStatus, FindingGrade
from oretrace.audits.exceptions import AuditError
from oretrace.audits.models import Audit, Finding, FindingEvidence
from oretrace.audits.services.sides import Actor, require_auditor, store_file
from oretrace.core.actors import actor_user
from oretrace.core.changelog import log_change, snapshot, update_and_log
from oretrace.core.choices import ChangeAction
from oretrace.core.exceptions import InvalidTransition


def _in_fieldwork(audit: Audit, actor: Actor, what: str) -> None:
    require_auditor(actor, audit, what)
    if audit.status != AuditStatus.FIELDWORK:
        raise InvalidTransition(
            f"findings are recorded during the fieldwork, not in {audit.get_status_display()}"
        )


def _criterion_of(audit: Audit, criterion: Criterion) -> Criterion:
    if audit.standard_id is None or criterion.section.standard_id != audit.standard_id:
        raise AuditError(
            "criterion", f"{criterion.code} is not a criterion of the audit's standard"
        )
    return criterion


def _grade(audit: Audit, grade: str) -> str:
    if grade not in FindingGrade.values:
        raise AuditError("grade", f"{grade!r} is not one of {', '.join(FindingGrade.values)}")
    known = rules.finding_grades(audit.programme)
    if grade not in known:
        raise AuditError(
            "grade", f"the programme {audit.programme} grades findings {', '.join(known)}"
        )
    return grade


@transaction.atomic
def record_finding(
    audit: Audit, criterion: Criterion, *, grade: str, description: str, actor: Actor
) -> Finding:
    """Record (or change) the finding on one criterion, as the auditor goes."""
    _in_fieldwork(audit, actor, "record findings")
    _criterion_of(audit, criterion)
    grade = _grade(audit, grade)
    description = description.strip()[:10000]
    if grade != FindingGrade.GOOD_PRACTICE and not description:
        raise AuditError("description", f"say what was found on {criterion.code}")
    finding = Finding.objects.filter(audit=audit, criterion=criterion).first()
    if finding is None:
        finding = Finding.objects.create(
            audit=audit,
            criterion=criterion,
            grade=grade,
            description=description,
            recorded_by=actor_user(actor),
        )
        log_change(
            finding, action=ChangeAction.CREATE, actor=actor, organisation=audit.organisation
        )
        return finding
    return update_and_log(
        finding,
        actor=actor,
        organisation=audit.organisation,
        grade=grade,
        description=description,
        recorded_by=actor_user(actor),
    )


@transaction.atomic
def clear_finding(finding: Finding, *, actor: Actor) -> None:
    """Withdraw a finding during the fieldwork (the criterion is met after all)."""
    audit = finding.audit
    _in_fieldwork(audit, actor, "withdraw findings")
    if finding.evidence.exists():
        raise AuditError("evidence", "remove the finding's evidence files first")
    log_change(
        finding,
        action=ChangeAction.DELETE,
        actor=actor,
        before=snapshot(finding),
        organisation=audit.organisation,
    )
    finding.delete()


@transaction.atomic
def add_finding_evidence(
    finding: Finding, *, upload: UploadedFile[bytes], actor: Actor
) -> FindingEvidence:
    """Attach a photo or document to a finding (PDF, JPEG, PNG or WebP within the size limit)."""
    audit = finding.audit
    _in_fieldwork(audit, actor, "add evidence to findings")
    return store_file(
        FindingEvidence(finding=finding), upload, actor=actor, organisation=audit.organisation
    )
