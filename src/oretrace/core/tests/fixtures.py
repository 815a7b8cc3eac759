"""pytest fixtures of the core app, available to every app's tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from oretrace.core import services
from oretrace.core.choices import OrganisationKind, Role
from oretrace.core.tests.factories import MembershipFactory, OrganisationFactory
from oretrace.core.tests.scopes import shared_rows


def own_ledger_keys(settings: Any, folder: Any) -> Any:
    """Point the ledger at keys of the test's own in ``folder`` (generated on first use, like
    production), outside the data directory, with no witnesses and no previous keys; the key's
    path."""
    settings.ORETRACE_LEDGER_KEY_PATH = folder / "ledger" / "log.key"
    settings.ORETRACE_LEDGER_ORIGIN = "oretrace.test/ledger"
    settings.ORETRACE_LEDGER_WITNESSES = []
    settings.ORETRACE_LEDGER_PREVIOUS_KEY_PATHS = []
    return settings.ORETRACE_LEDGER_KEY_PATH


def own_sealing_keys(settings: Any, setting: str, folder: Any) -> Any:
    """Seal with keys of the test's own: the key folder ``setting`` (``ORETRACE_GRIEVANCE_KEY_DIR``,
    ``ORETRACE_PROGRAMME_KEY_DIR``) pointed at ``folder``, where the first key is made on first use
    as in production; the folder."""
    setattr(settings, setting, folder)
    return folder


def own_files(settings: Any, folder: Any) -> None:
    """Uploads and ledger keys of the test's own, in ``folder`` (see ``own_ledger_keys``)."""
    settings.MEDIA_ROOT = folder / "media"
    own_ledger_keys(settings, folder)


@pytest.fixture(scope="module")
def demo_rows(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The demo (``oretrace demo``), built once for a module's tests: it takes seconds.

    Its rows stay in a transaction rolled back after the module's last test (``shared_rows``);
    each test's own writes, a second ``build_demo()`` included, are rolled back after it.
    """
    from oretrace.core.demo import build_demo

    with shared_rows(django_db_blocker):
        build_demo()
        yield


@pytest.fixture
def demo(demo_rows: None, db: None) -> None:
    """The demo for one test (see ``demo_rows``)."""


@pytest.fixture
def org_a(db):
    return OrganisationFactory.create(legal_name="Alpha Mica Processing Ltd", country_id="IN")


@pytest.fixture
def org_b(db):
    return OrganisationFactory.create(legal_name="Beta Coatings GmbH", country_id="DE")


@pytest.fixture
def processor_org(db):
    """A mica processor in India: the organisation assessed or audited in those apps' tests."""
    return OrganisationFactory.create(
        legal_name="Sigma Mica Works", kind=OrganisationKind.PROCESSOR, country_id="IN"
    )


@pytest.fixture
def member_a(org_a):
    """An administrator of organisation A."""
    return MembershipFactory.create(organisation=org_a, roles=[Role.ADMIN])


@pytest.fixture
def member_b(org_b):
    """An administrator of organisation B: must never see A's objects."""
    return MembershipFactory.create(organisation=org_b, roles=[Role.ADMIN])


@pytest.fixture
def admin_only_a(org_a):
    """An administrator of A with no other role: refused where the app's ``member_a`` (an
    administrator who also holds the app's role, as in the grievance and programme apps) is
    let in."""
    return MembershipFactory.create(organisation=org_a, roles=[Role.ADMIN])


@pytest.fixture
def viewer_a(org_a):
    return MembershipFactory.create(organisation=org_a, roles=[Role.VIEWER])


def api_client(member) -> Client:
    """An API client authenticated with a new token of ``member``."""
    _token, secret = services.issue_token(member, name="tests", actor=member)
    return Client(HTTP_AUTHORIZATION=f"Bearer {secret}")


@pytest.fixture
def api_a(member_a) -> Client:
    """An API client authenticated with a token of member A."""
    return api_client(member_a)


@pytest.fixture
def api_b(member_b) -> Client:
    """An API client authenticated with a token of member B."""
    return api_client(member_b)


def web_client(member) -> Client:
    """A browser-like client logged in as ``member``'s user."""
    client = Client()
    client.force_login(member.user)
    return client


@pytest.fixture
def web_a(member_a) -> Client:
    return web_client(member_a)


@pytest.fixture
def web_b(member_b) -> Client:
    return web_client(member_b)
