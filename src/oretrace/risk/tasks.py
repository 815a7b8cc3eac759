"""Every job handler of the risk app; thin: load ids, call a service."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from oretrace.core.actors import SYSTEM
from oretrace.core.jobs import JobContext, job_handler
from oretrace.core.queries import job_runs_as, job_starter
from oretrace.risk.choices import COUNT_LABELS, FLAG_COUNT_LABELS, SCORE_LABELS
from oretrace.risk.exceptions import EditionError
from oretrace.risk.permissions import (
    can_import_editions,
    can_recompute_flags,
    can_recompute_scores,
)
from oretrace.risk.redflags.services import RECOMPUTE_JOB, recompute_flags
from oretrace.risk.scores.services import SCORE_RECOMPUTE, recompute_scores
from oretrace.risk.services import EDITION_IMPORT, import_edition


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


@job_handler(
    EDITION_IMPORT,
    title=_("Import a reference risk edition"),
    permission=can_import_editions,
    result_labels=COUNT_LABELS,
)
def import_edition_job(
    ctx: JobContext,
    *,
    path: str,
    filename: str,
    kind: str,
    edition_date: str = "",
    label: str = "",
    retrieved_on: str = "",
) -> dict[str, Any]:
    """Job: import a stored file as an edition, as the operator who uploaded it."""
    job = ctx.job
    actor = job_runs_as(
        job, EditionError("an edition import runs as the operator who uploaded the file")
    )
    outcome = import_edition(
        (Path(settings.MEDIA_ROOT) / path).read_bytes(),
        filename,
        kind=kind,
        actor=actor,
        edition_date=_date(edition_date),
        label=label,
        retrieved_on=_date(retrieved_on),
        progress=ctx.progress,
        job=job,
    )
    for warning in outcome.warnings[:20]:
        ctx.warn(warning)
    edition = outcome.edition
    return {"data": dict(edition.counts), "url": reverse("risk:edition", args=[edition.pk])}


@job_handler(
    SCORE_RECOMPUTE,
    title=_("Recompute the risk scores"),
    permission=can_recompute_scores,
    user_startable=False,
    result_labels=SCORE_LABELS,
)
def recompute_scores_job(ctx: JobContext, *, as_of: str) -> dict[str, Any]:
    """Job: recompute the organisation's scores as of a date, as the member who started it."""
    actor = job_starter(ctx.job) or SYSTEM  # None only for a job the system started (CLI)
    done = recompute_scores(
        ctx.job.organisation_id,
        as_of=date.fromisoformat(as_of),
        actor=actor,
        progress=ctx.progress,
        job=ctx.job,
    )
    return {"data": done.counts, "url": reverse("risk:scores")}


# --- red flags ---------------------------------------------------------------------------------


@job_handler(
    RECOMPUTE_JOB,
    title=_("Recompute the red flags"),
    permission=can_recompute_flags,
    user_startable=True,
    result_labels=FLAG_COUNT_LABELS,
)
def recompute_flags_job(ctx: JobContext, *, reasons: list[str] | None = None) -> dict[str, Any]:
    """Job: recompute the organisation's red flags (queued after a change, or by a member)."""
    outcome = recompute_flags(ctx.job.organisation, reasons=reasons or ["manual"])
    ctx.progress(100)
    return {"data": outcome.as_counts(), "url": reverse("risk:flags")}
