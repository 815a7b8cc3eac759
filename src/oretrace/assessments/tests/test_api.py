"""API: every route, and another organisation's member gets 404 on every object route."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone

from oretrace.assessments.api import router
from oretrace.assessments.shipped import shipped_text
from oretrace.assessments.tests.test_services import ALL_GOOD, answer_all
from oretrace.core import services as core_services
from oretrace.core.tests.fixtures import api_client
from oretrace.core.tests.harness import Reach, Tenancy, tenancy_tests

pytestmark = pytest.mark.django_db

OWN_SCOPE = {
    "GET /standards",
    "POST /standards",
    "GET /assessments",
    "POST /assessments",
    "GET /training-modules",
    "POST /training-modules",
}

CROSS_ORG = {
    "GET /standards/{standard_id}": Reach("/api/v1/standards/{own_standard}"),
    "GET /standards/{standard_id}/yaml": Reach("/api/v1/standards/{own_standard}/yaml"),
    "GET /assessments/{assessment_id}": Reach("/api/v1/assessments/{assessment}"),
    "GET /assessments/{assessment_id}/answers": Reach("/api/v1/assessments/{assessment}/answers"),
    "PUT /assessments/{assessment_id}/answers/{question_code}": Reach(
        "/api/v1/assessments/{assessment}/answers/LAB.2.a", {"value": "40"}
    ),
    "POST /assessments/{assessment_id}/submit": Reach("/api/v1/assessments/{assessment}/submit"),
    "POST /assessments/{assessment_id}/send-back": Reach(
        "/api/v1/assessments/{assessment}/send-back", {"note": "why"}
    ),
    "POST /assessments/{assessment_id}/accept": Reach("/api/v1/assessments/{assessment}/accept"),
    "GET /assessments/{assessment_id}/gaps": Reach("/api/v1/assessments/{assessment}/gaps"),
    "POST /assessments/{assessment_id}/plan": Reach("/api/v1/assessments/{assessment}/plan"),
    "GET /assessments/{assessment_id}/actions": Reach("/api/v1/assessments/{assessment}/actions"),
}


@pytest.fixture
def api_supplier(supplier):
    return api_client(supplier)


@pytest.fixture
def objects_of_a(assessment, member_a):
    own = api_client(member_a).post(
        "/api/v1/standards",
        data=json.dumps({"yaml": shipped_text("smelter-refiner-esg.yaml")}),
        content_type="application/json",
    )
    assert own.status_code == 201, own.content
    return {"assessment": assessment.pk, "own_standard": own.json()["id"]}


TENANCY = Tenancy(router, cross_org=CROSS_ORG, own_scope=OWN_SCOPE)
test_every_route_is_covered, test_other_organisation_gets_404 = tenancy_tests(TENANCY)


def test_lists_show_only_own_and_shipped(api_b, objects_of_a, mica_standard):
    standards = api_b.get("/api/v1/standards").json()["items"]
    assert {s["id"] for s in standards} == {mica_standard.pk}
    assert api_b.get("/api/v1/assessments").json()["items"] == []


def test_the_whole_loop_through_the_api(
    api_a, api_supplier, supplier, assessment, unit, mica_standard
):
    # the supplier sees the assessment and answers; a bad value is a problem naming the question
    listed = api_supplier.get("/api/v1/assessments").json()["items"]
    assert [a["id"] for a in listed] == [assessment.pk]
    bad = api_supplier.put(
        f"/api/v1/assessments/{assessment.pk}/answers/LAB.2.a",
        data=json.dumps({"value": "lots"}),
        content_type="application/json",
    )
    assert bad.status_code == 400
    assert "LAB.2.a" in bad.json()["detail"]
    answer_all(assessment, supplier, {**ALL_GOOD, "LAB.6.b": "no"})
    put = api_supplier.put(
        f"/api/v1/assessments/{assessment.pk}/answers/LAB.2.a",
        data=json.dumps({"value": "44", "note": "two shifts"}),
        content_type="application/json",
    )
    assert put.status_code == 200
    assert put.json()["value"] == "44"
    # the assigner cannot answer for the supplier
    denied = api_a.put(
        f"/api/v1/assessments/{assessment.pk}/answers/LAB.2.a",
        data=json.dumps({"value": "40"}),
        content_type="application/json",
    )
    assert denied.status_code == 403
    submitted = api_supplier.post(f"/api/v1/assessments/{assessment.pk}/submit")
    assert submitted.status_code == 200
    assert submitted.json()["status"] == "submitted"
    gaps = api_a.get(f"/api/v1/assessments/{assessment.pk}/gaps").json()
    assert gaps == [{"criterion": "LAB.6", "severity": "high", "outcome": "partly", "training": []}]
    plan = api_supplier.post(f"/api/v1/assessments/{assessment.pk}/plan").json()
    assert [a["criterion"] for a in plan] == ["LAB.6"]
    assert api_a.post(f"/api/v1/assessments/{assessment.pk}/accept").json()["status"] == (
        "accepted"
    )
    exported = api_a.get(f"/api/v1/standards/{mica_standard.pk}/yaml")
    assert exported["Content-Type"].startswith("application/yaml")
    assert b"code: mica-processing-workplace" in exported.content


def test_assign_through_the_api(api_a, mica_standard, unit, member_a):
    core_services.grant_access(unit, to=member_a.organisation, actor=_owner_admin(unit))
    due = (timezone.localdate() + timedelta(days=20)).isoformat()
    response = api_a.post(
        "/api/v1/assessments",
        data=json.dumps({"standard_id": mica_standard.pk, "facility_id": unit.pk, "due_on": due}),
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["supplier_id"] == unit.operator_id
    bad_yaml = api_a.post(
        "/api/v1/standards", data=json.dumps({"yaml": "code: [x"}), content_type="application/json"
    )
    assert bad_yaml.status_code == 400
    assert "line" in bad_yaml.json()["detail"]


def _owner_admin(facility):
    from oretrace.core.models import Membership

    members = Membership.objects.filter(organisation=facility.organisation)
    return next(m for m in members if "admin" in m.roles)


def test_training_library_through_the_api(api_a, api_b, mica_standard):
    body = {
        "title": "Age checks",
        "language": "hi",
        "format": "video",
        "url": "https://training.example.org/ages",
        "standard_code": mica_standard.code,
        "criterion_codes": ["LAB.1"],
    }
    created = api_a.post(
        "/api/v1/training-modules", data=json.dumps(body), content_type="application/json"
    )
    assert created.status_code == 201, created.content
    assert [m["title"] for m in api_a.get("/api/v1/training-modules").json()["items"]] == [
        "Age checks"
    ]
    assert api_b.get("/api/v1/training-modules").json()["items"] == []
    wrong = api_a.post(
        "/api/v1/training-modules",
        data=json.dumps({**body, "criterion_codes": ["LAB.99"]}),
        content_type="application/json",
    )
    assert wrong.status_code == 400
    assert "LAB.99" in wrong.json()["detail"]
