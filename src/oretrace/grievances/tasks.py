"""The grievance app's daily work, run by the notifications tick (``core.periodic``): purge
the texts past retention, commit the case events to the transparency log. Thin: the services
do the work."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.tasks import task
from django.utils import timezone

from oretrace.core.periodic import daily_check
from oretrace.core.scheduling import backend, tick_waiting
from oretrace.grievances.services import filing, outbound, upkeep


@daily_check("grievances.purge")
def purge_expired(now: datetime) -> int:
    return upkeep.purge_expired(today=timezone.localdate(now))


@daily_check("grievances.commit_events")
def commit_events(now: datetime) -> int:
    return upkeep.commit_events()


# --- SMS sending (the sms slice) ----------------------------------------------------------------
@task()
def send_sms_task(outbound_id: int) -> None:
    """Hand one queued SMS to its gateway; after a failure that may pass, come back later (the
    wait doubles), up to ``ORETRACE_GRIEVANCE_SMS_SEND_ATTEMPTS`` tries."""
    wait = outbound.deliver_outbound(outbound_id)
    if wait is not None and not backend().endswith("ImmediateBackend"):
        later = timezone.now() + timedelta(seconds=wait)
        send_sms_task.using(run_after=later).enqueue(outbound_id)


@daily_check("grievances.sms_resend")
def resend_due_sms(now: datetime) -> int:
    """Queue again the SMS whose next try is due but whose task was lost."""
    ids = outbound.due(now)
    for outbound_id in ids:
        send_sms_task.enqueue(outbound_id)
    return len(ids)


@task()
def file_sms_inbox_task() -> None:
    """File the SMS inbox into cases until it is empty (``ORETRACE_GRIEVANCE_SMS_INBOX``)."""
    filing.file_all()


def ensure_inbox_filing() -> None:
    """Queue a filing of the inbox unless one waits to start: called after a webhook's row is
    committed, so a waiting task, which starts later, sees the row; a running one may not, and
    then a new one is queued."""
    if not tick_waiting(file_sms_inbox_task):
        file_sms_inbox_task.enqueue()


@daily_check("grievances.sms_inbox")
def file_left_in_inbox(now: datetime) -> int:
    """A safety net: file what a lost task left in the inbox."""
    return filing.file_all()
