"""Every API endpoint against another organisation's member: A's objects answer 404 to B.

``CROSS_ORG`` names, for each route, how B tries to reach A's object. A new route must be added
here (or to ``PUBLIC`` with a reason): ``test_every_route_is_covered`` fails otherwise.
"""

from __future__ import annotations

import json

import pytest

from oretrace.core import services
from oretrace.core.api import router as core_router
from oretrace.core.tests.factories import JobFactory

pytestmark = pytest.mark.django_db

# Reference catalogues are public by design: they hold no organisation's data.
PUBLIC = {
    "GET /countries",
    "GET /countries/{code}",
    "GET /countries/{code}/subdivisions",
    "GET /minerals",
    "GET /minerals/{code}",
}

# route -> (method, url template filled from A's objects, body or None)
CROSS_ORG = {
    "GET /organisations/{org_id}": ("get", "/api/v1/organisations/{org}", None),
    "PATCH /organisations/{org_id}": (
        "patch",
        "/api/v1/organisations/{org}",
        {"website": "https://x.example"},
    ),
    "GET /memberships/{membership_id}": ("get", "/api/v1/memberships/{membership}", None),
    "PATCH /memberships/{membership_id}": (
        "patch",
        "/api/v1/memberships/{membership}",
        {"roles": ["viewer"]},
    ),
    "GET /jobs/{job_id}": ("get", "/api/v1/jobs/{job}", None),
    "POST /jobs/{job_id}/cancel": ("post", "/api/v1/jobs/{job}/cancel", None),
    "GET /changes/{app_label}/{model_name}/{object_id}": (
        "get",
        "/api/v1/changes/core/organisation/{org}",
        None,
    ),
    "DELETE /tokens/{token_id}": ("delete", "/api/v1/tokens/{token}", None),
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


def _routes() -> set[str]:
    """The core app's routes (each other app checks its own routes the same way)."""
    return {
        f"{method} {path}"
        for path, view in core_router.path_operations.items()
        for op in view.operations
        for method in op.methods
    }


def test_every_route_is_covered():
    assert _routes() == PUBLIC | set(CROSS_ORG) | OWN_SCOPE


@pytest.fixture
def objects_of_a(member_a):
    token, _secret = services.issue_token(member_a, name="a's script", actor=member_a)
    return {
        "org": member_a.organisation_id,
        "membership": member_a.pk,
        "job": JobFactory(organisation=member_a.organisation, created_by=member_a.user).pk,
        "token": token.pk,
    }


@pytest.mark.parametrize("route", sorted(CROSS_ORG))
def test_other_organisation_gets_404(route, api_a, api_b, objects_of_a):
    method, template, body = CROSS_ORG[route]
    url = template.format(**objects_of_a)
    kwargs = {"data": json.dumps(body), "content_type": "application/json"} if body else {}
    # B cannot reach it …
    response = getattr(api_b, method)(url, **kwargs)
    assert response.status_code == 404, (route, response.content)
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 404
    # … while A can (so the 404 is about tenancy, not a broken URL).
    if method == "get":
        assert api_a.get(url).status_code == 200


@pytest.mark.parametrize("model", ["membership", "job", "apitoken"])
def test_change_log_of_other_organisations_objects_is_404(model, api_b, objects_of_a):
    key = {"membership": "membership", "job": "job", "apitoken": "token"}[model]
    response = api_b.get(f"/api/v1/changes/core/{model}/{objects_of_a[key]}")
    assert response.status_code == 404


def test_lists_show_only_own_organisation(api_b, member_b, objects_of_a):
    JobFactory(organisation=member_b.organisation)
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
