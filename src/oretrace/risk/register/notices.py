"""What the risk register tells people: a Step-3 plan whose review has fallen due.

A daily check of the notifications tick (``core.periodic``) finds every plan in force whose
review date has come and tells the organisation's members who keep the register, once per
plan and review date (a review sets the next date, which is told again when it comes).
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
from oretrace.risk.choices import PlanStatus
from oretrace.risk.models import RiskPlan
from oretrace.risk.permissions import can_manage_risks

CHECK = "risk.plan_reviews"


def review_key(plan: RiskPlan) -> str:
    return f"risk-plan-review:{plan.pk}:{plan.review_on.isoformat()}"


@daily_check(CHECK)
def plans_due_for_review(now: datetime) -> int:
    """Tell the register's keepers, once per plan and date, that a plan's review is due."""
    today = timezone.localdate(now)
    due = RiskPlan.objects.filter(status=PlanStatus.ADOPTED, review_on__lte=today)
    count = 0
    for plan in due.select_related("entry"):
        key = review_key(plan)
        if Notification.objects.filter(key=key).exists():
            continue  # told on an earlier day
        notify(
            plan.organisation_id,
            kind=NotificationKind.OVERDUE,
            message=gettext_noop(
                "The Step-3 plan for the risk %(risk)s is due for review (%(due)s)."
            ),
            values={"risk": str(plan.entry), "due": plan.review_on.isoformat()},
            link=reverse("risk:plan", args=[plan.pk]),
            permission=can_manage_risks,
            key=key,
        )
        count += 1
    return count
