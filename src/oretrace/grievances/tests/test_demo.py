"""The demo: the Mica Workplace Initiative's channel with cases in three states."""

import pytest

from oretrace.grievances.demo import SLUG
from oretrace.grievances.models import Case, Channel

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_channel_with_cases_in_different_states(demo):
    channel = Channel.objects.get(slug=SLUG)
    assert channel.organisation.slug == "mica-initiative"
    states = sorted(Case.objects.filter(channel=channel).values_list("status", flat=True))
    assert states == ["closed", "investigation", "investigation", "new"]
    intakes = set(Case.objects.filter(channel=channel).values_list("intake", flat=True))
    assert intakes == {"web", "phone", "paper", "in_person"}


def test_the_demo_s_linked_case_offers_an_unannounced_audit_of_the_unit(demo):
    from oretrace.core.models import Membership
    from oretrace.grievances import queries
    from oretrace.grievances.services.actions import who_plans_audits

    case = Case.objects.get(channel__slug=SLUG, intake="in_person")
    [link] = case.links.all()
    assert link.facility is not None
    assert link.facility.name == "Giridih Mica Processing — Unit 1"
    officer = Membership.objects.get(user__email="grievance@initiative.example")
    # the case page's form (its texts are sealed with the demo's own keys, so it is not opened
    # here: the choices and the right to plan are what the page shows the form by)
    subjects = queries.audit_subjects(case, officer)
    assert subjects == [("Facility", [(f"{link.pk}:{link.facility_id}", str(link.facility))])]
    assert who_plans_audits(officer) == ""
