"""The grievance app's daily work, run by the notifications tick (``core.periodic``): purge
the texts past retention, commit the case events to the transparency log. Thin: the services
do the work."""

from __future__ import annotations

import time
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
    if wait is not None and not _immediate():
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
    """File the SMS inbox into cases until it stays empty (``ORETRACE_GRIEVANCE_SMS_INBOX``)."""
    filing.file_all(linger=0.0 if _immediate() else filing.LINGER)


def _immediate() -> bool:
    """Tasks run in the caller (tests, ``ORETRACE_TASKS_BACKEND=immediate``): no queue to wait
    on, nothing to linger for."""
    return backend().endswith("ImmediateBackend")


_last_check = [0.0]
CHECK_EVERY = 1.0  # seconds; the filing task lingers longer than this once the inbox is empty


def ensure_inbox_filing() -> None:
    """Queue a filing of the inbox unless one waits to start: called after a webhook's row is
    committed, so a waiting task, which starts later, sees the row; a running one may not, and
    then a new one is queued. A web process looks at most once a second: a task it saw waiting
    starts after that look and lingers ``filing.LINGER`` seconds on an empty inbox, so it is
    still there to see the rows committed in that second."""
    now = time.monotonic()
    if now - _last_check[0] < CHECK_EVERY and not _immediate():
        return
    _last_check[0] = now
    if not tick_waiting(file_sms_inbox_task):
        file_sms_inbox_task.enqueue()


@daily_check("grievances.sms_inbox")
def file_left_in_inbox(now: datetime) -> int:
    """A safety net: file what a lost task left in the inbox."""
    return filing.file_all()
