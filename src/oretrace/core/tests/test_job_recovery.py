"""Jobs whose worker died: the lease a running job holds, its expiry on a moved clock, and the
recovery that queues the job again or fails it. (The real ``kill -9`` of a worker is in
``declarations/tests/test_worker_crash.py``.)"""

from __future__ import annotations

import io
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from oretrace.core.choices import JobStatus
from oretrace.core.jobs import (
    JobContext,
    _Heartbeat,
    execute,
    job_handler,
    recover_jobs,
    renew_lease,
)
from oretrace.core.models import Job
from oretrace.core.tests.factories import JobFactory

pytestmark = pytest.mark.django_db
SEEN: dict[str, object] = {}


@job_handler("test.lease", title="Look at my lease")
def _look(ctx: JobContext) -> None:
    ctx.progress(50, "half way")
    job = Job.objects.get(pk=ctx.job.pk)
    SEEN.update(lease=job.lease_expires_at, attempts=job.attempts, worker=job.worker)


@job_handler("test.stall", title="Stall past the lease")
def _stall(ctx: JobContext) -> None:
    ctx.progress(30, "first part")
    # The worker stalls; meanwhile another process finds the lease expired.
    recover_jobs(now=timezone.now() + timedelta(hours=1))
    ctx.progress(60, "second part, too late")


def _running(organisation, *, attempts: int = 1, lease_in: float = -1, **fields) -> Job:
    return JobFactory.create(
        organisation=organisation,
        kind="test.lease",
        status=JobStatus.RUNNING,
        attempts=attempts,
        progress=25,
        worker="box pid 4242",
        lease_expires_at=timezone.now() + timedelta(seconds=lease_in),
        started_at=timezone.now() - timedelta(minutes=1),
        **fields,
    )


def test_a_running_job_holds_a_lease_that_ends_with_it(member_a, settings):
    settings.ORETRACE_JOB_LEASE_SECONDS = 90
    job = JobFactory.create(organisation=member_a.organisation, kind="test.lease")
    before = timezone.now()
    execute(job.pk)
    assert SEEN["attempts"] == 1
    assert "pid" in str(SEEN["worker"])
    lease = SEEN["lease"]
    assert isinstance(lease, type(before))
    assert before + timedelta(seconds=89) < lease < timezone.now() + timedelta(seconds=91)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.lease_expires_at is None


def test_a_live_lease_is_left_alone_until_the_clock_passes_it(member_a, settings):
    settings.ORETRACE_JOB_LEASE_SECONDS = 60
    job = _running(member_a.organisation, lease_in=30)
    assert recover_jobs() == []
    assert recover_jobs(now=timezone.now() + timedelta(seconds=29)) == []
    (recovered,) = recover_jobs(now=timezone.now() + timedelta(seconds=31))
    assert recovered.pk == job.pk
    assert recovered.status == JobStatus.QUEUED


def test_an_expired_job_is_queued_again_and_resumes(member_a, django_capture_on_commit_callbacks):
    job = _running(
        member_a.organisation,
        messages=[{"at": "", "level": "info", "text": "b.xlsx (2/4)"}],
        task_id="",
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        (recovered,) = recover_jobs()
    assert recovered.status == JobStatus.QUEUED
    assert recovered.lease_expires_at is None
    note = recovered.messages[-1]
    assert note["level"] == "warning"
    assert "The worker running this job (box pid 4242) stopped at 25 %" in note["text"]
    assert "Queued again: attempt 2 of 3." in note["text"]
    # the new run is enqueued once the recovery commits, and runs as attempt 2
    with django_capture_on_commit_callbacks(execute=True):
        for callback in callbacks:
            callback()
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.attempts == 2
    assert job.task_id


def test_a_job_whose_attempts_are_used_up_fails_saying_where_it_stopped(member_a, settings):
    settings.ORETRACE_JOB_MAX_ATTEMPTS = 2
    job = _running(
        member_a.organisation,
        attempts=2,
        messages=[{"at": "", "level": "info", "text": "bomb.xlsx (3/4)"}],
    )
    (recovered,) = recover_jobs()
    assert recovered.status == JobStatus.FAILED
    assert recovered.finished_at is not None
    assert recovered.error.startswith("The worker running this job (box pid 4242) stopped at 25 %")
    assert "(last step: 'bomb.xlsx (3/4)')" in recovered.error
    assert "started 2 time(s)" in recovered.error
    assert recovered.messages[-1] == {**recovered.messages[-1], "level": "error"}
    assert recover_jobs() == []  # failed is final
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED


def test_a_job_from_before_leases_is_judged_by_its_last_write(member_a, settings):
    settings.ORETRACE_JOB_LEASE_SECONDS = 60
    job = _running(member_a.organisation)
    Job.objects.filter(pk=job.pk).update(lease_expires_at=None, updated_at=timezone.now())
    assert recover_jobs() == []
    (recovered,) = recover_jobs(now=timezone.now() + timedelta(seconds=61))
    assert recovered.pk == job.pk


def test_a_stalled_attempt_stops_and_leaves_the_job_to_the_next(member_a):
    job = JobFactory.create(organisation=member_a.organisation, kind="test.stall")
    execute(job.pk)
    job.refresh_from_db()
    # the stale attempt neither finished the job nor wrote its late progress
    assert job.status == JobStatus.QUEUED
    assert job.progress == 30
    texts = [m["text"] for m in job.messages]
    assert "second part, too late" not in texts
    assert "Queued again: attempt 2 of 3." in texts[-1]


def test_renewing_is_for_the_current_attempt_only(member_a, settings):
    settings.ORETRACE_JOB_LEASE_SECONDS = 600
    job = _running(member_a.organisation, attempts=2)
    assert not renew_lease(job.pk, 1)
    assert renew_lease(job.pk, 2)
    job.refresh_from_db()
    assert job.lease_expires_at is not None
    assert job.lease_expires_at > timezone.now() + timedelta(seconds=500)
    assert recover_jobs() == []


@pytest.mark.django_db(transaction=True)
def test_the_heartbeat_renews_the_lease_between_progress_reports(member_a, settings):
    settings.ORETRACE_JOB_LEASE_SECONDS = 600
    job = _running(member_a.organisation)
    beat = _Heartbeat(job.pk, 1)
    beat.every = 0.05
    with beat:
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            job.refresh_from_db()
            if job.lease_expires_at and job.lease_expires_at > timezone.now():
                break
            time.sleep(0.05)
    assert job.lease_expires_at is not None
    assert job.lease_expires_at > timezone.now() + timedelta(seconds=500)


def test_the_jobs_command_recovers_and_lists(member_a):
    _running(member_a.organisation, attempts=3, title="Import 4 declaration file(s)")
    out = io.StringIO()
    call_command("jobs", "recover", stdout=out)
    assert "stopped at 25 %" in out.getvalue()
    assert "1 job(s) of stopped workers recovered" in out.getvalue()
    out = io.StringIO()
    call_command("jobs", "list", "--status", "failed", stdout=out)
    lines = out.getvalue().splitlines()
    assert "failed 25 %, attempt 3 · Import 4 declaration file(s)" in lines[0]
    assert "stopped at 25 %" in lines[1]


def test_the_jobs_pages_show_a_silent_worker_and_then_the_recovery(web_a, member_a):
    from django.urls import reverse

    live = _running(member_a.organisation, lease_in=60)
    silent = _running(member_a.organisation, attempts=2, lease_in=-5)
    listing = web_a.get(reverse("web:jobs")).content.decode()
    assert listing.count("no sign of its worker") == 1
    assert (
        "No sign of" not in web_a.get(reverse("web:jobs_detail", args=[live.pk])).content.decode()
    )
    detail = web_a.get(reverse("web:jobs_detail", args=[silent.pk])).content.decode()
    assert "No sign of the worker running this job since" in detail
    assert "oretrace jobs recover" in detail
    assert "<dt>Attempts</dt><dd>2</dd>" in detail
    recover_jobs()
    detail = web_a.get(reverse("web:jobs_detail", args=[silent.pk])).content.decode()
    assert "No sign of the worker running this job since" not in detail
    assert "stopped at 25 %" in detail
    assert "Queued again: attempt 3 of 3." in detail


@pytest.fixture
def database_tasks(settings):
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}
    }


