"""The audits' figures and overdue corrective actions on the dashboard: the auditee's, the
audit body's and the programme owner's alike (each sees those of the audits it sees)."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oretrace.audits import queries
from oretrace.audits.choices import OPEN_STATUSES
from oretrace.core.models import Membership
from oretrace.web.dashboard import Figure, Notice, figures, notices

OVERDUE_SHOWN = 10


@figures
def audit_figures(member: Membership) -> list[Figure]:
    running = queries.audits_for(member).filter(status__in=OPEN_STATUSES).count()
    if not running and not queries.audits_for(member).exists():
        return []  # an organisation with no audit: no figure
    overdue = queries.overdue_actions_for(member, timezone.localdate()).count()
    return [
        Figure(_("Audits running"), running, reverse("audits:list")),
        Figure(_("Corrective actions overdue"), overdue, reverse("audits:list")),
    ]


@notices
def overdue_actions(member: Membership) -> list[Notice]:
    """The corrective actions past their due date, oldest first, each linked to its audit: for
    the auditee, to the page where it answers the findings."""
    late = queries.overdue_actions_for(member, timezone.localdate())
    shown = list(late[:OVERDUE_SHOWN])
    if not shown:
        return []
    context = {"actions": shown, "count": late.count(), "organisation_id": member.organisation_id}
    return [Notice("audits/_overdue.html", context)]
