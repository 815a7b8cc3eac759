"""Background work users can see: start a job, report its progress, finish or cancel it.

A job kind is a plain function registered with ``@job_handler``; ``start_job`` records a
``Job`` row and enqueues the single ``run_job`` task (``django.tasks``), which the
``oretrace worker`` process (django-tasks-db) picks up. The handler receives a
``JobContext`` to report progress and messages and to return its result.

A worker can die in the middle of a job (``kill -9``, out of memory, a machine lost). So a
running job carries a lease (``Job.lease_expires_at``, ``ORETRACE_JOB_LEASE_SECONDS``) that its
worker renews with every progress report and from a heartbeat thread. ``recover_jobs`` finds the
running jobs whose lease ran out and queues them again, up to ``ORETRACE_JOB_MAX_ATTEMPTS``
runs, or marks them failed saying where the worker stopped. Every worker runs it at start and
every half lease (``start_watchdog``); ``oretrace jobs recover`` runs it from anywhere. A handler
must therefore be safe to run again: its writes are all or nothing per unit of work (a file, a
whole import), and it skips the units a previous attempt finished.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import traceback
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections, transaction
from django.db.models import Q, QuerySet
from django.tasks import Task
from django.utils import timezone, translation
from django.utils.functional import Promise

from oretrace.core.actors import SystemActor
from oretrace.core.choices import JobStatus
from oretrace.core.exceptions import InvalidTransition, OretraceError, PermissionDenied
from oretrace.core.job_errors import JobCancelled as JobCancelled
from oretrace.core.job_errors import JobFailed as JobFailed
from oretrace.core.job_errors import JobLost as JobLost
from oretrace.core.models import Job, Membership, Organisation
from oretrace.core.models.jobs import TRANSITIONS
from oretrace.core.permissions import Permission, can_cancel_any_job
from oretrace.core.scheduling import database_backend
from oretrace.core.stored_text import StoredText

logger = logging.getLogger(__name__)
MAX_MESSAGES = 500
LOST_TASK = "The task that was to run this job was lost"


# Where a failed task result names it: keep it in this module (stored results name its path).
class WorkerLost(Exception):
    """What a dead worker's task result records as the reason it failed."""


