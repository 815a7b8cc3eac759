"""What the audits app tells people: an audit planned, its report issued, a plan submitted,
sent back or verified, the audit closed, support asked for and answered, and, by a daily
check, corrective actions coming due (``ORETRACE_AUDIT_ACTION_REMINDER_DAYS`` before, to the
auditee) and past their due date (to every side).

The services call these inside their transaction; ``core.services.notifications.notify``
writes the rows after the commit. The person who did the thing is left out.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from oretrace.assessments.choices import SupportStatus
from oretrace.audits.choices import ActionStatus, AuditStatus, AuditType
from oretrace.audits.models import Audit, CorrectiveAction, SupportRequest
from oretrace.audits.permissions import can_answer_audits, can_conduct_audits, can_support_audits
from oretrace.core.actors import SystemActor, actor_user
from oretrace.core.choices import NotificationKind
from oretrace.core.models import Membership, Notification
from oretrace.core.periodic import daily_check
from oretrace.core.permissions import Permission
from oretrace.core.services.notifications import notify

Actor = Membership | SystemActor
CHECK = "audits.overdue_actions"


def _values(audit: Audit) -> dict[str, str | int]:
    return {
        "audit": f"A-{audit.pk}",
        "body": str(audit.organisation),
        "auditee": str(audit.auditee),
        "facility": str(audit.facility),
    }


def link(audit: Audit) -> str:
    return reverse("audits:detail", args=[audit.pk])


def _tell(
    audit: Audit,
    organisation_id: int,
    permission: Permission,
    kind: str,
    message: str,
    actor: Actor | None,
    key: str = "",
    **extra: str,
) -> None:
    notify(
        organisation_id,
        kind=kind,
        message=message,
        values={**_values(audit), **extra},
        link=link(audit),
        permission=permission,
        exclude=actor_user(actor) if actor is not None else None,
        key=key,
    )


def _to_auditee(audit: Audit, kind: str, message: str, actor: Actor, **extra: str) -> None:
    _tell(audit, audit.auditee_id, can_answer_audits, kind, message, actor, **extra)


def _to_auditors(audit: Audit, kind: str, message: str, actor: Actor, **extra: str) -> None:
    _tell(audit, audit.organisation_id, can_conduct_audits, kind, message, actor, **extra)


def planned(audit: Audit, *, actor: Actor) -> None:
    """The auditee hears of an audit when it is planned; of an unannounced one, only when the
    auditors are on site (``on_site``)."""
    if audit.audit_type == AuditType.UNANNOUNCED:
        return
    _to_auditee(
        audit,
        NotificationKind.ASSIGNMENT,
        gettext_noop("%(body)s plans the audit %(audit)s of %(facility)s from %(start)s."),
        actor,
        start=audit.planned_start.isoformat(),
    )


def on_site(audit: Audit, *, actor: Actor) -> None:
    """An unannounced audit's fieldwork started: the auditee learns of it now."""
    if audit.audit_type != AuditType.UNANNOUNCED:
        return
    _to_auditee(
        audit,
        NotificationKind.ASSIGNMENT,
        gettext_noop("%(body)s started the unannounced audit %(audit)s of %(facility)s."),
        actor,
    )


def report_issued(audit: Audit, *, actor: Actor) -> None:
    _to_auditee(
        audit,
        NotificationKind.DECISION,
        gettext_noop(
            "%(body)s issued the report of the audit %(audit)s: answer its findings with a "
            "corrective action plan by %(due)s."
        ),
        actor,
        due=audit.plan_due_on.isoformat() if audit.plan_due_on else "",
    )


def plan_submitted(audit: Audit, *, actor: Actor) -> None:
    _to_auditors(
        audit,
        NotificationKind.RECEIVED,
        gettext_noop(
            "%(auditee)s submitted round %(round)s of the corrective action plan of the audit "
            "%(audit)s for your verification."
        ),
        actor,
        round=str(audit.cap_round),
    )


def plan_sent_back(audit: Audit, note: str, *, actor: Actor) -> None:
    _to_auditee(
        audit,
        NotificationKind.SEND_BACK,
        gettext_noop(
            "%(body)s sent the corrective action plan of the audit %(audit)s back (round "
            "%(round)s): %(note)s"
        ),
        actor,
        round=str(audit.cap_round),
        note=note[:300],
    )


def closed(audit: Audit, *, actor: Actor) -> None:
    for organisation_id, permission in (
        (audit.auditee_id, can_answer_audits),
        (audit.programme_owner_id, can_support_audits),
    ):
        if organisation_id is None:
            continue
        _tell(
            audit,
            organisation_id,
            permission,
            NotificationKind.DECISION,
            gettext_noop(
                "%(body)s closed the audit %(audit)s of %(facility)s: %(outcome)s; next audit "
                "due %(next)s."
            ),
            actor,
            outcome=audit.outcome,
            next=audit.next_audit_due.isoformat() if audit.next_audit_due else "",
        )


