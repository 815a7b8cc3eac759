"""Writes of an audit's life: planning it and moving it on.

planned → fieldwork → report → corrective action plan → verification → closed. Each move is
one transaction that sets the status, writes an ``AuditStep`` (who, when, from what) and the
change log, and tells the other side (``audits.notices``). Closing (``services.closure``)
decides the outcome by the programme's rules.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from django.db import transaction
from django.utils import timezone

from oretrace.assessments.models import Standard
from oretrace.audits import notices, rules
from oretrace.audits.choices import AuditStatus, AuditType
from oretrace.audits.exceptions import AuditError
from oretrace.audits.models import Audit, AuditStep, ProgrammeVersion
from oretrace.audits.permissions import can_conduct_audits
from oretrace.audits.services.sides import Actor, require_auditor
from oretrace.core.actors import SystemActor, acting_member, actor_user
from oretrace.core.changelog import log_change, update_and_log
from oretrace.core.choices import ChangeAction, Role
from oretrace.core.exceptions import InvalidTransition
from oretrace.core.models import Membership, Organisation
from oretrace.registry.models import Facility

# The moves each status allows (closing is ``closure.close_audit``'s).
MOVES: dict[str, tuple[str, ...]] = {
    AuditStatus.PLANNED: (AuditStatus.FIELDWORK,),
    AuditStatus.FIELDWORK: (AuditStatus.REPORT,),
    AuditStatus.REPORT: (AuditStatus.CAP, AuditStatus.CLOSED),
    AuditStatus.CAP: (AuditStatus.VERIFICATION,),
    AuditStatus.VERIFICATION: (AuditStatus.CAP, AuditStatus.CLOSED),
    AuditStatus.CLOSED: (),
}


def move(audit: Audit, to: str, *, actor: Actor, note: str = "", **changes: Any) -> Audit:
    """Set the audit's status (and ``changes``), with its step and change-log entry. Runs in
    the caller's transaction; refuses a move the life cycle does not allow."""
    if to not in MOVES[audit.status]:
        raise InvalidTransition(
            f"an audit in {audit.get_status_display()} cannot move to {AuditStatus(to).label}"
        )
    previous = audit.status
    update_and_log(audit, actor=actor, status=to, **changes)
    step = AuditStep.objects.create(
        audit=audit,
        status=to,
        previous=previous,
        at=timezone.now(),
        by=acting_member(actor),
        note=note.strip(),
    )
    log_change(step, action=ChangeAction.CREATE, actor=actor, organisation=audit.organisation)
    return audit


def _auditor_of(body: Organisation, member: Membership | None, field: str) -> Membership:
    if member is None or member.organisation_id != body.pk or not member.is_active:
        raise AuditError(field, f"an auditor must be an active member of {body}")
    if not member.has_role(Role.AUDITOR):
        raise AuditError(field, f"{member.user} does not hold the role auditor")
    return member


def standard_for(programme: ProgrammeVersion) -> Standard | None:
    """The latest shipped version of the programme's standard (its criteria are the
    checklist's), or None for a programme without one."""
    if not programme.standard_code:
        return None
    shipped = Standard.objects.filter(organisation__isnull=True, code=programme.standard_code)
    return shipped.order_by("-created_at", "-pk").first()


@transaction.atomic
def plan_audit(
    *,
    actor: Actor,
    organisation: Organisation,
    programme: ProgrammeVersion,
    audit_type: str,
    auditee: Organisation,
    facility: Facility,
    scope: str,
    planned_start: date,
    planned_end: date,
    lead_auditor: Membership | None = None,
    team: Sequence[Membership] = (),
    programme_owner: Organisation | None = None,
) -> Audit:
    """Plan an audit of the auditee's facility under a programme version, run by
    ``organisation`` (an audit body): the auditee is told."""
    if not isinstance(actor, SystemActor):
        can_conduct_audits.require(actor, organisation_id=organisation.pk)
    if audit_type not in AuditType.values:
        raise AuditError("audit_type", f"{audit_type!r} is not one of {', '.join(AuditType)}")
    if facility.organisation_id not in (None, auditee.pk):
        raise AuditError("facility", f"{facility} is not a facility of {auditee}")
    if auditee.pk == organisation.pk:
        raise AuditError("auditee", "an audit body does not audit itself")
    if planned_end < planned_start:
        raise AuditError("planned_end", "the audit cannot end before it starts")
    if not scope.strip():
        raise AuditError("scope", "say what the audit covers")
    if lead_auditor is None and isinstance(actor, Membership):
        lead_auditor = actor
    lead = _auditor_of(organisation, lead_auditor, "lead_auditor")
    members = [_auditor_of(organisation, m, "team") for m in team]
    audit = Audit.objects.create(
        organisation=organisation,
        created_by=actor_user(actor),
        programme=programme,
        standard=standard_for(programme),
        audit_type=audit_type,
        auditee=auditee,
        facility=facility,
        programme_owner=programme_owner,
        lead_auditor=lead,
        scope=scope.strip(),
        planned_start=planned_start,
        planned_end=planned_end,
    )
    audit.team.set(members)
    log_change(audit, action=ChangeAction.CREATE, actor=actor)
    step = AuditStep.objects.create(
        audit=audit,
        status=AuditStatus.PLANNED,
        at=timezone.now(),
        by=acting_member(actor),
    )
    log_change(step, action=ChangeAction.CREATE, actor=actor, organisation=organisation)
    notices.planned(audit, actor=actor)
    return audit


@transaction.atomic
def start_fieldwork(audit: Audit, *, actor: Actor) -> Audit:
    """The auditors are on site: findings can be recorded."""
    require_auditor(actor, audit, "start the fieldwork")
    move(audit, AuditStatus.FIELDWORK, actor=actor)
    notices.on_site(audit, actor=actor)
    return audit


@transaction.atomic
def issue_report(audit: Audit, *, actor: Actor, report_on: date | None = None) -> Audit:
    """The auditors issue the report: the findings are final, and the corrective action plan
    is due by the programme's deadline (the auditee is told)."""
    require_auditor(actor, audit, "issue the report")
    if not audit.findings.exists():
        raise AuditError("findings", "record at least one finding before issuing the report")
    on = report_on or timezone.localdate()
    if on < audit.planned_start:
        raise AuditError("report_on", "the report cannot predate the audit")
    move(
        audit,
        AuditStatus.REPORT,
        actor=actor,
        report_on=on,
        plan_due_on=rules.plan_due(audit.programme, on),
    )
    for finding in audit.findings.all():
        due = rules.closure_due(audit.programme, finding.grade, on)
        if due is not None:
            update_and_log(
                finding, actor=actor, organisation=audit.organisation, closure_due_on=due
            )
    notices.report_issued(audit, actor=actor)
    return audit
