"""The risk API: editions listed and read by every member, imported by the operator only."""

from __future__ import annotations

import datetime
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from oretrace.core.models import ChangeLogEntry, Job
from oretrace.core.tests.fixtures import api_client
from oretrace.core.tests.harness import Reach, Tenancy, tenancy_tests
from oretrace.risk.api import router
from oretrace.risk.models import Edition
from oretrace.risk.tests.factories import ConflictAreaFactory, EditionFactory

pytestmark = pytest.mark.django_db

PUBLIC = {
    # Shared reference data: every member reads every edition (no organisation owns one).
    "GET /risk/editions",
    "GET /risk/editions/{edition_id}",
}
OWN_SCOPE = {
    "POST /risk/editions",  # the operator's import, refused to everyone else
    "GET /risk/flags",  # the caller's organisation's red flags
    "GET /risk/scores",  # the caller's own organisation's scores
}
CROSS_ORG = {
    "GET /risk/flags/{flag_id}": Reach("/api/v1/risk/flags/{flag}"),
    "GET /risk/scores/{score_id}": Reach("/api/v1/risk/scores/{score}"),
}
TENANCY = Tenancy(router, cross_org=CROSS_ORG, own_scope=OWN_SCOPE, public=PUBLIC)
test_every_route_is_covered, test_other_organisation_gets_404 = tenancy_tests(TENANCY)

CAHRA = json.dumps(
    {
        "meta": {"version": "API test", "dataUpdated": "2026-01-01T00:00:00Z"},
        "entries": [
            {"countryName": "Burundi", "iso2": "BI", "regions": None, "wholeCountry": True}
        ],
    }
).encode()


def test_every_member_lists_and_reads_editions(api_b):
    # given two editions of the CAHRA list
    old = EditionFactory.create(kind="cahra", edition_date=datetime.date(2025, 1, 1))
    new = EditionFactory.create(kind="cahra", edition_date=datetime.date(2026, 1, 1), previous=old)
    ConflictAreaFactory.create(edition=old, region_code="CD-NK", key="CD-NK")
    ConflictAreaFactory.create(edition=new, region_code="CD-SK", key="CD-SK")
    # when
    listed = api_b.get("/api/v1/risk/editions?kind=cahra").json()
    detail = api_b.get(f"/api/v1/risk/editions/{new.pk}").json()
    # then
    assert [e["id"] for e in listed["items"]] == [new.pk, old.pk]
    assert detail["previous_id"] == old.pk
    assert detail["diff"] == {"added": ["CD-SK"], "removed": ["CD-NK"], "changed": []}


def test_an_unknown_edition_is_404(api_a):
    response = api_a.get("/api/v1/risk/editions/999999")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/problem+json")


def test_the_operator_imports_through_the_api(operator, django_capture_on_commit_callbacks):
    client = api_client(operator)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/risk/editions",
            {"file": SimpleUploadedFile("cahra.json", CAHRA), "kind": "cahra"},
        )
    assert response.status_code == 202, response.content
    job = Job.objects.get(pk=response.json()["job_id"])
    assert job.status == "succeeded", job.error
    assert job.title == "Import the risk edition cahra.json"
    again = client.post(
        "/api/v1/risk/editions", {"file": SimpleUploadedFile("c.json", CAHRA), "kind": "cahra"}
    )
    assert again.status_code == 200
    assert again.json()["already_imported"] is True
    assert again.json()["edition_id"] == Edition.objects.get().pk


def test_a_bad_file_answers_400_naming_the_fault(operator):
    response = api_client(operator).post(
        "/api/v1/risk/editions",
        {"file": SimpleUploadedFile("goods.xml", b"<Goods><Good>"), "kind": "dol-goods"},
    )
    assert response.status_code == 400
    assert "goods.xml, line 1: the XML is broken or cut short" in response.json()["detail"]
    assert not Edition.objects.exists()


def test_a_member_who_is_not_the_operator_is_refused(api_a):
    before = ChangeLogEntry.objects.count()
    response = api_a.post(
        "/api/v1/risk/editions", {"file": SimpleUploadedFile("c.json", CAHRA), "kind": "cahra"}
    )
    assert response.status_code == 403
    assert "platform's operator" in response.json()["detail"]
    assert ChangeLogEntry.objects.count() == before
    assert not Job.objects.filter(kind="risk.import_edition").exists()
