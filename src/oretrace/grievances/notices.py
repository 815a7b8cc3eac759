"""What the grievance app tells officers: a case past its acknowledgement or feedback day.

A daily check finds each open case past a statutory deadline and tells the organisation's
grievance officers once per case and deadline. The notice names the case's number only.
"""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from oretrace.core.choices import NotificationKind
from oretrace.core.models import Notification
from oretrace.core.periodic import daily_check
from oretrace.core.services.notifications import notify
from oretrace.grievances.models import Case
from oretrace.grievances.permissions import can_handle_grievances
from oretrace.grievances.queries import overdue_q

CHECK = "grievances.overdue"


@daily_check(CHECK)
def overdue_cases(now: datetime) -> int:
    """Tell the officers, once per case and deadline, that a case is overdue."""
    today = timezone.localdate(now)
    count = 0
    for case in Case.objects.filter(overdue_q(today)):
        if case.acknowledgement_overdue(today):
            key, message, due = (
                f"grievance-ack:{case.pk}",
                gettext_noop("The grievance %(case)s was not acknowledged by %(due)s."),
                case.acknowledge_by,
            )
        else:
            key, message, due = (
                f"grievance-feedback:{case.pk}",
                gettext_noop("The grievance %(case)s has had no feedback by %(due)s."),
                case.feedback_by,
            )
        if Notification.objects.filter(key=key).exists():
            continue
        notify(
            case.organisation_id,
            kind=NotificationKind.OVERDUE,
            message=message,
            values={"case": case.reference, "due": due.isoformat()},
            link=reverse("grievances:case", args=[case.pk]),
            permission=can_handle_grievances,
            key=key,
        )
        count += 1
    return count
