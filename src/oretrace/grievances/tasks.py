"""The grievance app's daily work, run by the notifications tick (``core.periodic``): purge
the texts past retention, commit the case events to the transparency log. Thin: the services
do the work."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from oretrace.core.periodic import daily_check
from oretrace.grievances.services import upkeep


@daily_check("grievances.purge")
def purge_expired(now: datetime) -> int:
    return upkeep.purge_expired(today=timezone.localdate(now))


@daily_check("grievances.commit_events")
def commit_events(now: datetime) -> int:
    return upkeep.commit_events()