@dataclass(frozen=True)
class JobKind:
    kind: str
    title: str | Promise
    handler: Callable[..., dict[str, Any] | None]
    # Who may start it; None: any member (jobs the system starts need no permission).
    permission: Permission | None = None
    user_startable: bool = False
    # What the codes of its result (``{"imported": 3}``) are called, in the reader's language.
    result_labels: Mapping[str, str | Promise] = field(default_factory=dict)

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
    result_labels: Mapping[str, str | Promise] | None = None,
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register ``func(ctx, **params)`` as the handler of job ``kind``; ``result_labels`` name
    the codes of the counts it returns (shown as codes when not named)."""

    def register(func: Callable[..., Any]) -> Callable[..., Any]:
        _REGISTRY[kind] = JobKind(
            kind, title, func, permission, user_startable, dict(result_labels or {})
        )
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
    title: StoredText | str | None = None,
) -> Job:
    """Record a job and enqueue it once the surrounding transaction commits.

    ``title`` says what this job does more precisely than its kind's title ("Import 3
    declaration files"): a catalogue template and its values, so that every reader sees it in
    their language (a plain string is shown as written)."""
    spec = get_kind(kind)
    if isinstance(title, StoredText):
        english, template = title.english()[:200], title.as_json()
    else:
        english, template = (title or spec.english_title)[:200], {}
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
            title=english,
            title_text=template,
            params=params or {},
        )
        transaction.on_commit(lambda: _enqueue(job.pk))
    return job


# The task that runs a job in the worker: `oretrace.core.tasks.run_job`, which calls `execute`.
# CoreConfig.ready() installs it, so that this module need not import the tasks that import it.
_runner: list[Task[[int], None]] = []


def install_runner(task: Task[[int], None]) -> None:
    """Make `task` the one that `start_job` enqueues (CoreConfig.ready() installs `run_job`)."""
    _runner[:] = [task]


def _enqueue(job_id: int) -> None:
    try:
        result = _runner[0].enqueue(job_id)
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


def _lease() -> timedelta:
    return timedelta(seconds=settings.ORETRACE_JOB_LEASE_SECONDS)


def _worker_name() -> str:
    return f"{socket.gethostname()} pid {os.getpid()}"[:120]


def _entry(level: str, text: str | StoredText) -> dict[str, Any]:
    """A message of a job: its English text, and its template when it has one."""
    entry: dict[str, Any] = {"at": timezone.now().isoformat(), "level": level}
    if isinstance(text, StoredText):
        return {**entry, "text": text.english(), **text.as_json()}
    return {**entry, "text": text}


@dataclass
class JobContext:
    """What a handler uses to tell the user how its work goes.

    Every write goes through ``_write``, which only touches the job while this run's attempt is
    still the running one, and renews the lease on the way.
    """

    job: Job
    # Called with each progress report (percent, message): a command line draws its bar from it.
    listener: Callable[[int, str | None], None] | None = None
    _last_percent: int = field(default=-1, repr=False)

    def __post_init__(self) -> None:
        self.attempt = self.job.attempts

    def progress(self, percent: float, message: str | StoredText | None = None) -> None:
        """Report progress (0 to 100) and optionally a message; stops the handler if cancelled."""
        value = max(0, min(100, int(percent)))
        if message:
            self._append("info", message)
        if value != self._last_percent or message:
            self._last_percent = value
            self.job.progress = value
            self._write(progress=value, messages=self.job.messages)
        else:
            self._write()  # renew the lease, and notice a cancellation
        if self.listener is not None:
            self.listener(value, None if message is None else str(message))

    def hold(self) -> None:
        """Renew the lease, or raise ``JobCancelled``/``JobLost``. Called inside a unit of work's
        transaction, it lets the unit commit only while this run still holds the job: a stalled
        run whose job went to another attempt can't write over that attempt's work."""
        self._write()

    def info(self, message: str | StoredText) -> None:
        self._append("info", message)
        self._write(messages=self.job.messages)

    def warn(self, message: str | StoredText) -> None:
        self._append("warning", message)
        self._write(messages=self.job.messages)

    def _append(self, level: str, text: str | StoredText) -> None:
        self.job.messages = [*self.job.messages, _entry(level, text)][-MAX_MESSAGES:]

    def _mine(self) -> QuerySet[Job]:
        return Job.objects.filter(pk=self.job.pk, status=JobStatus.RUNNING, attempts=self.attempt)

    def _write(self, **fields: Any) -> None:
        now = timezone.now()
        if not self._mine().update(lease_expires_at=now + _lease(), updated_at=now, **fields):
            status = Job.objects.filter(pk=self.job.pk).values_list("status", flat=True).first()
            raise JobCancelled if status == JobStatus.CANCELLED else JobLost


def renew_lease(job_id: int, attempt: int) -> bool:
    """Push the running job's lease forward; False once the job is no longer this attempt's."""
    now = timezone.now()
    return bool(
        Job.objects.filter(pk=job_id, status=JobStatus.RUNNING, attempts=attempt).update(
            lease_expires_at=now + _lease()
        )
    )


class _Heartbeat:
    """Renews a running job's lease from a thread, so that a handler busy for longer than the
    lease between two progress reports is not taken for dead. The thread uses its own database
    connection and closes it when the job ends."""

    def __init__(self, job_id: int, attempt: int) -> None:
        self.job_id, self.attempt = job_id, attempt
        self.every = max(settings.ORETRACE_JOB_LEASE_SECONDS / 3, 0.5)
        self._stop = threading.Event()
        self._thread = threading.Thread(
            target=self._run, name=f"job-{job_id}-heartbeat", daemon=True
        )

    def __enter__(self) -> _Heartbeat:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=self.every)

    def _run(self) -> None:
        try:
            while not self._stop.wait(self.every):
                try:
                    if not renew_lease(self.job_id, self.attempt):
                        return
                except DatabaseError:  # busy for a moment: the next beat tries again
                    logger.warning("job %s: could not renew its lease", self.job_id, exc_info=True)
        finally:
            connections.close_all()  # this thread's connections only


def _claim(job_id: int) -> Job | None:
    """Make a queued job this process's running attempt; None when it is not queued."""
    now = timezone.now()
    with transaction.atomic():
        job = Job.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status != JobStatus.QUEUED:
            if job is None or job.status != JobStatus.CANCELLED:
                logger.warning("job %s is not queued (%s); not run", job_id, job and job.status)
            return None
        job.status = JobStatus.RUNNING
        job.attempts += 1
        job.lease_expires_at = now + _lease()
        job.worker = _worker_name()
        job.started_at = job.started_at or now
        job.save(
            update_fields=[
                "status",
                "attempts",
                "lease_expires_at",
                "worker",
                "started_at",
                "updated_at",
            ]
        )
    return job


