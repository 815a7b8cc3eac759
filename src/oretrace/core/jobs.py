"""Background work users can see: start a job, report its progress, finish or cancel it.

A job kind is a plain function registered with ``@job_handler``; ``start_job`` records a
``Job`` row and enqueues the single ``run_job`` task (``django.tasks``), which the
``oretrace worker`` process (django-tasks-db) picks up. The handler receives a
``JobContext`` to report progress and messages and to return its result.
"""

from __future__ import annotations

import logging
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone, translation
from django.utils.functional import Promise

from oretrace.core.actors import SystemActor
from oretrace.core.choices import JobStatus
from oretrace.core.exceptions import InvalidTransition, OretraceError, PermissionDenied
from oretrace.core.models import Job, Membership, Organisation
from oretrace.core.models.jobs import TRANSITIONS
from oretrace.core.permissions import Permission, can_cancel_any_job

logger = logging.getLogger(__name__)
MAX_MESSAGES = 500


class JobCancelled(Exception):
    """Raised inside a handler when the user cancelled its job."""


@dataclass(frozen=True)
class JobKind:
    kind: str
    title: str | Promise
    handler: Callable[..., dict[str, Any] | None]
    # Who may start it; None: any member (jobs the system starts need no permission).
    permission: Permission | None = None
    user_startable: bool = False

    def startable_by(self, member: Membership) -> bool:
        return self.user_startable and (self.permission is None or self.permission(member))

    @property
    def english_title(self) -> str:
        """The title as stored on a job; pages show it in the reader's language."""
        with translation.override("en"):
            return str(self.title)


_REGISTRY: dict[str, JobKind] = {}


def job_handler(
    kind: str,
    *,
    title: str | Promise,
    permission: Permission | None = None,
    user_startable: bool = False,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``func(ctx, **params)`` as the handler of job ``kind``."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        _REGISTRY[kind] = JobKind(kind, title, func, permission, user_startable)
        return func

    return register


def job_kinds() -> dict[str, JobKind]:
    return dict(_REGISTRY)


def get_kind(kind: str) -> JobKind:
    try:
        return _REGISTRY[kind]
    except KeyError:
        known = ", ".join(sorted(_REGISTRY)) or "none"
        raise OretraceError(f"unknown job kind {kind!r} (known: {known})") from None


def _set_status(job: Job, status: str, **fields: Any) -> None:
    if status not in TRANSITIONS[job.status]:
        raise InvalidTransition(f"job {job.pk} cannot go from {job.status} to {status}")
    job.status = status
    for name, value in fields.items():
        setattr(job, name, value)
    job.save(update_fields=["status", "updated_at", *fields])


def start_job(
    kind: str,
    *,
    actor: Membership | SystemActor,
    organisation: Organisation | None = None,
    params: dict[str, Any] | None = None,
    title: str | None = None,
) -> Job:
    """Record a job and enqueue it once the surrounding transaction commits."""
    spec = get_kind(kind)
    if isinstance(actor, SystemActor):
        if organisation is None:
            raise OretraceError("a system job needs the organisation it runs for")
        user = None
    else:
        if spec.permission is not None:
            spec.permission.require(actor)
        organisation, user = actor.organisation, actor.user
    with transaction.atomic():
        job = Job.objects.create(
            organisation=organisation,
            created_by=user,
            kind=kind,
            title=title or spec.english_title,
            params=params or {},
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


def _enqueue(job_id: int) -> None:
    from oretrace.core.tasks import run_job

    try:
        result = run_job.enqueue(job_id)
    except Exception as exc:
        logger.exception("could not enqueue job %s", job_id)
        job = Job.objects.get(pk=job_id)
        if not job.is_final:
            _set_status(
                job,
                JobStatus.FAILED,
                error=f"could not be queued: {exc}",
                finished_at=timezone.now(),
            )
        return
    Job.objects.filter(pk=job_id).update(task_id=str(result.id)[:64])


@dataclass
class JobContext:
    """What a handler uses to tell the user how its work goes."""

    job: Job
    _last_percent: int = field(default=-1, repr=False)

    def progress(self, percent: float, message: str | None = None) -> None:
        """Report progress (0 to 100) and optionally a message; stops the handler if cancelled."""
        value = max(0, min(100, int(percent)))
        if Job.objects.filter(pk=self.job.pk, status=JobStatus.CANCELLED).exists():
            raise JobCancelled
        if message:
            self._append("info", message)
        if value != self._last_percent or message:
            self._last_percent = value
            self.job.progress = value
            self.job.save(update_fields=["progress", "messages", "updated_at"])

    def info(self, message: str) -> None:
        self._append("info", message)
        self.job.save(update_fields=["messages", "updated_at"])

    def warn(self, message: str) -> None:
        self._append("warning", message)
        self.job.save(update_fields=["messages", "updated_at"])

    def _append(self, level: str, text: str) -> None:
        entry = {"at": timezone.now().isoformat(), "level": level, "text": text}
        self.job.messages = [*self.job.messages, entry][-MAX_MESSAGES:]


def execute(job_id: int) -> None:
    """Run a queued job's handler in this process; called by the ``run_job`` task."""
    job = Job.objects.get(pk=job_id)
    if job.status == JobStatus.CANCELLED:
        return
    _set_status(job, JobStatus.RUNNING, started_at=timezone.now())
    ctx = JobContext(job)
    try:
        spec = get_kind(job.kind)
        result = spec.handler(ctx, **job.params) or {}
    except JobCancelled:
        job.refresh_from_db()
        ctx.job = job
        ctx.warn("Stopped: the job was cancelled.")
        Job.objects.filter(pk=job.pk).update(finished_at=timezone.now())
        return
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        job.refresh_from_db()
        if job.is_final:
            return
        detail = str(exc) if isinstance(exc, OretraceError) else f"{type(exc).__name__}: {exc}"
        ctx.job = job
        ctx._append("error", detail)
        _set_status(
            job,
            JobStatus.FAILED,
            error=detail + "\n\n" + traceback.format_exc(limit=5),
            finished_at=timezone.now(),
            messages=job.messages,
        )
        return
    job.refresh_from_db(fields=["status"])
    if job.status == JobStatus.CANCELLED:
        return
    _set_status(
        job,
        JobStatus.SUCCEEDED,
        progress=100,
        finished_at=timezone.now(),
        result=result.get("data", {}),
        result_url=result.get("url", ""),
        messages=ctx.job.messages,
    )


def cancel_job(job: Job, *, actor: Membership | SystemActor) -> Job:
    """Cancel a queued or running job; a running handler stops at its next progress report."""
    if not isinstance(actor, SystemActor) and not (
        actor.user_id == job.created_by_id or can_cancel_any_job(actor)
    ):
        raise PermissionDenied(
            "only the user who started a job, or an administrator, can cancel it"
        )
    if job.is_final:
        raise InvalidTransition(f"job {job.pk} has already {job.get_status_display().lower()}")
    _set_status(job, JobStatus.CANCELLED, finished_at=timezone.now())
    return job