def support_requested(request: SupportRequest, *, actor: Actor) -> None:
    audit = request.finding.audit
    _tell(
        audit,
        audit.programme_owner_id or audit.organisation_id,
        can_support_audits,
        NotificationKind.SUPPORT,
        gettext_noop(
            "%(auditee)s asks for support to close the finding %(criterion)s of the audit "
            "%(audit)s."
        ),
        actor,
        criterion=request.finding.criterion.code,
    )


SUPPORT_ANSWERS = {
    SupportStatus.ACCEPTED: gettext_noop(
        "Your support request on the finding %(criterion)s of the audit %(audit)s was accepted."
    ),
    SupportStatus.DECLINED: gettext_noop(
        "Your support request on the finding %(criterion)s of the audit %(audit)s was "
        "declined: %(response)s"
    ),
    SupportStatus.DONE: gettext_noop(
        "Your support request on the finding %(criterion)s of the audit %(audit)s is done."
    ),
}


def support_answered(request: SupportRequest, *, actor: Actor) -> None:
    message = SUPPORT_ANSWERS.get(SupportStatus(request.status))
    if message is None:
        return
    _to_auditee(
        request.finding.audit,
        NotificationKind.SUPPORT,
        message,
        actor,
        criterion=request.finding.criterion.code,
        response=request.response[:300],
    )


def overdue_actions_of(today: date) -> list[CorrectiveAction]:
    """Open corrective actions of running audits whose due date has passed."""
    return _open_actions(due_on__lt=today)


def actions_due_soon_of(today: date) -> list[CorrectiveAction]:
    """Open corrective actions of running audits due from today to the reminder's horizon."""
    horizon = today + timedelta(days=settings.ORETRACE_AUDIT_ACTION_REMINDER_DAYS)
    return _open_actions(due_on__gte=today, due_on__lte=horizon)


def _open_actions(**due: date) -> list[CorrectiveAction]:
    return list(
        CorrectiveAction.objects.filter(
            status=ActionStatus.OPEN, finding__audit__status__in=_RUNNING, **due
        ).select_related(
            "finding__audit__organisation",
            "finding__audit__auditee",
            "finding__audit__facility",
            "finding__criterion",
        )
    )


_RUNNING = (AuditStatus.REPORT, AuditStatus.CAP, AuditStatus.VERIFICATION)


@daily_check(CHECK)
def overdue_actions(now: datetime) -> int:
    """Tell the auditee, the audit body and the programme's owner, once per action, that a
    corrective action passed its due date and is not done."""
    count = 0
    for action in overdue_actions_of(timezone.localdate(now)):
        key = f"audit-action-overdue:{action.pk}:{action.due_on.isoformat()}"
        if Notification.objects.filter(key=key).exists():
            continue  # told on an earlier day
        audit = action.finding.audit
        extra = {"criterion": action.finding.criterion.code, "due": action.due_on.isoformat()}
        message = gettext_noop(
            "A corrective action on the finding %(criterion)s of the audit %(audit)s "
            "(%(facility)s) was due on %(due)s and is not done."
        )
        audiences = [
            (audit.auditee_id, can_answer_audits),
            (audit.organisation_id, can_conduct_audits),
        ]
        if audit.programme_owner_id is not None:
            audiences.append((audit.programme_owner_id, can_support_audits))
        for organisation_id, permission in audiences:
            _tell(
                audit,
                organisation_id,
                permission,
                NotificationKind.OVERDUE,
                message,
                None,
                key=key,
                **extra,
            )
        count += 1
    return count


@daily_check("audits.actions_due_soon")
def actions_due_soon(now: datetime) -> int:
    """Remind the auditee, once per action and due date, that a corrective action is due within
    ``ORETRACE_AUDIT_ACTION_REMINDER_DAYS`` and not done yet."""
    count = 0
    for action in actions_due_soon_of(timezone.localdate(now)):
        key = f"audit-action-due-soon:{action.pk}:{action.due_on.isoformat()}"
        if Notification.objects.filter(key=key).exists():
            continue  # reminded on an earlier day
        audit = action.finding.audit
        _tell(
            audit,
            audit.auditee_id,
            can_answer_audits,
            NotificationKind.REMINDER,
            gettext_noop(
                "A corrective action on the finding %(criterion)s of the audit %(audit)s "
                "(%(facility)s) is due on %(due)s and is not done yet."
            ),
            None,
            key=key,
            criterion=action.finding.criterion.code,
            due=action.due_on.isoformat(),
        )
        count += 1
    return count
