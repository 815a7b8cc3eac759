"""Job handlers of the registry that are not part of an import; thin: load ids, call a service."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oretrace.core.jobs import JobContext, job_handler
from oretrace.registry.reviews import REMATCH_JOB, rematch_organisation


@job_handler(REMATCH_JOB, title=_("Re-match open names"))
def rematch_job(ctx: JobContext, reason: str = "") -> dict:
    """Job: match the organisation's open reviews again after ``reason`` (a reference list
    imported, a review confirmed); see ``reviews.rematch_organisation``."""
    if ctx.job.organisation_id is None:
        raise ValueError("a re-matching job runs for one organisation")
    outcome = rematch_organisation(ctx.job.organisation_id, progress=ctx.progress)
    return {"data": outcome.as_counts(), "url": reverse("registry:reviews")}
