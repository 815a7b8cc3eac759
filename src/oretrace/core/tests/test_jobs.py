"""Jobs: queued → running → final states, progress and messages, failures, cancellation."""

from __future__ import annotations

from typing import Any

import pytest

from oretrace.core.actors import SYSTEM
from oretrace.core.choices import JobStatus, Role
from oretrace.core.exceptions import InvalidTransition, OretraceError, PermissionDenied
from oretrace.core.jobs import JobContext, cancel_job, execute, job_handler, start_job
from oretrace.core.models import Job
from oretrace.core.tests.factories import JobFactory, MembershipFactory

pytestmark = pytest.mark.django_db


@job_handler("test.count", title="Count to three")
def _count(ctx: JobContext, upto: int = 3) -> dict[str, Any]:
    for i in range(1, upto + 1):
        ctx.progress(100 * i / upto, f"counted {i}")
    return {"data": {"counted": upto}, "url": "/jobs/"}


@job_handler("test.explode", title="Fail halfway")
def _explode(ctx: JobContext) -> None:
    ctx.progress(50, "half done")
    raise OretraceError("row 7 of supplier-list.csv has no e-mail address")


@job_handler("test.cancel_self", title="Cancelled midway")
def _cancelled(ctx: JobContext) -> None:
    ctx.progress(10, "started")
    Job.objects.filter(pk=ctx.job.pk).update(status=JobStatus.CANCELLED)
    ctx.progress(20, "never recorded")


def test_job_runs_after_commit_and_reports_progress(member_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job("test.count", actor=member_a, params={"upto": 4})
        assert job.status == JobStatus.QUEUED
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED
    assert job.progress == 100
    assert [m["text"] for m in job.messages] == [f"counted {i}" for i in range(1, 5)]
    assert job.result == {"counted": 4}
    assert job.result_url == "/jobs/"
    assert job.task_id
    assert job.started_at is not None
    assert job.finished_at is not None
    assert job.started_at <= job.finished_at
    assert job.organisation == member_a.organisation
    assert job.created_by == member_a.user


def test_failed_job_keeps_the_reason(member_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job("test.explode", actor=member_a)
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED
    assert job.progress == 50
    assert "row 7 of supplier-list.csv" in job.error
    assert job.messages[-1]["level"] == "error"


def test_cancel_during_run_stops_the_handler(member_a):
    job = JobFactory.create(organisation=member_a.organisation, kind="test.cancel_self")
    execute(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert "never recorded" not in [m["text"] for m in job.messages]
    assert job.finished_at is not None


def test_cancelled_queued_job_never_runs(member_a):
    job = JobFactory.create(organisation=member_a.organisation, kind="test.count")
    cancel_job(job, actor=member_a)
    execute(job.pk)
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED
    assert job.messages == []


def test_final_states_are_final(member_a):
    job = JobFactory.create(organisation=member_a.organisation, status=JobStatus.SUCCEEDED)
    with pytest.raises(InvalidTransition, match="already succeeded"):
        cancel_job(job, actor=member_a)


def test_only_starter_or_admin_may_cancel(member_a):
    viewer = MembershipFactory.create(organisation=member_a.organisation, roles=[Role.VIEWER])
    job = JobFactory.create(organisation=member_a.organisation, created_by=member_a.user)
    with pytest.raises(PermissionDenied):
        cancel_job(job, actor=viewer)


def test_job_roles_are_enforced(viewer_a):
    with pytest.raises(PermissionDenied, match="you need the role administrator"):
        start_job("reference.reload", actor=viewer_a)


def test_unknown_job_kind_is_named():
    with pytest.raises(OretraceError, match="unknown job kind 'nope'"):
        start_job("nope", actor=SYSTEM)


def test_reference_reload_job_counts_rows(member_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = start_job("reference.reload", actor=member_a)
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.result["countries"] == 249
    assert job.result["minerals"] == 22
    assert job.result["subdivisions"] > 5000
