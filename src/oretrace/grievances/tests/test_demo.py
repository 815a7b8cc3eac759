"""The demo: the Mica Workplace Initiative's channel with cases in three states."""

import pytest

from oretrace.grievances.demo import SLUG
from oretrace.grievances.models import Case, Channel

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_channel_with_cases_in_different_states(demo):
    channel = Channel.objects.get(slug=SLUG)
    assert channel.organisation.slug == "mica-initiative"
    states = sorted(Case.objects.filter(channel=channel).values_list("status", flat=True))
    assert states == ["closed", "investigation", "new"]
    intakes = set(Case.objects.filter(channel=channel).values_list("intake", flat=True))
    assert intakes == {"web", "phone", "paper"}
