"""What the assessments app tells people: assignments, submissions, send-backs, decisions,
support requests and their answers, and assessments past their due date (a daily check).

The services call these inside their transaction; ``core.services.notifications.notify``
writes the rows after the commit. The assigning organisation's reviewers
(``can_assign_assessments``) and the supplier's contributors (``can_respond_to_assessments``)
are the two audiences; the person who did the thing is left out.
"""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from oretrace.assessments.choices import SupportStatus
from oretrace.assessments.models import OPEN_STATUSES, Assessment, SupportRequest
from oretrace.assessments.permissions import can_assign_assessments, can_respond_to_assessments
from oretrace.core.actors import SystemActor, actor_user
from oretrace.core.choices import NotificationKind
from oretrace.core.models import Membership, Notification
from oretrace.core.periodic import daily_check
from oretrace.core.permissions import Permission
from oretrace.core.services.notifications import notify

Actor = Membership | SystemActor


def _values(assessment: Assessment) -> dict[str, str | int]:
    return {
        "org": str(assessment.organisation),
        "supplier": str(assessment.supplier),
        "standard": f"{assessment.standard.code} {assessment.standard.version}",
        "due": assessment.due_on.isoformat(),
    }


def _link(assessment: Assessment) -> str:
    return reverse("assessments:detail", args=[assessment.pk])


def _notify(
    assessment: Assessment,
    organisation_id: int,
    permission: Permission,
    kind: str,
    message: str,
    actor: Actor,
    **extra: str,
) -> None:
    """Tell the members of ``organisation_id`` who hold ``permission``, but not ``actor``."""
    notify(
        organisation_id,
        kind=kind,
        message=message,
        values={**_values(assessment), **extra},
        link=_link(assessment),
        permission=permission,
        exclude=actor_user(actor),
    )


def _to_supplier(
    assessment: Assessment, kind: str, message: str, actor: Actor, **extra: str
) -> None:
    supplier, permission = assessment.supplier_id, can_respond_to_assessments
    _notify(assessment, supplier, permission, kind, message, actor, **extra)


def _to_reviewers(
    assessment: Assessment, kind: str, message: str, actor: Actor, **extra: str
) -> None:
    assigner, permission = assessment.organisation_id, can_assign_assessments
    _notify(assessment, assigner, permission, kind, message, actor, **extra)


def assigned(assessment: Assessment, *, actor: Actor) -> None:
    _to_supplier(
        assessment,
        NotificationKind.ASSIGNMENT,
        gettext_noop("%(org)s asked you to complete the self-assessment %(standard)s by %(due)s."),
        actor,
    )


def submitted(assessment: Assessment, *, actor: Actor) -> None:
    _to_reviewers(
        assessment,
        NotificationKind.RECEIVED,
        gettext_noop("%(supplier)s submitted the self-assessment %(standard)s for your review."),
        actor,
    )


def sent_back(assessment: Assessment, *, actor: Actor) -> None:
    _to_supplier(
        assessment,
        NotificationKind.SEND_BACK,
        gettext_noop(
            "%(org)s sent the self-assessment %(standard)s back for clarification: %(note)s"
        ),
        actor,
        note=assessment.review_note[:300],
    )


def accepted(assessment: Assessment, *, actor: Actor) -> None:
    _to_supplier(
        assessment,
        NotificationKind.DECISION,
        gettext_noop("%(org)s accepted the self-assessment %(standard)s."),
        actor,
    )


def support_requested(request: SupportRequest, *, actor: Actor) -> None:
    _to_reviewers(
        request.action.assessment,
        NotificationKind.SUPPORT,
        gettext_noop(
            "%(supplier)s asks for support with an improvement action of the self-assessment "
            "%(standard)s."
        ),
        actor,
    )


SUPPORT_ANSWERS = {
    SupportStatus.ACCEPTED: gettext_noop(
        "%(org)s accepted your support request for the self-assessment %(standard)s."
    ),
    SupportStatus.DECLINED: gettext_noop(
        "%(org)s declined your support request for the self-assessment %(standard)s: %(response)s"
    ),
    SupportStatus.DONE: gettext_noop(
        "%(org)s marked your support request for the self-assessment %(standard)s as done."
    ),
}


def support_answered(request: SupportRequest, *, actor: Actor) -> None:
    message = SUPPORT_ANSWERS.get(SupportStatus(request.status))
    if message is None:
        return
    _to_supplier(
        request.action.assessment,
        NotificationKind.SUPPORT,
        message,
        actor,
        response=request.response[:300],
    )


@daily_check("assessments.overdue")
def overdue_assessments(now: datetime) -> int:
    """Tell both sides, once per assessment, that it passed its due date unsubmitted."""
    today = timezone.localdate(now)
    late = Assessment.objects.filter(status__in=OPEN_STATUSES, due_on__lt=today).select_related(
        "organisation", "supplier", "standard"
    )
    count = 0
    for assessment in late:
        key = f"assessment-overdue:{assessment.pk}"
        if Notification.objects.filter(key=key).exists():
            continue  # told on an earlier day
        values, link = _values(assessment), _link(assessment)
        notify(
            assessment.supplier_id,
            kind=NotificationKind.OVERDUE,
            message=gettext_noop(
                "The self-assessment %(standard)s that %(org)s asked for was due on %(due)s "
                "and is not submitted yet."
            ),
            values=values,
            link=link,
            permission=can_respond_to_assessments,
            key=key,
        )
        notify(
            assessment.organisation_id,
            kind=NotificationKind.OVERDUE,
            message=gettext_noop(
                "%(supplier)s has not submitted the self-assessment %(standard)s due on %(due)s."
            ),
            values=values,
            link=link,
            permission=can_assign_assessments,
            key=key,
        )
        count += 1
    return count
