"""Programmes and places; monitoring visits, their versions and trends."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal

import pytest

from oretrace.core.exceptions import PermissionDenied
from oretrace.core.models import ChangeLogEntry, Country
from oretrace.core.tests.factories import MembershipFactory
from oretrace.programmes import catalogue, queries
from oretrace.programmes.exceptions import ProgrammeError
from oretrace.programmes.models import MonitoringVisit
from oretrace.programmes.services import monitoring, setup
from oretrace.registry.choices import FacilityKind
from oretrace.registry.tests.factories import FacilityFactory

pytestmark = pytest.mark.django_db

SET = "child-labour-free-village"


def test_a_programme_keeps_its_partners_donors_and_ilo_areas(programme):
    assert programme.areas == ["area_based", "education"]  # in the ILO's order
    assert programme.donor_list() == ["Beta Foundation"]
    assert ChangeLogEntry.objects.filter(object_id=str(programme.pk)).exists()


def test_an_unknown_area_or_set_is_refused(member_a, today):
    with pytest.raises(ProgrammeError, match="Unknown ILO area of work: mining"):
        setup.create_programme(
            actor=member_a, name="X", starts_on=today, indicator_set=SET, areas=["mining"]
        )
    with pytest.raises(ProgrammeError, match="no indicator set nope"):
        setup.create_programme(actor=member_a, name="X", starts_on=today, indicator_set="nope")


def test_a_viewer_cannot_start_a_programme(org_a, today):
    viewer = MembershipFactory.create(organisation=org_a, roles=["viewer"])
    with pytest.raises(PermissionDenied):
        setup.create_programme(actor=viewer, name="X", starts_on=today, indicator_set=SET)


def test_a_village_links_mines_and_collection_points_only(village, member_a):
    depot = FacilityFactory.create(
        kind=FacilityKind.COLLECTION_POINT, name="Dhorkola depot", organisation=village.organisation
    )
    setup.link_facility(village, depot, actor=member_a)
    assert list(village.facilities.all()) == [depot]
    smelter = FacilityFactory.create(
        kind=FacilityKind.SMELTER, name="Far smelter", organisation=village.organisation
    )
    with pytest.raises(ProgrammeError, match="link mines, picking sites and collection points"):
        setup.link_facility(village, smelter, actor=member_a)


def test_a_village_name_is_unique_in_its_programme(village, programme, member_a):
    with pytest.raises(ProgrammeError, match="already has a village named Dhorkola"):
        setup.add_village(
            programme, actor=member_a, name="Dhorkola", country=Country.objects.get(code="IN")
        )


def test_a_target_must_name_an_indicator_of_the_set(programme, member_a, today):
    target = setup.set_target(
        programme,
        actor=member_a,
        indicator="school_enrolment",
        baseline=Decimal(60),
        target=Decimal(95),
        by=today,
    )
    assert target.baseline == 60
    with pytest.raises(ProgrammeError, match="wages is not an indicator"):
        setup.set_target(
            programme,
            actor=member_a,
            indicator="wages",
            baseline=Decimal(1),
            target=Decimal(2),
            by=today,
        )


def test_a_visit_records_values_evidence_and_place(village, member_a, today):
    visit = monitoring.record_visit(
        village,
        actor=member_a,
        visited_on=today,
        values={"school_enrolment": Decimal("81.5"), "children_at_sites": Decimal(3)},
        evidence="school register",
        latitude=Decimal("24.47"),
        longitude=Decimal("85.60"),
    )
    assert (visit.indicator_set, visit.set_version) == (SET, 1)
    assert {v.indicator: v.value for v in visit.values.all()} == {
        "school_enrolment": Decimal("81.5"),
        "children_at_sites": Decimal(3),
    }
    assert visit.latitude == Decimal("24.47")


@pytest.mark.parametrize(
    ("values", "message"),
    [
        ({"school_enrolment": Decimal(120)}, "school_enrolment: 120 is out of range"),
        ({"wages": Decimal(1)}, "wages is not an indicator"),
        ({"school_enrolment": None}, "at least one indicator"),
    ],
)
def test_a_visit_with_bad_values_is_refused_whole(village, member_a, today, values, message):
    with pytest.raises(ProgrammeError, match=message):
        monitoring.record_visit(village, actor=member_a, visited_on=today, values=values)
    assert not MonitoringVisit.objects.exists()


def test_a_new_set_version_leaves_recorded_visits_as_they_were(village, member_a, today):
    old = monitoring.record_visit(
        village, actor=member_a, visited_on=today, values={"school_enrolment": Decimal(70)}
    )
    v1 = catalogue.get(SET, 1)
    assert v1 is not None
    reworded = replace(v1.indicators[0], titles={"en": "Reworded", "fr": "Reformulé", "hi": "नया"})
    v2 = replace(v1, version=2, indicators=(reworded, *v1.indicators[1:]))
    catalogue.shipped()[SET, 2] = v2
    try:
        new = monitoring.record_visit(
            village, actor=member_a, visited_on=today, values={"school_enrolment": Decimal(75)}
        )
        old.refresh_from_db()
        assert old.set_version == 1
        old_set, new_set = queries.indicator_set_of(old), queries.indicator_set_of(new)
        assert old_set is not None
        assert new_set is not None
        assert old_set.indicators[0].titles["en"] != "Reworded"
        assert new.set_version == 2
        assert new_set.indicators[0].titles["en"] == "Reworded"
    finally:
        del catalogue.shipped()[SET, 2]


def test_trends_per_village_and_programme(village, programme, member_a, today):
    other = setup.add_village(
        programme, actor=member_a, name="Tisri", country=Country.objects.get(code="IN")
    )
    for days, value in ((60, 60), (30, 70), (0, 80)):
        monitoring.record_visit(
            village,
            actor=member_a,
            visited_on=today - timedelta(days=days),
            values={"school_enrolment": Decimal(value)},
        )
    monitoring.record_visit(
        other, actor=member_a, visited_on=today, values={"school_enrolment": Decimal(100)}
    )
    (one,) = queries.trends(programme, village=village, language="en")
    assert [p.value for p in one.points] == [60, 70, 80]
    assert one.points[0].x < one.points[-1].x
    assert one.points[0].y > one.points[-1].y  # higher values draw higher
    (whole,) = queries.trends(programme, language="hi")
    assert whole.points[-1].value == 90  # the two villages' mean on the last day
    assert whole.title == "स्कूल में नामांकित 6–14 वर्ष के बच्चे"  # noqa: RUF001
