"""The ledger's tasks and job handlers: its schedule, and the tamper audit a member starts.

``ledger_tick`` signs a checkpoint when the log grew, runs the tamper audit when the last one is
older than ``ORETRACE_LEDGER_AUDIT_INTERVAL``, and enqueues itself again to run after
``ORETRACE_LEDGER_CHECKPOINT_INTERVAL`` seconds. ``ensure_scheduled`` starts the chain (the
worker calls it at start-up, through ``oretrace ledger schedule``) unless a tick is already
waiting, so restarts never multiply the chain.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.tasks import task
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oretrace.core.jobs import JobContext, job_handler
from oretrace.core.scheduling import run_then_requeue, start_chain
from oretrace.ledger import services as ledger
from oretrace.ledger.audit import run_audit
from oretrace.ledger.models import LogState
from oretrace.ledger.permissions import can_audit_ledger

logger = logging.getLogger(__name__)
MAX_LISTED = 50


def ensure_scheduled() -> bool:
    """Enqueue the first tick unless one is waiting; True when one was enqueued."""
    return start_chain(ledger_tick)


def run_tick() -> None:
    """One tick's work, without re-enqueueing (tests and ``oretrace ledger tick`` call it)."""
    checkpoint = ledger.sign_checkpoint()
    logger.info("ledger: checkpoint at size %s", checkpoint.size)
    state = LogState.objects.filter(pk=1).first()
    interval = dt.timedelta(seconds=settings.ORETRACE_LEDGER_AUDIT_INTERVAL)
    if state is not None and (
        state.last_audit_at is None or timezone.now() - state.last_audit_at >= interval
    ):
        run = run_audit(trigger="schedule")
        ledger.note_scheduled_audit(run)
        if run.problems:
            logger.error("ledger audit: %s problem(s); see the Ledger page", len(run.problems))


@task()
def ledger_tick() -> None:
    """Sign, audit when due, and come back after the checkpoint interval."""
    run_then_requeue(ledger_tick, run_tick, settings.ORETRACE_LEDGER_CHECKPOINT_INTERVAL)


@job_handler(
    "ledger.audit",
    title=_("Tamper audit of the ledger"),
    result_labels={
        "leaves": _("leaves recomputed"),
        "records": _("records checked"),
        "problems": _("problems found"),
    },
    permission=can_audit_ledger,
    user_startable=True,
)
def audit_job(ctx: JobContext) -> dict[str, Any]:
    """Job: recompute the whole log; report the problems of the starting organisation's records
    and those of the log itself (which concern everyone)."""
    org_id = ctx.job.organisation_id
    run = run_audit(trigger=f"job {ctx.job.pk}", progress=ctx.progress)
    mine = [p for p in run.problems if p["organisation"] in (None, org_id)]
    for problem in mine[:MAX_LISTED]:
        where = f"{problem['record_type']} {problem['record_id']}: " if problem["record_id"] else ""
        ctx.warn(f"{problem['kind']}: {where}{problem['detail']}")
    return {
        "data": {"leaves": run.size, "records": run.records, "problems": len(mine)},
        "url": "/ledger/",
    }