def execute(job_id: int, *, listener: Callable[[int, str | None], None] | None = None) -> bool:
    """Run a queued job's handler in this process; called by the ``run_job`` task.

    Returns False when the job was not queued (another process runs it, or it ended).
    """
    job = _claim(job_id)
    if job is None:
        return False
    ctx = JobContext(job, listener=listener)
    with _Heartbeat(job.pk, ctx.attempt):
        _run(ctx)
    return True


def _run(ctx: JobContext) -> None:
    job = ctx.job
    try:
        spec = get_kind(job.kind)
        result = spec.handler(ctx, **job.params) or {}
    except JobCancelled:
        fresh = Job.objects.get(pk=job.pk)
        Job.objects.filter(pk=job.pk, status=JobStatus.CANCELLED).update(
            messages=[*fresh.messages, _entry("warning", "Stopped: the job was cancelled.")],
            finished_at=timezone.now(),
            lease_expires_at=None,
        )
        return
    except JobFailed as exc:
        ctx._append("error", exc.text or str(exc))
        _finish(
            ctx,
            JobStatus.FAILED,
            progress=100,
            error=str(exc),
            result=exc.data,
            result_url=exc.url,
            messages=ctx.job.messages,
        )
        return
    except JobLost:
        logger.warning(
            "job %s: attempt %s gave the job up, its lease had run out", job.pk, ctx.attempt
        )
        return
    except Exception as exc:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        detail = str(exc) if isinstance(exc, OretraceError) else f"{type(exc).__name__}: {exc}"
        ctx._append("error", detail)
        _finish(
            ctx,
            JobStatus.FAILED,
            error=detail + "\n\n" + traceback.format_exc(limit=5),
            messages=ctx.job.messages,
        )
        return
    _finish(
        ctx,
        JobStatus.SUCCEEDED,
        progress=100,
        result=result.get("data", {}),
        result_url=result.get("url", ""),
        messages=ctx.job.messages,
    )


def _finish(ctx: JobContext, status: str, **fields: Any) -> None:
    """Record the end of this attempt, unless the job was cancelled or given to another one."""
    now = timezone.now()
    if not ctx._mine().update(
        status=status, finished_at=now, updated_at=now, lease_expires_at=None, **fields
    ):
        logger.warning("job %s: attempt %s ended after the job left it", ctx.job.pk, ctx.attempt)


# --- recovery ---------------------------------------------------------------------------------


def recover_jobs(*, now: datetime | None = None) -> list[Job]:
    """Queue again, or fail, every running job whose worker stopped renewing its lease, and
    every queued job whose task was lost with its worker.

    Safe to run from any number of processes at once: each job is taken by one conditional
    update, which fails when its worker renewed the lease in the meantime.
    """
    now = now or timezone.now()
    stale = Job.objects.filter(status=JobStatus.RUNNING).filter(
        Q(lease_expires_at__lt=now)
        # A job started before leases existed: its last write is its last sign of life.
        | Q(lease_expires_at__isnull=True, updated_at__lt=now - _lease())
    )
    recovered = [job for job in stale.order_by("pk") if _recover(job, now)]
    return recovered + _requeue_lost_tasks(now)


def _recover(job: Job, now: datetime) -> bool:
    most = settings.ORETRACE_JOB_MAX_ATTEMPTS
    seen = job.lease_expires_at - _lease() if job.lease_expires_at else job.updated_at
    where = f" ({job.worker})" if job.worker else ""
    stopped = (
        f"The worker running this job{where} stopped at {job.progress} %: no sign of life "
        f"since {seen.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"
    )
    if job.attempts < most:
        text = f"{stopped}. Queued again: attempt {job.attempts + 1} of {most}."
        fields: dict[str, Any] = {"status": JobStatus.QUEUED}
    else:
        step = _last_step(job)
        text = (
            f"{stopped}{f' (last step: {step})' if step else ''}. It was started {job.attempts} "
            f"time(s), the most ORETRACE_JOB_MAX_ATTEMPTS allows, so it is marked failed; "
            "the worker's log says why it stopped (killed, out of memory, restarted). "
            "Start the job again once that is fixed."
        )
        fields = {"status": JobStatus.FAILED, "error": text, "finished_at": now}
    level = "warning" if fields["status"] == JobStatus.QUEUED else "error"
    with transaction.atomic():
        taken = Job.objects.filter(
            pk=job.pk,
            status=JobStatus.RUNNING,
            attempts=job.attempts,
            lease_expires_at=job.lease_expires_at,
        ).update(
            messages=[*job.messages, _entry(level, text)][-MAX_MESSAGES:],
            lease_expires_at=None,
            updated_at=now,
            **fields,
        )
        if not taken:
            return False
        _abandon_task(job.task_id, text)
        if fields["status"] == JobStatus.QUEUED:
            transaction.on_commit(lambda: _enqueue(job.pk))
    logger.warning("job %s: %s", job.pk, text)
    job.refresh_from_db()
    return True


