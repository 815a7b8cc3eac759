"""The register's figures and the plans due for review, on the organisation's dashboard."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oretrace.core.models import Membership
from oretrace.risk.choices import RiskStatus
from oretrace.risk.register import queries
from oretrace.web.dashboard import Figure, Notice, figures, notices

DUE_SHOWN = 10


@figures
def register_figures(member: Membership) -> list[Figure]:
    due = queries.plans_for(member, due_by=timezone.localdate()).count()
    return [
        Figure(
            _("Open risks"),
            queries.entries_for(member, {"status": RiskStatus.OPEN}).count(),
            reverse("risk:register") + "?status=open",
        ),
        Figure(_("Step-3 plans due for review"), due, reverse("risk:plans") + "?due=1"),
    ]


@notices
def plans_due(member: Membership) -> list[Notice]:
    """The plans whose review date has come, soonest first, with a link to each."""
    due = queries.plans_for(member, due_by=timezone.localdate())
    shown = list(due[:DUE_SHOWN])
    if not shown:
        return []
    return [Notice("risk/register/_due_plans.html", {"plans": shown, "count": due.count()})]
