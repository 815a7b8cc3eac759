"""Every API endpoint against another organisation's member: A's objects answer 404 to B.

``CROSS_ORG`` names, for each route, how B tries to reach A's object. A new route must be added
here (or to ``PUBLIC`` with a reason): ``test_every_route_is_covered`` fails otherwise.
"""

from __future__ import annotations

import pytest

from oretrace.core import services
from oretrace.core.api import router as core_router
from oretrace.core.tests.factories import JobFactory
from oretrace.core.tests.harness import Reach, Tenancy, tenancy_tests

pytestmark = pytest.mark.django_db

# Reference catalogues are public by design: they hold no organisation's data.
PUBLIC = {
    "GET /countries",
    "GET /countries/{code}",
    "GET /countries/{code}/subdivisions",
    "GET /minerals",
    "GET /minerals/{code}",
}

# route -> how B reaches A's object (the URL filled from objects_of_a, the body of a write)
CROSS_ORG = {
    "GET /organisations/{org_id}": Reach("/api/v1/organisations/{org}"),
    "PATCH /organisations/{org_id}": Reach(
        "/api/v1/organisations/{org}", {"website": "https://x.example"}
    ),
    "GET /memberships/{membership_id}": Reach("/api/v1/memberships/{membership}"),
    "PATCH /memberships/{membership_id}": Reach(
        "/api/v1/memberships/{membership}", {"roles": ["viewer"]}
    ),
    "GET /jobs/{job_id}": Reach("/api/v1/jobs/{job}"),
    "POST /jobs/{job_id}/cancel": Reach("/api/v1/jobs/{job}/cancel"),
    "GET /changes/{app_label}/{model_name}/{object_id}": Reach(
        "/api/v1/changes/core/organisation/{org}"
    ),
    "DELETE /tokens/{token_id}": Reach("/api/v1/tokens/{token}"),
}

# Lists and creations act within the caller's own organisation: checked by content below.
OWN_SCOPE = {
    "GET /me",
    "GET /organisations",
    "GET /memberships",
    "POST /memberships",
    "GET /jobs",
    "POST /jobs",
    "GET /tokens",
    "POST /tokens",
}


@pytest.fixture
def objects_of_a(member_a):
    token, _secret = services.issue_token(member_a, name="a's script", actor=member_a)
    return {
        "org": member_a.organisation_id,
        "membership": member_a.pk,
        "job": JobFactory.create(organisation=member_a.organisation, created_by=member_a.user).pk,
        "token": token.pk,
    }


TENANCY = Tenancy(core_router, cross_org=CROSS_ORG, own_scope=OWN_SCOPE, public=PUBLIC)
test_every_route_is_covered, test_other_organisation_gets_404 = tenancy_tests(TENANCY)


@pytest.mark.parametrize("model", ["membership", "job", "apitoken"])
def test_change_log_of_other_organisations_objects_is_404(model, api_b, objects_of_a):
    key = {"membership": "membership", "job": "job", "apitoken": "token"}[model]
    response = api_b.get(f"/api/v1/changes/core/{model}/{objects_of_a[key]}")
    assert response.status_code == 404


def test_lists_show_only_own_organisation(api_b, member_b, objects_of_a):
    JobFactory.create(organisation=member_b.organisation)
    orgs = api_b.get("/api/v1/organisations").json()["items"]
    assert [o["id"] for o in orgs] == [member_b.organisation_id]
    members = api_b.get("/api/v1/memberships").json()["items"]
    assert {m["organisation_id"] for m in members} == {member_b.organisation_id}
    jobs = api_b.get("/api/v1/jobs").json()["items"]
    assert jobs
    assert {j["organisation_id"] for j in jobs} == {member_b.organisation_id}
    tokens = api_b.get("/api/v1/tokens").json()["items"]
    assert objects_of_a["token"] not in {t["id"] for t in tokens}
    assert api_b.get("/api/v1/me").json()["current"]["organisation_id"] == member_b.organisation_id


def test_granted_job_becomes_visible_to_the_grantee(api_b, member_a, member_b, objects_of_a):
    from oretrace.core.models import Job

    job = Job.objects.get(pk=objects_of_a["job"])
    services.grant_access(job, to=member_b.organisation, actor=member_a)
    assert api_b.get(f"/api/v1/jobs/{job.pk}").status_code == 200