def _last_step(job: Job) -> str:
    infos = [m["text"] for m in job.messages if m.get("level") == "info"]
    return f"'{infos[-1][:200]}'" if infos else ""


def _requeue_lost_tasks(now: datetime) -> list[Job]:
    """Queued jobs that no task will run: a worker took the task and died before it started the
    job (django-tasks-db marks a task RUNNING as it takes it), or the task ended without it."""
    if not database_backend():
        return []
    from django_tasks_db.models import DBTaskResult

    cutoff = now - _lease()
    waiting: dict[str, Job] = {}
    for job in Job.objects.filter(status=JobStatus.QUEUED, updated_at__lt=cutoff).exclude(
        task_id=""
    ):
        try:
            waiting[str(uuid.UUID(job.task_id))] = job
        except ValueError:  # an id of another tasks backend
            continue
    if not waiting:
        return []
    alive = DBTaskResult.objects.filter(pk__in=list(waiting)).filter(
        Q(status="READY") | Q(status="RUNNING", started_at__gte=cutoff)
    )
    for pk in alive.values_list("pk", flat=True):
        waiting.pop(str(pk), None)
    return [job for job in waiting.values() if _requeue_lost(job, now)]


def _requeue_lost(job: Job, now: datetime) -> bool:
    earlier = sum(str(m.get("text", "")).startswith(LOST_TASK) for m in job.messages)
    if earlier + 1 < settings.ORETRACE_JOB_MAX_ATTEMPTS:
        text = f"{LOST_TASK}: its worker stopped before starting the job. Queued again."
        fields: dict[str, Any] = {}
    else:
        text = (
            f"{LOST_TASK} {earlier + 1} times, the most ORETRACE_JOB_MAX_ATTEMPTS allows: the "
            "job is marked failed. The worker's log says why; start the job again."
        )
        fields = {"status": JobStatus.FAILED, "error": text, "finished_at": now}
    with transaction.atomic():
        taken = Job.objects.filter(
            pk=job.pk, status=JobStatus.QUEUED, task_id=job.task_id, updated_at=job.updated_at
        ).update(
            messages=[*job.messages, _entry("warning", text)][-MAX_MESSAGES:],
            updated_at=now,
            **fields,
        )
        if not taken:
            return False
        _abandon_task(job.task_id, text)
        if not fields:
            transaction.on_commit(lambda: _enqueue(job.pk))
    logger.warning("job %s: %s", job.pk, text)
    job.refresh_from_db()
    return True


def _abandon_task(task_id: str, reason: str) -> None:
    """Mark the dead worker's django-tasks-db result failed, as it would be had the task raised.

    django-tasks-db leaves a task whose worker died RUNNING for ever: it never blocks the queue
    (workers only take READY tasks) but is never pruned either. The job gets a new task.
    """
    if not task_id or not database_backend():
        return
    try:
        uuid.UUID(task_id)
    except ValueError:  # an id of another tasks backend
        return
    from django_tasks_db.models import DBTaskResult

    row = DBTaskResult.objects.filter(pk=task_id, status="RUNNING").first()
    if row is not None:
        row.set_failed(WorkerLost(reason))


def start_watchdog(*, stop: threading.Event | None = None) -> threading.Thread:
    """Run ``recover_jobs`` every half lease in a daemon thread (``oretrace worker`` does)."""
    stop = stop or threading.Event()
    every = max(settings.ORETRACE_JOB_LEASE_SECONDS / 2, 1.0)

    def watch() -> None:
        try:
            while not stop.wait(every):
                try:
                    recover_jobs()
                except DatabaseError:
                    logger.warning("could not look for jobs of dead workers", exc_info=True)
        finally:
            connections.close_all()

    thread = threading.Thread(target=watch, name="job-watchdog", daemon=True)
    thread.start()
    return thread


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
