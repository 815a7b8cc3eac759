"""The demo: the Mica Workplace Initiative's programme around Koderma Collectors' depots."""

import pytest

from oretrace.programmes.demo import NAME
from oretrace.programmes.models import ChildCase, MonitoringVisit, Programme
from oretrace.programmes.queries import figure_rows

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_programme_with_villages_visits_and_cases(demo):
    programme = Programme.objects.get(name=NAME)
    assert programme.organisation.slug == "mica-initiative"
    villages = {v.name: v for v in programme.villages.all()}
    assert set(villages) == {"Dhorkola", "Domchanch", "Tisri"}
    linked = {f.name_latin for f in villages["Dhorkola"].facilities.all()}
    assert linked == {"Dhorkola Mica Collection Centre"}
    owner = villages["Dhorkola"].facilities.get().organisation
    assert owner is not None
    assert owner.slug == "koderma-collectors"
    assert MonitoringVisit.objects.filter(village__programme=programme).count() == 9
    states = sorted(ChildCase.objects.filter(programme=programme).values_list("status", flat=True))
    assert states == ["case_plan", "closed", "follow_up", "identified"]
    whole = figure_rows(programme)[0].figures
    assert (whole.identified, whole.with_remediation, whole.multiple_types) == (4, 2, 1)
