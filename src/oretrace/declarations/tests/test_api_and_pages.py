"""Declarations API and pages: every route and page against another organisation's member,
upload through both, the decision, and what a viewer may not do."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from oretrace.core.tests.fixtures import web_client
from oretrace.core.tests.harness import (
    Page,
    PageTenancy,
    Reach,
    Tenancy,
    page_tenancy_tests,
    tenancy_tests,
)
from oretrace.declarations.api.declarations import router
from oretrace.declarations.models import Declaration, ImportBatch, Supplier
from oretrace.declarations.services import imports
from oretrace.declarations.tests.conftest import TODAY
from oretrace.declarations.urls import urlpatterns

pytestmark = pytest.mark.django_db

OWN_SCOPE = {
    "GET /declarations",
    "GET /declarations/rollup",
    "POST /declarations/imports",
    "GET /suppliers",
    "POST /suppliers",
}
CROSS_ORG = {
    "GET /declarations/{int:declaration_id}": Reach("/api/v1/declarations/{declaration}"),
    "POST /declarations/{int:declaration_id}/decision": Reach(
        "/api/v1/declarations/{declaration}/decision", {"status": "rejected", "note": "x"}
    ),
    "GET /declarations/imports/{int:batch_id}": Reach("/api/v1/declarations/imports/{batch}"),
    "GET /suppliers/{int:supplier_id}": Reach("/api/v1/suppliers/{supplier}"),
    "PATCH /suppliers/{int:supplier_id}": Reach("/api/v1/suppliers/{supplier}", {"name": "B"}),
}


@pytest.fixture
def objects_of_a(member_a, filled):
    name, data = filled("Merck")
    declaration = imports.import_declaration(data, name, actor=member_a, today=TODAY).declaration
    assert declaration is not None
    batch = ImportBatch.objects.create(organisation=member_a.organisation, files=[])
    return {
        "declaration": declaration.pk,
        "batch": batch.pk,
        "supplier": declaration.supplier_id,
    }


TENANCY = Tenancy(router, cross_org=CROSS_ORG, own_scope=OWN_SCOPE)
test_every_route_is_covered, test_other_organisation_gets_404 = tenancy_tests(TENANCY)


def _declaration_undecided(objects):
    assert Declaration.objects.get(pk=objects["declaration"]).status != "rejected"


PAGES = PageTenancy(
    urlpatterns,
    "declarations",
    cross_org={
        "detail": [
            Page(["declaration"]),
            Page(["declaration"], {"status": "rejected", "note": "x"}),
        ],
        "file": [Page(["declaration"])],
        "batch": [Page(["batch"])],
    },
    elsewhere={
        "campaign": "test_campaigns.py",
        "facility_suppliers": "a registry facility, which reference facilities are to "
        "everyone: test_facility_suppliers.py shows B none of A's rows",
        "rollup_download": "a job's file: test_rollup.py",
    },
    after=_declaration_undecided,
)
test_every_object_page_is_covered, test_other_organisation_gets_404_on_page = page_tenancy_tests(
    PAGES
)


def test_lists_hide_other_organisations(api_a, api_b, objects_of_a):
    assert api_a.get("/api/v1/declarations").json()["count"] == 1
    assert api_b.get("/api/v1/declarations").json()["count"] == 0
    assert api_b.get("/api/v1/suppliers").json()["count"] == 0


def test_the_list_page_hides_other_organisations(web_b, objects_of_a):
    listing = web_b.get(reverse("declarations:list")).content.decode()
    assert "Merck" not in listing


def test_upload_through_the_api(api_a, filled, django_capture_on_commit_callbacks):
    name, data = filled("Merck")
    with django_capture_on_commit_callbacks(execute=True):
        response = api_a.post(
            "/api/v1/declarations/imports",
            {"files": [SimpleUploadedFile(name, data), SimpleUploadedFile("a.txt", b"x")]},
        )
    assert response.status_code == 202, response.content
    batch = api_a.get(f"/api/v1/declarations/imports/{response.json()['id']}").json()
    assert [f["outcome"] for f in batch["files"]] == ["imported", "refused"]
    assert batch["job_status"] == "succeeded"
    detail = api_a.get(f"/api/v1/declarations/{batch['files'][0]['declaration_id']}").json()
    assert detail["family"] == "CMRT"
    assert len(detail["smelters"]) == 1
    assert detail["smelters"][0]["smelter_id"].startswith("CID")


def test_decision_through_the_api_and_its_errors(api_a, objects_of_a):
    url = f"/api/v1/declarations/{objects_of_a['declaration']}/decision"
    bad = api_a.post(url, json.dumps({"status": "maybe"}), content_type="application/json")
    assert bad.status_code in (400, 409, 422)
    assert "not a decision" in bad.json()["detail"]
    ok = api_a.post(
        url, json.dumps({"status": "accepted", "note": "fine"}), content_type="application/json"
    )
    assert ok.status_code == 200, ok.content
    assert ok.json()["status"] == "accepted"


def test_suppliers_through_the_api(api_a):
    created = api_a.post(
        "/api/v1/suppliers",
        json.dumps({"name": "Shiva Mica Traders", "country": "IN", "email": "cm@shiva.example"}),
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    twice = api_a.post(
        "/api/v1/suppliers",
        json.dumps({"name": "Shiva Mica Traders"}),
        content_type="application/json",
    )
    assert "already a supplier" in twice.json()["detail"]
    bad = api_a.post(
        "/api/v1/suppliers",
        json.dumps({"name": "X", "country": "ZZ"}),
        content_type="application/json",
    )
    assert "unknown country" in bad.json()["detail"]
    assert Supplier.objects.count() == 1


def test_upload_page_declaration_page_and_decision(
    web_a, filled, django_capture_on_commit_callbacks
):
    name, data = filled("JX Advanced")
    with django_capture_on_commit_callbacks(execute=True):
        response = web_a.post(
            reverse("declarations:list"), {"files": [SimpleUploadedFile(name, data)]}
        )
    assert response.status_code == 302
    batch_page = web_a.get(response["Location"]).content.decode()
    assert name in batch_page
    assert "imported" in batch_page
    declaration = Declaration.objects.get()
    page = web_a.get(reverse("declarations:detail", args=[declaration.pk])).content.decode()
    assert "JX Advanced Metals Corporation" in page
    assert "Smelter List" in page or "Smelters and refiners" in page
    listing = web_a.get(reverse("declarations:list")).content.decode()
    assert "JX Advanced Metals Corporation" in listing
    web_a.post(
        reverse("declarations:detail", args=[declaration.pk]),
        {"status": "needs_correction", "note": "row 12 lacks a country"},
    )
    declaration.refresh_from_db()
    assert declaration.status == "needs_correction"


def test_viewers_cannot_upload_or_decide(viewer_a, objects_of_a):

    client = web_client(viewer_a)
    response = client.post(
        reverse("declarations:list"), {"files": [SimpleUploadedFile("a.xlsx", b"x")]}
    )
    assert response.status_code == 403
    assert "to import declarations you need the role" in response.content.decode()
    assert ImportBatch.objects.count() == 1  # only the fixture's
    response = client.post(
        reverse("declarations:detail", args=[objects_of_a["declaration"]]),
        {"status": "rejected", "note": "x"},
    )
    assert response.status_code == 403
    assert Declaration.objects.get().status != "rejected"
