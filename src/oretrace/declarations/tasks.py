"""Job handlers of the declarations app that only load what they need and call a service."""

from __future__ import annotations

from django.utils.translation import gettext_lazy

from oretrace.core.jobs import JobContext, job_handler
from oretrace.core.models import Membership
from oretrace.declarations.exceptions import DeclarationError
from oretrace.declarations.rollup_export import KIND, RESULT_LABELS, run_rollup_export


@job_handler(
    KIND, title=gettext_lazy("Fill your template with the roll-up"), result_labels=RESULT_LABELS
)
def rollup_export_job(ctx: JobContext, **params: object) -> dict:
    """Job: fill the uploaded blank with the roll-up, as the member who uploaded it."""
    job = ctx.job
    if job.created_by_id is None:
        raise DeclarationError("a roll-up export runs as the member who uploaded the blank")
    actor = Membership.objects.select_related("user", "organisation").get(
        user_id=job.created_by_id, organisation_id=job.organisation_id
    )
    return run_rollup_export(ctx, actor, dict(params))
