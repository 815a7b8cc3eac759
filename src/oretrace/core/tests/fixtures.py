"""pytest fixtures of the core app, available to every app's tests."""

from __future__ import annotations

import pytest
from django.test import Client

from oretrace.core import services
from oretrace.core.choices import Role
from oretrace.core.tests.factories import MembershipFactory, OrganisationFactory


@pytest.fixture
def org_a(db):
    return OrganisationFactory.create(legal_name="Alpha Mica Processing Ltd", country_id="IN")


@pytest.fixture
def org_b(db):
    return OrganisationFactory.create(legal_name="Beta Coatings GmbH", country_id="DE")


@pytest.fixture
def member_a(org_a):
    """An administrator of organisation A."""
    return MembershipFactory.create(organisation=org_a, roles=[Role.ADMIN])


@pytest.fixture
def member_b(org_b):
    """An administrator of organisation B: must never see A's objects."""
    return MembershipFactory.create(organisation=org_b, roles=[Role.ADMIN])


@pytest.fixture
def viewer_a(org_a):
    return MembershipFactory.create(organisation=org_a, roles=[Role.VIEWER])


def _token_client(member) -> Client:
    _token, secret = services.issue_token(member, name="tests", actor=member)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def api_a(member_a) -> Client:
    """An API client authenticated with a token of member A."""
    return _token_client(member_a)


@pytest.fixture
def api_b(member_b) -> Client:
    """An API client authenticated with a token of member B."""
    return _token_client(member_b)


@pytest.fixture
def web_a(member_a) -> Client:
    client = Client()
    client.force_login(member_a.user)
    return client


@pytest.fixture
def web_b(member_b) -> Client:
    client = Client()
    client.force_login(member_b.user)
    return client
