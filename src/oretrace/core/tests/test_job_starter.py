"""The member a job acting for a person runs as (``core.queries.job_starter``)."""

from __future__ import annotations

import pytest

from oretrace.core.queries import job_starter
from oretrace.core.tests.factories import JobFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_a_job_runs_as_its_starters_membership_in_the_jobs_organisation():
    here = MembershipFactory.create()
    elsewhere = MembershipFactory.create(user=here.user)  # the same person, another organisation
    job = JobFactory.create(organisation=here.organisation, created_by=here.user)
    assert job_starter(job) == here
    other = JobFactory.create(organisation=elsewhere.organisation, created_by=here.user)
    assert job_starter(other) == elsewhere


def test_a_job_the_system_started_has_no_starter():
    assert job_starter(JobFactory.create(created_by=None)) is None
