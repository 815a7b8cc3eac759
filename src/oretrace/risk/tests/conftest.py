"""Fixtures of the risk app's tests."""

import pytest

from oretrace.core.choices import Role
from oretrace.core.tests.factories import MembershipFactory
from oretrace.risk.tests.score_objects import scored_objects


@pytest.fixture
def operator(org_a):
    """The platform's operator (a staff user), acting through a membership of A."""
    member = MembershipFactory.create(organisation=org_a, roles=[Role.VIEWER])
    member.user.is_staff = True
    member.user.save()
    return member


@pytest.fixture
def objects_of_a(org_a, member_a):
    """A's objects the tenancy declarations reach: a red flag, and its scores with what they
    are of (editions belong to no organisation: every member reads them)."""
    from oretrace.risk.tests.factories import RedFlagFactory

    return {"flag": RedFlagFactory.create(organisation=org_a).pk, **scored_objects(org_a, member_a)}
