"""Closing an audit: the auditor verifies the plan's last round, the programme's rules decide
the outcome and the cycle, and the result goes where everyone sees it.

In one transaction: the round's review (verified), every action verified, the outcome, the
validity and the next audit stored on the audit, its step, the facility's assurance status in
the registry (``registry.services.publish_audit_status``: "Conformant" or "Non-conformant",
valid until, next audit due) and the result's leaf in the transparency log (``records``).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone

from oretrace.audits import notices, rules
from oretrace.audits.choices import ActionStatus, AuditStatus, ReviewDecision
from oretrace.audits.exceptions import AuditError
from oretrace.audits.models import Audit, CorrectiveAction
from oretrace.audits.records import findings_digest
from oretrace.audits.services.actions import record_review, unanswered
from oretrace.audits.services.audits import move
from oretrace.audits.services.sides import Actor, require_auditor
from oretrace.core.changelog import update_and_log
from oretrace.core.exceptions import InvalidTransition
from oretrace.ledger import services as ledger
from oretrace.registry import services as registry

CONFORMANT, NON_CONFORMANT = "Conformant", "Non-conformant"


def _closable(audit: Audit) -> None:
    if audit.status == AuditStatus.VERIFICATION:
        return
    if audit.status == AuditStatus.REPORT:
        missing = unanswered(audit)
        if missing:
            codes = ", ".join(f.criterion.code for f in missing)
            raise AuditError(
                "actions", f"the non-conformities {codes} need a corrective action plan first"
            )
        return
    raise InvalidTransition(
        f"an audit in {audit.get_status_display()} cannot be closed: verify its corrective "
        "action plan first"
    )


def _verify_actions(audit: Audit, actor: Actor) -> None:
    now = timezone.now()
    pending = CorrectiveAction.objects.filter(finding__audit=audit).exclude(
        status=ActionStatus.VERIFIED
    )
    for action in pending:
        update_and_log(
            action,
            actor=actor,
            organisation=audit.auditee,
            status=ActionStatus.VERIFIED,
            done_at=action.done_at or now,
            verified_at=now,
        )


def _score(audit: Audit, score: Decimal | str | None) -> Decimal | None:
    """The audit's score in percent, which a programme grading by score needs (else none)."""
    if not rules.graded(audit.programme):
        return None
    if score is None or not str(score).strip():
        raise AuditError("score", f"{audit.programme} grades audits by score: give the score")
    try:
        percent = Decimal(str(score).strip())
    except InvalidOperation:
        raise AuditError("score", f"{score!r} is not a number") from None
    if not percent.is_finite() or not Decimal(0) <= percent <= Decimal(100):
        raise AuditError("score", f"{score} is not a percentage between 0 and 100")
    return percent.quantize(Decimal("0.1"))


@transaction.atomic
def close_audit(
    audit: Audit,
    *,
    actor: Actor,
    decided_on: date | None = None,
    note: str = "",
    score: Decimal | str | None = None,
) -> Audit:
    """Verify the corrective action plan and close the audit with the programme's outcome:
    the facility's assurance status and the ledger record are written with it."""
    require_auditor(actor, audit, "verify and close the audit")
    _closable(audit)
    on = decided_on or timezone.localdate()
    if audit.report_on is not None and on < audit.report_on:
        raise AuditError("decided_on", "an audit cannot close before its report")
    percent = _score(audit, score)
    if audit.status == AuditStatus.VERIFICATION:
        record_review(audit, ReviewDecision.VERIFIED, note=note, actor=actor)
    _verify_actions(audit, actor)
    grades = list(audit.findings.values_list("grade", flat=True))
    decision = rules.decide(audit.programme, grades, on, score=percent)
    move(
        audit,
        AuditStatus.CLOSED,
        actor=actor,
        note=note,
        decided_on=on,
        score=percent,
        outcome=decision.grade,
        conformant=decision.conformant,
        outcome_reasons=list(decision.reasons),
        valid_until=decision.valid_until,
        next_audit_due=decision.next_audit_due,
        next_audit_type=decision.next_audit_type,
        result_sha256=findings_digest(audit.pk),
    )
    entry = registry.publish_audit_status(
        audit.facility,
        status=CONFORMANT if decision.conformant else NON_CONFORMANT,
        effective_on=on,
        last_audit_on=audit.planned_end,
        valid_until=decision.valid_until,
        next_audit_on=decision.next_audit_due,
        cycle=f"{on.isoformat()} to {decision.valid_until.isoformat()}"
        if decision.valid_until
        else "",
        source=f"oretrace audit A-{audit.pk} by {audit.organisation}",
        actor=actor,
    )
    update_and_log(audit, actor=actor, status_entry=entry)
    ledger.append(audit, actor=actor)
    notices.closed(audit, actor=actor)
    return audit
