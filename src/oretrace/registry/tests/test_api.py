"""Registry API: every route against another organisation's member, and what each route does."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from oretrace.core.choices import Role
from oretrace.core.tests.factories import MembershipFactory
from oretrace.core.tests.fixtures import api_client
from oretrace.core.tests.harness import Reach, Tenancy, tenancy_tests
from oretrace.registry import services
from oretrace.registry.api import router
from oretrace.registry.tests.factories import MatchReviewFactory

pytestmark = pytest.mark.django_db

# Routes over shared reference data or acting within the caller's own organisation; what they
# return is checked against another organisation's objects in the tests below.
OWN_SCOPE = {
    "GET /facilities",
    "POST /facilities",
    "POST /facilities/match",
    "GET /match-reviews",
    "GET /reference-imports",
    "POST /reference-imports",
    "GET /facilities/by-identifier/{scheme}/{value}",
}
CROSS_ORG = {
    "GET /facilities/{int:facility_id}": Reach("/api/v1/facilities/{facility}"),
    "PATCH /facilities/{int:facility_id}": Reach("/api/v1/facilities/{facility}", {"city": "X"}),
    "POST /facilities/{int:facility_id}/names": Reach(
        "/api/v1/facilities/{facility}/names", {"name": "alias"}
    ),
    "POST /facilities/{int:facility_id}/identifiers": Reach(
        "/api/v1/facilities/{facility}/identifiers", {"scheme": "rmi_cid", "value": "CID777777"}
    ),
    "POST /facilities/{int:facility_id}/statuses": Reach(
        "/api/v1/facilities/{facility}/statuses",
        {"scheme": "initiative", "status": "Member", "effective_on": "2024-01-01", "source": "x"},
    ),
    "POST /facilities/{int:facility_id}/merge": Reach(
        "/api/v1/facilities/{facility}/merge", {"duplicate_id": 0}
    ),
    "POST /facilities/{int:facility_id}/split": Reach(
        "/api/v1/facilities/{facility}/split", {"name": "new"}
    ),
    "GET /match-reviews/{int:review_id}": Reach("/api/v1/match-reviews/{review}"),
    "POST /match-reviews/{int:review_id}/confirm": Reach(
        "/api/v1/match-reviews/{review}/confirm", {"facility_id": 0}
    ),
    "POST /match-reviews/{int:review_id}/reject": Reach("/api/v1/match-reviews/{review}/reject"),
    "POST /match-reviews/{int:review_id}/create": Reach(
        "/api/v1/match-reviews/{review}/create", {"kind": "smelter", "country": "CN"}
    ),
}


@pytest.fixture
def objects_of_a(member_a):
    facility = services.create_facility(
        actor=member_a, kind="collection_point", name="A's depot", country="IN", minerals=["mica"]
    )
    services.add_identifier(facility, scheme="rmi_cid", value="CID123456", actor=member_a)
    review = MatchReviewFactory.create(organisation=member_a.organisation)
    return {"facility": facility.pk, "review": review.pk}


TENANCY = Tenancy(router, cross_org=CROSS_ORG, own_scope=OWN_SCOPE)
test_every_route_is_covered, test_other_organisation_gets_404 = tenancy_tests(TENANCY)


def test_search_and_identifier_lookup_hide_other_organisations(api_a, api_b, objects_of_a):
    assert api_a.get("/api/v1/facilities?q=depot").json()["count"] == 1
    assert api_b.get("/api/v1/facilities?q=depot").json()["count"] == 0
    assert api_a.get("/api/v1/facilities/by-identifier/rmi_cid/CID123456").status_code == 200
    assert api_b.get("/api/v1/facilities/by-identifier/rmi_cid/CID123456").status_code == 404
    assert api_b.get("/api/v1/match-reviews").json()["count"] == 0


def test_matching_does_not_reveal_other_organisations_facilities(api_a, api_b, objects_of_a):
    body = {"names": [{"name": "A's depot", "metal": "mica", "country": "IN"}]}
    ours = api_a.post(
        "/api/v1/facilities/match", data=json.dumps(body), content_type="application/json"
    ).json()
    theirs = api_b.post(
        "/api/v1/facilities/match", data=json.dumps(body), content_type="application/json"
    ).json()
    assert ours[0]["outcome"] == "auto"
    assert ours[0]["candidates"][0]["facility_id"] == objects_of_a["facility"]
    assert theirs[0]["candidates"] == []


def test_create_and_read_a_facility(api_a):
    created = api_a.post(
        "/api/v1/facilities",
        data=json.dumps(
            {
                "kind": "asm_site",
                "name": "Site artisanal de Kanina",
                "country": "CD",
                "subdivision": "CD-LU",
                "latitude": "-10.7163",
                "longitude": "25.4711",
                "coordinate_precision": "locality",
                "minerals": ["cobalt"],
            }
        ),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    detail = api_a.get(f"/api/v1/facilities/{created.json()['id']}").json()
    assert detail["subdivision"] == "CD-LU"
    assert detail["minerals"] == ["cobalt"]
    assert [n["kind"] for n in detail["names"]] == ["primary"]


def test_bad_facility_is_a_problem_naming_the_field(api_a):
    response = api_a.post(
        "/api/v1/facilities",
        data=json.dumps(
            {
                "kind": "mine",
                "name": "X",
                "country": "IN",
                "latitude": "100",
                "longitude": "1",
                "coordinate_precision": "site",
            }
        ),
        content_type="application/json",
    )
    assert response.status_code == 400
    assert "latitude" in response.json()["detail"]


def test_upload_needs_an_administrator_or_a_curator(org_a):
    # given a compliance officer (no administrator, no staff)
    officer = MembershipFactory.create(organisation=org_a, roles=[Role.COMPLIANCE_OFFICER])
    client = api_client(officer)
    upload = SimpleUploadedFile("list.csv", b"METAL,SMELTER REFERENCE\n")
    # when / then
    response = client.post("/api/v1/reference-imports", {"file": upload})
    assert response.status_code == 403
    assert "the role administrator" in response.json()["detail"]


def test_an_administrator_may_upload_a_list_for_the_organisation(api_a):
    upload = SimpleUploadedFile("list.csv", b"METAL,SMELTER REFERENCE\n")
    response = api_a.post("/api/v1/reference-imports", {"file": upload})
    assert response.status_code == 202
