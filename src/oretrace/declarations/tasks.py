"""Every task and job handler of the declarations app: each loads what it needs and calls a
service (``declarations.services``), which holds the work."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.tasks import task
from django.utils.translation import gettext_lazy

from oretrace.core.jobs import JobContext, JobFailed, job_handler
from oretrace.core.queries import job_runs_as
from oretrace.core.tenancy import owned_by
from oretrace.declarations.choices import UploadOutcome
from oretrace.declarations.exceptions import DeclarationError
from oretrace.declarations.models import Declaration, ImportBatch, SmelterEntry
from oretrace.declarations.services.decisions import refresh_issue_counts
from oretrace.declarations.services.imports import (
    refused_batch_text,
    refused_file_text,
    run_batch,
)
from oretrace.declarations.services.mail import send_campaign_mail
from oretrace.declarations.services.responses import LINK_RESPONSE, run_link_response
from oretrace.declarations.services.rollup import KIND as ROLLUP_EXPORT
from oretrace.declarations.services.rollup import RESULT_LABELS as ROLLUP_RESULT_LABELS
from oretrace.declarations.services.rollup import run_rollup_export
from oretrace.registry.services.reviews import REMATCH_ACTOR, RematchOutcome, on_rematch


@job_handler(
    "declarations.import",
    title=gettext_lazy("Import supplier declarations"),
    result_labels=dict(UploadOutcome.choices),
)
def import_job(ctx: JobContext, batch: int) -> dict[str, Any]:
    """Job: import a batch as the member who uploaded it."""
    job = ctx.job
    actor = job_runs_as(
        job, DeclarationError("a declaration import runs as the member who uploaded the files")
    )
    record = owned_by(ImportBatch.objects.all(), job.organisation_id).get(pk=batch)
    counts = run_batch(record, actor=actor, progress=ctx.progress, hold=ctx.hold)
    for entry in record.files:
        if entry["outcome"] == "refused":
            ctx.warn(refused_file_text(entry))
    url = f"/declarations/imports/{record.pk}/"
    if counts["refused"] and not counts["imported"] and not counts["duplicate"]:
        # Nothing came of it: the job failed, for reasons the list of files gives one by one.
        text = refused_batch_text(counts["refused"])
        raise JobFailed(text.english(), text=text, data=counts, url=url)
    return {"data": counts, "url": url}


@job_handler(
    LINK_RESPONSE,
    title=gettext_lazy("Check a supplier's upload"),
    result_labels=dict(UploadOutcome.choices),
)
def link_response_job(
    ctx: JobContext, request: int, files: list[dict[str, str]], at: str
) -> dict[str, Any]:
    """Job: import the files a supplier sent through its link, as ``respond`` does."""
    return run_link_response(ctx, request, files, at)


@job_handler(
    ROLLUP_EXPORT,
    title=gettext_lazy("Fill your template with the roll-up"),
    result_labels=ROLLUP_RESULT_LABELS,
)
def rollup_export_job(ctx: JobContext, **params: object) -> dict[str, Any]:
    """Job: fill the uploaded blank with the roll-up, as the member who uploaded it."""
    actor = job_runs_as(
        ctx.job, DeclarationError("a roll-up export runs as the member who uploaded the blank")
    )
    return run_rollup_export(ctx, actor, dict(params))


@task()
def send_campaign_mail_task(request_id: int, kind: str) -> None:
    """Send a campaign e-mail in the worker: a slow mail server never fails the request that
    opened the campaign or sent the reminders."""
    send_campaign_mail(request_id, kind)


def _organisations_with_rows() -> Iterable[int]:
    return set(
        Declaration.objects.filter(
            pk__in=SmelterEntry.objects.values("declaration_id")
        ).values_list("organisation_id", flat=True)
    )


@on_rematch(organisations=_organisations_with_rows)
def refresh_after_rematch(outcome: RematchOutcome) -> None:
    """After an organisation's names were matched again (the registry's re-matching job):
    its declarations' flag counts."""
    refresh_issue_counts(outcome.organisation_id, actor=REMATCH_ACTOR)
