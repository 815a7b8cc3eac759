"""The programmes API: programmes, villages, visits and indicators for the programme's
organisation and those it shared it with; the programmes on a lot's trace for the lot's holder;
small cells kept back; never a child's case or identity."""

from __future__ import annotations

import pytest

from oretrace.core.actors import SYSTEM
from oretrace.core.services import grant_access
from oretrace.core.tests.factories import MembershipFactory, OrganisationFactory
from oretrace.core.tests.fixtures import api_client
from oretrace.core.tests.harness import Reach, Tenancy, tenancy_tests
from oretrace.programmes.api import router
from oretrace.programmes.services import setup
from oretrace.programmes.tests.conftest import visit_seeing
from oretrace.registry.choices import FacilityKind
from oretrace.registry.models import Facility
from oretrace.registry.tests.factories import FacilityFactory
from oretrace.traceability.tests.factories import CustodyEdgeFactory, LotFactory

pytestmark = pytest.mark.django_db

TENANCY = Tenancy(
    router,
    cross_org={
        "GET /programmes/{int:programme_id}": Reach("/api/v1/programmes/{programme}"),
        "GET /programmes/{int:programme_id}/villages": Reach(
            "/api/v1/programmes/{programme}/villages"
        ),
        "GET /programmes/{int:programme_id}/visits": Reach("/api/v1/programmes/{programme}/visits"),
        "GET /programmes/{int:programme_id}/indicators": Reach(
            "/api/v1/programmes/{programme}/indicators"
        ),
        "GET /custody/lots/{int:lot_id}/programmes": Reach("/api/v1/custody/lots/{lot}/programmes"),
    },
    own_scope={"GET /programmes"},  # the organisation's own programmes and those shared with it
)
test_every_route_is_covered, test_other_organisation_gets_404 = tenancy_tests(TENANCY)

SECRETS = ("Sunita", "2013-04-02", "Ward 7")


@pytest.fixture
def objects_of_a(child, village, programme, org_a):
    return {
        "case": child.pk,
        "village": village.pk,
        "programme": programme.pk,
        "lot": LotFactory.create(organisation=org_a).pk,
    }


@pytest.mark.parametrize(("children", "value", "text"), [(4, None, "<5"), (5, "5", "5")])
def test_the_indicators_keep_small_cells_back(
    api_a, programme, village, member_a, child, children, value, text
):
    visit_seeing(village, member_a, children, enrolment=71)
    body = api_a.get(f"/api/v1/programmes/{programme.pk}/indicators").json()
    assert body["figures"]["identified"] == {"value": None, "text": "<5"}
    assert body["figures"]["remediation_share"] == {"value": None, "text": "<5"}
    counted = {v["indicator"]: v["value"] for v in body["villages"][0]["values"]}
    assert counted["Children seen working at mines or picking sites"] == {
        "value": value,
        "text": text,
    }
    assert counted["Children aged 6–14 enrolled in school"]["text"] == "71"  # noqa: RUF001


def test_programmes_villages_and_visits_name_no_child(api_a, programme, village, member_a, child):
    visit_seeing(village, member_a, 3, enrolment=71)
    bodies = [
        api_a.get("/api/v1/programmes"),
        api_a.get(f"/api/v1/programmes/{programme.pk}"),
        api_a.get(f"/api/v1/programmes/{programme.pk}/villages"),
        api_a.get(f"/api/v1/programmes/{programme.pk}/visits"),
        api_a.get(f"/api/v1/programmes/{programme.pk}/indicators"),
    ]
    assert [b.status_code for b in bodies] == [200] * 5
    assert bodies[0].json()["items"][0]["donors"] == ["Beta Foundation"]
    assert bodies[2].json()["items"][0]["name"] == "Dhorkola"
    assert bodies[3].json()["items"][0]["values"]["children_at_sites"] == "3.00"
    for body in bodies:
        text = body.content.decode()
        for secret in (*SECRETS, child.reference):
            assert secret not in text


def test_a_donor_reads_the_programme_through_its_grant(programme, donor_b, child):
    donor = api_client(MembershipFactory.create(organisation=donor_b, roles=["viewer"]))
    listed = donor.get("/api/v1/programmes").json()["items"]
    assert [p["id"] for p in listed] == [programme.pk]
    response = donor.get(f"/api/v1/programmes/{programme.pk}/indicators")
    assert response.status_code == 200
    assert "Sunita" not in response.content.decode()


@pytest.mark.parametrize("role", ["viewer", "compliance_officer", "auditor", "case_worker"])
def test_every_role_elsewhere_gets_404_and_an_empty_list(programme, child, role):
    outsider = api_client(MembershipFactory.create(roles=[role]))
    assert outsider.get("/api/v1/programmes").json()["count"] == 0
    for path in ("", "/villages", "/visits", "/indicators"):
        assert outsider.get(f"/api/v1/programmes/{programme.pk}{path}").status_code == 404


def test_a_lots_trace_shows_the_programmes_around_its_origins(programme, village, member_a):
    # given a collector's depot shared with A and linked to A's village, and a buyer's lots
    collector = OrganisationFactory.create()
    depot = FacilityFactory.create(organisation=collector, kind=FacilityKind.COLLECTION_POINT)
    grant_access(Facility, owner=collector, to=village.organisation, actor=SYSTEM)
    setup.link_facility(village, depot, actor=member_a)
    buyer = MembershipFactory.create(roles=["viewer"])
    origin = LotFactory.create(organisation=buyer.organisation, facility=depot)
    product = CustodyEdgeFactory.create(organisation=buyer.organisation, source=origin).target
    # when the buyer asks for the programmes on its product's trace
    answer = api_client(buyer).get(f"/api/v1/custody/lots/{product.pk}/programmes").json()
    assert answer["lot_id"] == product.pk
    body = answer["programmes"]
    # then it sees A's programme and the village, figures kept back, no case
    assert [p["programme"]["name"] for p in body] == ["Alpha villages"]
    assert [v["name"] for v in body[0]["villages"]] == ["Dhorkola"]
    assert body[0]["figures"]["identified"]["text"] == "<5"
    # and another buyer gets 404 on that lot
    other = api_client(MembershipFactory.create(roles=["viewer"]))
    assert other.get(f"/api/v1/custody/lots/{product.pk}/programmes").status_code == 404


def test_the_openapi_schema_documents_the_routes(api_a):
    schema = api_a.get("/api/v1/openapi.json").json()
    assert "/api/v1/programmes/{programme_id}/indicators" in schema["paths"]
    assert "/api/v1/custody/lots/{lot_id}/programmes" in schema["paths"]
    figures = schema["components"]["schemas"]["PublicFiguresOut"]
    assert "identified" in figures["properties"]
