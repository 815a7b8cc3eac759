"""Fixtures of the programme app's tests: keys of each test's own, a programme with a village,
case workers."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from oretrace.core.choices import Role
from oretrace.core.tests.factories import MembershipFactory
from oretrace.core.tests.fixtures import own_sealing_keys


@pytest.fixture(autouse=True)
def programme_keys(settings, tmp_path):
    return own_sealing_keys(settings, "ORETRACE_PROGRAMME_KEY_DIR", tmp_path / "programme-keys")


@pytest.fixture
def member_a(org_a):
    """An administrator of A who is also its case worker (the role is held in person)."""
    return MembershipFactory.create(organisation=org_a, roles=[Role.ADMIN, Role.CASE_WORKER])


@pytest.fixture
def member_b(org_b):
    """A case worker and administrator of B: must never see A's programmes or cases."""
    return MembershipFactory.create(organisation=org_b, roles=[Role.ADMIN, Role.CASE_WORKER])


@pytest.fixture
def officer_a(org_a):
    return MembershipFactory.create(organisation=org_a, roles=[Role.COMPLIANCE_OFFICER])


@pytest.fixture
def today() -> date:
    return timezone.localdate()


@pytest.fixture
def programme(member_a, today):
    from oretrace.programmes.services import setup

    return setup.create_programme(
        actor=member_a,
        name="Alpha villages",
        starts_on=today - timedelta(days=400),
        indicator_set="child-labour-free-village",
        areas=["education", "area_based"],
        donors="Beta Foundation",
    )


@pytest.fixture
def village(programme, member_a):
    from oretrace.core.models import Country
    from oretrace.programmes.services import setup

    return setup.add_village(
        programme,
        actor=member_a,
        name="Dhorkola",
        district="Koderma",
        state="Jharkhand",
        country=Country.objects.get(code="IN"),
    )


@pytest.fixture
def child(village, member_a, today):
    from oretrace.programmes.services import cases

    return cases.identify(
        village,
        actor=member_a,
        identity={"name": "Sunita Kumari", "birth_date": "2013-04-02", "location": "Ward 7"},
        age_band="12-14",
        source="monitoring",
        identified_on=today - timedelta(days=200),
        consent_by="mother",
        consent_on=today - timedelta(days=200),
    )


def visit_seeing(village, member, children: int, *, enrolment: int) -> None:
    """A monitoring visit to ``village`` ten days into its programme that saw ``children``
    children at work at the sites (a count kept back below 5) and ``enrolment`` % of the
    village's children in school (a percentage: shown as it is)."""
    from decimal import Decimal

    from oretrace.programmes.services import monitoring

    monitoring.record_visit(
        village,
        actor=member,
        visited_on=village.programme.starts_on + timedelta(days=10),
        values={"children_at_sites": Decimal(children), "school_enrolment": Decimal(enrolment)},
    )


@pytest.fixture
def donor_b(programme, member_a, org_b):
    """Organisation B as the programme's donor: A shares the programme with it (a grant, as
    the sharing page makes one). Its members read the programme's figures, never a child."""
    from oretrace.core import services as core_services

    core_services.grant_access(programme, to=org_b, actor=member_a)
    return org_b


@pytest.fixture
def objects_of_a(child, village, programme):
    return {"case": child.pk, "village": village.pk, "programme": programme.pk}
