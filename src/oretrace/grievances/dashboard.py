"""The grievance figures on the dashboard of a grievance officer: open and overdue cases."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oretrace.core.models import Membership
from oretrace.grievances import queries
from oretrace.grievances.permissions import can_handle_grievances
from oretrace.web.dashboard import Figure, figures


@figures
def grievance_figures(member: Membership) -> list[Figure]:
    if not can_handle_grievances(member):
        return []
    counts = queries.counts(member)
    url = reverse("grievances:cases")
    return [
        Figure(_("Open grievances"), counts.open, url),
        Figure(_("Grievances overdue"), counts.overdue, url + "?overdue=1"),
    ]
