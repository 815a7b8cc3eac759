"""Every job handler of the registry; thin: load ids, call a service."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oretrace.core.jobs import JobContext, job_handler
from oretrace.core.queries import job_runs_as
from oretrace.registry.exceptions import RegistryError
from oretrace.registry.permissions import can_review_matches
from oretrace.registry.services.reference_lists import (
    COUNT_LABELS,
    MAX_ERRORS_SHOWN,
    REFERENCE_IMPORT,
    import_reference_file,
)
from oretrace.registry.services.reviews import (
    BULK_CONFIRM_JOB,
    REMATCH_JOB,
    rematch_organisation,
    run_bulk_confirmation,
)


@job_handler(
    REMATCH_JOB,
    title=_("Re-match open names"),
    result_labels={
        "reviews": _("open names matched again"),
        "matched": _("settled by the engine"),
        "refreshed": _("new candidates"),
        "still_open": _("still open"),
    },
)
def rematch_job(ctx: JobContext, reason: str = "") -> dict[str, Any]:
    """Job: match the organisation's open reviews again after ``reason`` (a reference list
    imported, a review confirmed); see ``reviews.rematch_organisation``."""
    if ctx.job.organisation_id is None:
        raise ValueError("a re-matching job runs for one organisation")
    outcome = rematch_organisation(ctx.job.organisation_id, progress=ctx.progress)
    return {"data": outcome.as_counts(), "url": reverse("registry:reviews")}


@job_handler(REFERENCE_IMPORT, title=_("Import a reference list"), result_labels=COUNT_LABELS)
def reference_import_job(ctx: JobContext, path: str, filename: str) -> dict[str, Any]:
    """Job: import a stored reference file as the member who uploaded it."""
    job = ctx.job
    actor = job_runs_as(
        job, RegistryError("a reference import runs as the member who uploaded the file")
    )
    data = (Path(settings.MEDIA_ROOT) / path).read_bytes()
    outcome = import_reference_file(
        data, filename, actor=actor, progress=ctx.progress, job=job, hold=ctx.hold
    )
    for warning in outcome.record.warnings[:MAX_ERRORS_SHOWN]:
        ctx.warn(warning)
    where = "1" if outcome.record.shared else "0"
    return {"data": outcome.counts, "url": f"/facilities/?reference={where}"}


@job_handler(
    BULK_CONFIRM_JOB,
    title=_("Confirm names in bulk"),
    permission=can_review_matches,
    result_labels={
        "confirmed": _("names confirmed"),
        "skipped": _("decided meanwhile, or their candidates changed"),
    },
)
def bulk_confirm_job(ctx: JobContext, reviews: list[int], min_score: float) -> dict[str, Any]:
    """Job: confirm the chosen reviews' best candidates as the member who asked."""
    actor = job_runs_as(
        ctx.job, RegistryError("a bulk confirmation runs as the member who asked for it")
    )
    counts = run_bulk_confirmation(
        reviews, min_score=min_score, actor=actor, progress=ctx.progress, hold=ctx.hold
    )
    return {"data": counts, "url": reverse("registry:reviews")}