def _task(job: Job, status: str, started_minutes_ago: float | None = None):
    from django_tasks_db.models import DBTaskResult, get_date_max

    started = None
    if started_minutes_ago is not None:
        started = timezone.now() - timedelta(minutes=started_minutes_ago)
    row = DBTaskResult.objects.create(
        status=status,
        args_kwargs={"args": [job.pk], "kwargs": {}},
        task_path="oretrace.core.tasks.run_job",
        backend_name="default",
        run_after=get_date_max(),
        started_at=started,
    )
    Job.objects.filter(pk=job.pk).update(
        task_id=str(row.pk), updated_at=timezone.now() - timedelta(minutes=10)
    )
    return row


def test_a_dead_worker_s_task_is_failed_and_the_job_gets_a_new_one(
    database_tasks, member_a, django_capture_on_commit_callbacks
):
    # given a job whose worker died: its task was left RUNNING
    job = _running(member_a.organisation)
    task = _task(job, "RUNNING", started_minutes_ago=5)
    # when it is recovered
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        (recovered,) = recover_jobs()
    # then the task is failed, the reason recorded, and a new task is enqueued after the commit
    task.refresh_from_db()
    assert task.status == "FAILED"
    assert task.exception_class_path == "oretrace.core.jobs.WorkerLost"
    assert "stopped at 25 %" in task.traceback
    assert recovered.status == JobStatus.QUEUED
    assert len(callbacks) == 1


def test_a_queued_job_whose_task_was_lost_is_queued_again(
    database_tasks, member_a, django_capture_on_commit_callbacks
):
    lost = JobFactory.create(organisation=member_a.organisation, kind="test.lease")
    lost_task = _task(lost, "RUNNING", started_minutes_ago=5)  # taken, then its worker died
    waiting = JobFactory.create(organisation=member_a.organisation, kind="test.lease")
    _task(waiting, "READY")  # behind a long queue: fine
    starting = JobFactory.create(organisation=member_a.organisation, kind="test.lease")
    _task(starting, "RUNNING", started_minutes_ago=0)  # a worker is starting it right now
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        recovered = recover_jobs()
    assert [job.pk for job in recovered] == [lost.pk]
    assert recovered[0].status == JobStatus.QUEUED
    assert (
        recovered[0]
        .messages[-1]["text"]
        .startswith("The task that was to run this job was lost: its worker stopped")
    )
    lost_task.refresh_from_db()
    assert lost_task.status == "FAILED"
    assert len(callbacks) == 1


def test_a_job_whose_task_is_lost_again_and_again_fails(database_tasks, member_a, settings):
    settings.ORETRACE_JOB_MAX_ATTEMPTS = 2
    job = JobFactory.create(organisation=member_a.organisation, kind="test.lease")
    _task(job, "FAILED", started_minutes_ago=5)
    (first,) = recover_jobs()
    assert first.status == JobStatus.QUEUED
    _task(job, "SUCCESSFUL", started_minutes_ago=5)  # its new task, lost as well
    (second,) = recover_jobs()
    assert second.status == JobStatus.FAILED
    assert "lost 2 times" in second.error
