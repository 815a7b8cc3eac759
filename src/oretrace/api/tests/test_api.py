"""The API: authentication, problem documents, pagination, OpenAPI, and each endpoint's job."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from openapi_spec_validator import validate

from oretrace.core import services
from oretrace.core.choices import JobStatus, Role
from oretrace.core.models import ChangeLogEntry, Membership
from oretrace.core.tests.factories import JobFactory, MembershipFactory
from oretrace.core.tests.fixtures import api_client

pytestmark = pytest.mark.django_db


def _json(client, method, url, body):
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_openapi_document_is_valid():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert "/api/v1/jobs" in document["paths"]
    assert document["info"]["title"] == "oretrace API"


def test_docs_page_loads_its_assets_locally():
    html = Client().get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()


def test_anonymous_request_gets_problem_document():
    response = Client().get("/api/v1/jobs")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["title"] == "Not authenticated"
    assert body["instance"] == "/api/v1/jobs"
    assert "Bearer" in body["detail"]
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_revoked_token_gets_a_clear_message(member_a):
    token, secret = services.issue_token(member_a, name="nightly export", actor=member_a)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.get("/api/v1/me").status_code == 200
    services.revoke_token(token, actor=member_a)
    response = client.get("/api/v1/me")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert "'nightly export' was revoked" in response.json()["detail"]


def test_session_auth_acts_as_current_membership(web_a, member_a):
    response = web_a.get("/api/v1/me")
    assert response.status_code == 200
    assert response.json()["current"]["id"] == member_a.pk


def test_validation_errors_name_the_field(api_a):
    response = api_a.get("/api/v1/jobs?limit=0")
    assert response.status_code == 422
    body = response.json()
    assert body["type"].endswith("/validation")
    assert any(e["location"] == "query.limit" for e in body["errors"])


def test_malformed_json_body_is_a_problem(api_a, member_a):
    response = api_a.patch(
        f"/api/v1/organisations/{member_a.organisation_id}",
        data="{not json",
        content_type="application/json",
    )
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"


def test_pagination_counts_and_slices(api_a, member_a):
    for _ in range(7):
        JobFactory.create(organisation=member_a.organisation)
    page = api_a.get("/api/v1/jobs?limit=3&offset=5").json()
    assert page["count"] == 7
    assert (page["limit"], page["offset"]) == (3, 5)
    assert len(page["items"]) == 2


def test_patch_organisation_logs_change_and_rejects_bad_lei(api_a, member_a):
    url = f"/api/v1/organisations/{member_a.organisation_id}"
    ok = _json(api_a, "patch", url, {"website": "https://alpha.example"})
    assert ok.status_code == 200
    assert ok.json()["website"] == "https://alpha.example"
    bad = _json(api_a, "patch", url, {"lei": "NOT-A-LEI"})
    assert bad.status_code == 400
    assert "lei" in bad.json()["detail"]
    changes = (
        Client(HTTP_AUTHORIZATION=api_a.defaults["HTTP_AUTHORIZATION"])
        .get(f"/api/v1/changes/core/organisation/{member_a.organisation_id}")
        .json()
    )
    assert changes["items"][0]["after"]["website"] == "https://alpha.example"
    assert changes["items"][0]["object_type"] == "core.organisation"


def test_viewer_cannot_patch_organisation(viewer_a):
    client = api_client(viewer_a)
    response = _json(
        client,
        "patch",
        f"/api/v1/organisations/{viewer_a.organisation_id}",
        {"website": "https://x.example"},
    )
    assert response.status_code == 403
    assert response.json()["type"].endswith("/forbidden")


def test_admin_adds_member_by_email(
    api_a, member_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = _json(
            api_a,
            "post",
            "/api/v1/memberships",
            {"email": "New.Person@Example.org", "roles": ["auditor"]},
        )
    assert response.status_code == 201, response.content
    assert response.json()["user_email"] == "new.person@example.org"
    assert Membership.objects.get(pk=response.json()["id"]).organisation == member_a.organisation
    # the new person is invited by e-mail with a link to choose a password, which works
    (invitation,) = mailoutbox
    assert invitation.to == ["new.person@example.org"]
    assert str(member_a.organisation) in invitation.subject
    link = next(w for w in invitation.body.split() if "/password-reset/" in w)
    path = link.split("127.0.0.1:8000", 1)[1]
    client = Client()
    form = client.get(path, follow=True)
    client.post(
        form.redirect_chain[-1][0],
        {"new_password1": "koderma-2026-pass", "new_password2": "koderma-2026-pass"},
    )
    assert Client().login(username="new.person@example.org", password="koderma-2026-pass")
    again = _json(
        api_a,
        "post",
        "/api/v1/memberships",
        {"email": "new.person@example.org", "roles": ["auditor"]},
    )
    assert again.status_code == 400
    assert "already a member" in again.json()["detail"]


def test_patch_membership_changes_roles(api_a, member_a):
    other = MembershipFactory.create(organisation=member_a.organisation, roles=[Role.VIEWER])
    response = _json(api_a, "patch", f"/api/v1/memberships/{other.pk}", {"roles": ["auditor"]})
    assert response.json()["roles"] == ["auditor"]
    assert ChangeLogEntry.objects.for_object(other).exists()


def test_start_and_follow_a_job(api_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = _json(api_a, "post", "/api/v1/jobs", {"kind": "reference.reload"})
    assert response.status_code == 202
    job = api_a.get(f"/api/v1/jobs/{response.json()['id']}").json()
    assert job["status"] == JobStatus.SUCCEEDED
    assert job["result"]["minerals"] == 22
    assert job["attempts"] == 1


def test_unknown_job_kind_is_rejected(api_a):
    response = _json(api_a, "post", "/api/v1/jobs", {"kind": "mine.bitcoin"})
    assert response.status_code == 400
    assert "unknown job kind 'mine.bitcoin'" in response.json()["detail"]


def test_cancel_a_finished_job_is_a_conflict(api_a, member_a):
    job = JobFactory.create(organisation=member_a.organisation, status=JobStatus.SUCCEEDED)
    response = api_a.post(f"/api/v1/jobs/{job.pk}/cancel")
    assert response.status_code == 409


def test_token_lifecycle_through_api(api_a):
    created = _json(api_a, "post", "/api/v1/tokens", {"name": "CI upload"})
    assert created.status_code == 201
    secret = created.json()["token"]
    token_id = created.json()["details"]["id"]
    listed = api_a.get("/api/v1/tokens").json()["items"]
    assert all("token" not in t for t in listed)
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/me").status_code == 200
    assert api_a.delete(f"/api/v1/tokens/{token_id}").json()["revoked_at"]
    assert Client(HTTP_AUTHORIZATION=f"Bearer {secret}").get("/api/v1/me").status_code == 401


def test_reference_endpoints(api_a):
    assert api_a.get("/api/v1/countries/in").json()["alpha3"] == "IND"
    subs = api_a.get("/api/v1/countries/IN/subdivisions?limit=500").json()
    assert "IN-JH" in {s["code"] for s in subs["items"]}
    assert api_a.get("/api/v1/countries/ZZ").status_code == 404
    cmrt = api_a.get("/api/v1/minerals?template_family=cmrt").json()
    assert {m["code"] for m in cmrt["items"]} == {"tin", "tantalum", "tungsten", "gold"}
    assert api_a.get("/api/v1/minerals/mica").json()["template_family"] == "EMRT"
    assert api_a.get("/api/v1/countries?q=india").json()["count"] >= 1


def test_change_log_of_unknown_type_is_404(api_a):
    assert api_a.get("/api/v1/changes/nope/thing/1").status_code == 404
    assert api_a.get("/api/v1/changes/contenttypes/contenttype/1").status_code == 404


def test_pagination_total_is_right_for_distinct_querysets():
    from oretrace.core.models import Organisation
    from oretrace.core.pagination import Pagination
    from oretrace.core.tests.factories import MembershipFactory, OrganisationFactory

    org = OrganisationFactory.create()
    for _ in range(3):
        MembershipFactory.create(organisation=org)
    joined = Organisation.objects.filter(memberships__is_active=True).distinct()
    page = Pagination().paginate_queryset(joined, Pagination.Input(limit=10, offset=0))
    assert page["count"] == len(page["items"]) == 1
