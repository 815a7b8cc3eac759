"""Fixtures of the grievance app's tests: keys of each test's own, officers, a channel."""

import pytest

from oretrace.core.choices import Role
from oretrace.core.tests.factories import MembershipFactory
from oretrace.core.tests.fixtures import own_sealing_keys


@pytest.fixture(autouse=True)
def grievance_keys(settings, tmp_path):
    return own_sealing_keys(settings, "ORETRACE_GRIEVANCE_KEY_DIR", tmp_path / "grievance-keys")


@pytest.fixture
def member_a(org_a):
    """An administrator of A who is also its grievance officer (the role is held in person)."""
    return MembershipFactory.create(organisation=org_a, roles=[Role.ADMIN, Role.GRIEVANCE_OFFICER])


@pytest.fixture
def officer_a(org_a):
    return MembershipFactory.create(organisation=org_a, roles=[Role.GRIEVANCE_OFFICER])


@pytest.fixture
def channel(member_a):
    from oretrace.grievances.services import intake

    return intake.open_channel(actor=member_a, slug="alpha-voice", name="Alpha workers' voice")


@pytest.fixture
def filed(channel):
    from oretrace.grievances.services import intake

    return intake.file_report(channel, text="The dust mask stock ran out in May.", language="en")


@pytest.fixture
def objects_of_a(filed, channel):
    from oretrace.grievances.tests.factories import SurveyFactory

    return {"case": filed.case.pk, "survey": SurveyFactory.create(channel=channel).pk}


@pytest.fixture(autouse=True)
def _forget_webhook_channels():
    """Each test's channels are its own: no channel remembered from another test's database."""
    from oretrace.grievances import views

    views._CHANNELS.clear()
