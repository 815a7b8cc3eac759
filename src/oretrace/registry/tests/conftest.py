"""Fixtures of the registry's tests."""

import pytest

from oretrace.core.choices import Role
from oretrace.core.tests.factories import MembershipFactory


@pytest.fixture
def curator(org_a):
    """A staff administrator of organisation A: curates reference data."""
    return MembershipFactory.create(organisation=org_a, roles=[Role.ADMIN], user__is_staff=True)
