"""Tenancy: a member sees their organisation's rows and rows explicitly granted, nothing else."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.http import Http404
from django.utils import timezone

from oretrace.core import services
from oretrace.core.choices import Role
from oretrace.core.exceptions import OretraceError, PermissionDenied
from oretrace.core.models import Job
from oretrace.core.tenancy import can_see, get_for_member, visible
from oretrace.core.tests.factories import JobFactory, MembershipFactory

pytestmark = pytest.mark.django_db


def test_member_sees_only_own_organisation_rows(member_a, member_b):
    job_a = JobFactory.create(organisation=member_a.organisation)
    job_b = JobFactory.create(organisation=member_b.organisation)
    assert list(visible(Job.objects.all(), member_a)) == [job_a]
    assert list(visible(Job.objects.all(), member_b)) == [job_b]
    with pytest.raises(Http404):
        get_for_member(Job.objects.all(), member_b, pk=job_a.pk)


def test_grant_of_one_row_shares_that_row_only(member_a, member_b):
    shared, private = (
        JobFactory.create(organisation=member_a.organisation),
        JobFactory.create(organisation=member_a.organisation),
    )
    grant = services.grant_access(shared, to=member_b.organisation, actor=member_a)
    assert can_see(shared, member_b)
    assert not can_see(private, member_b)
    services.revoke_grant(grant, actor=member_a)
    assert not can_see(shared, member_b)


def test_grant_of_a_type_shares_every_row_of_the_owner(member_a, member_b):
    jobs = [JobFactory.create(organisation=member_a.organisation) for _ in range(3)]
    services.grant_access(
        Job, owner=member_a.organisation, to=member_b.organisation, actor=member_a
    )
    assert set(visible(Job.objects.all(), member_b)) == set(jobs)
    # the grant does not work backwards
    job_b = JobFactory.create(organisation=member_b.organisation)
    assert not can_see(job_b, member_a)


def test_expired_grant_shares_nothing(member_a, member_b):
    job = JobFactory.create(organisation=member_a.organisation)
    services.grant_access(
        job,
        to=member_b.organisation,
        actor=member_a,
        expires_at=timezone.now() - timedelta(minutes=1),
    )
    assert not can_see(job, member_b)


def test_only_admin_or_compliance_of_owner_can_share(member_a, member_b, viewer_a):
    job = JobFactory.create(organisation=member_a.organisation)
    with pytest.raises(PermissionDenied):
        services.grant_access(job, to=member_b.organisation, actor=viewer_a)
    with pytest.raises(PermissionDenied):
        services.grant_access(job, to=member_b.organisation, actor=member_b)
    officer = MembershipFactory.create(
        organisation=member_a.organisation, roles=[Role.COMPLIANCE_OFFICER]
    )
    assert services.grant_access(job, to=member_b.organisation, actor=officer).pk


def test_cannot_share_with_itself(member_a):
    job = JobFactory.create(organisation=member_a.organisation)
    with pytest.raises(OretraceError, match="itself"):
        services.grant_access(job, to=member_a.organisation, actor=member_a)


def test_visible_refuses_models_without_scoping(member_a):
    from django.contrib.contenttypes.models import ContentType

    with pytest.raises(TypeError, match="no for_member"):
        visible(ContentType.objects.all(), member_a)
