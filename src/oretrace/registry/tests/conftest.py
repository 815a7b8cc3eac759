"""Fixtures of the registry's tests."""

import pytest

from oretrace.core.choices import Role
from oretrace.core.tests.factories import MembershipFactory


@pytest.fixture
def curator(org_a):
    """A staff administrator of organisation A: curates reference data."""
    member = MembershipFactory.create(organisation=org_a, roles=[Role.ADMIN])
    member.user.is_staff = True
    member.user.save()
    return member
