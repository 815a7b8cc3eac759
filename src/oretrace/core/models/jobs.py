"""Jobs: what users see of background work."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone

from oretrace.core.choices import JobStatus
from oretrace.core.models.base import OrgOwnedModel

# Allowed status transitions. A job starts QUEUED; the worker moves it to RUNNING and then to
# SUCCEEDED or FAILED. A user may cancel a QUEUED or RUNNING job (a running task notices at its
# next progress report). A job that never ran can fail directly, e.g. when enqueueing fails.
# A RUNNING job whose worker died (its lease ran out) goes back to QUEUED for another attempt,
# or to FAILED once its attempts are used up. The three final states never change again.
TRANSITIONS: dict[str, frozenset[str]] = {
    JobStatus.QUEUED: frozenset({JobStatus.RUNNING, JobStatus.CANCELLED, JobStatus.FAILED}),
    JobStatus.RUNNING: frozenset(
        {JobStatus.SUCCEEDED, JobStatus.FAILED, JobStatus.CANCELLED, JobStatus.QUEUED}
    ),
    JobStatus.SUCCEEDED: frozenset(),
    JobStatus.FAILED: frozenset(),
    JobStatus.CANCELLED: frozenset(),
}
FINAL_STATES = frozenset(s for s, nxt in TRANSITIONS.items() if not nxt)


class Job(OrgOwnedModel):
    """One piece of background work started by a user: an import, a rebuild, a report.

    Status transitions (see ``TRANSITIONS``)::

        queued ──► running ──► succeeded
           ▲          ├──────► failed
           │          ├──────► cancelled
           │          └──► queued again (its worker died; another attempt)
           ├──► cancelled
           └──► failed

    ``progress`` is a percentage; ``messages`` is a list of ``{"at", "level", "text"}`` entries
    shown to the user as the work goes on; ``result_url`` links to what the job produced.
    ``title`` and each message's ``text`` are English (logs, the CLI, the API); ``title_text``
    and a message's ``msgid``/``plural``/``values`` keep the catalogue template they were made
    from, so that pages show them in the reader's language (``oretrace.core.stored_text``).
    ``result`` maps codes (``imported``) to numbers; the job's kind labels the codes.

    While a job runs, its worker holds a lease on it: ``lease_expires_at`` moves forward with
    every progress report and every heartbeat. A running job whose lease ran out has lost its
    worker (killed, out of memory, machine gone); ``oretrace.core.jobs.recover_jobs`` queues it
    again or fails it. ``attempts`` counts the runs started, and a run only writes to the job
    while the attempt it started is still the job's current one.
    """

    kind = models.CharField(
        max_length=60, help_text="Registered job kind, e.g. 'reference.reload'."
    )
    title = models.CharField(max_length=200)
    title_text = models.JSONField(
        default=dict,
        blank=True,
        help_text="The title's catalogue template and values, shown in the reader's language.",
    )
    status = models.CharField(max_length=12, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0)
    params = models.JSONField(default=dict, blank=True)
    messages = models.JSONField(default=list, blank=True)
    result = models.JSONField(default=dict, blank=True)
    result_url = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True, help_text="The django.tasks result id.")
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="How many times a worker started this job."
    )
    lease_expires_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="While running: the worker is presumed dead when this passes without renewal.",
    )
    worker = models.CharField(
        max_length=120, blank=True, help_text="The host and process id running the job."
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status"], name="job_org_status_idx")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="job_progress_max_100"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATES

    @property
    def worker_silent_since(self) -> datetime | None:
        """When a running job's worker was last heard from, once its lease has run out (the
        worker has probably stopped and the job waits for a worker to recover it); else None."""
        if self.status != JobStatus.RUNNING or self.lease_expires_at is None:
            return None
        if self.lease_expires_at >= timezone.now():
            return None
        return self.lease_expires_at - timedelta(seconds=settings.ORETRACE_JOB_LEASE_SECONDS)

    @property
    def warning_count(self) -> int:
        """How many warnings the job reported (an import: one per refused file). A job that
        succeeded with warnings is shown as "Finished with N warnings", not "Succeeded"."""
        return sum(1 for m in self.messages if m.get("level") == "warning")

    @property
    def duration_seconds(self) -> float | None:
        if not self.started_at:
            return None
        end = self.finished_at
        if end is None:
            end = timezone.now()
        return (end - self.started_at).total_seconds()
