"""Job handlers of the ledger: the tamper audit, started by a member."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from oretrace.core.jobs import JobContext, job_handler
from oretrace.ledger.audit import run_audit
from oretrace.ledger.permissions import can_audit_ledger

MAX_LISTED = 50


@job_handler(
    "ledger.audit",
    title=_("Tamper audit of the ledger"),
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
