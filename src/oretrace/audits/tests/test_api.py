"""The audits API for audit bodies' systems: programmes, audits and findings read by each side
of an audit and nobody else; findings recorded (with evidence) by the audit body's auditors
through the same services as the pages; bad fields answered 422 naming them."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from oretrace.audits.api import router
from oretrace.audits.models import Finding
from oretrace.audits.services import audits, findings
from oretrace.audits.tests.conftest import criterion
from oretrace.core.choices import Role
from oretrace.core.models import ChangeLogEntry
from oretrace.core.tests.factories import MembershipFactory
from oretrace.core.tests.fixtures import api_client
from oretrace.core.tests.harness import Reach, Tenancy, tenancy_tests

pytestmark = pytest.mark.django_db

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
FINDING = {"criterion": "LAB.2", "grade": "minor", "description": "Overtime not recorded."}

TENANCY = Tenancy(
    router,
    cross_org={
        "GET /audits/{audit_id}": Reach("/api/v1/audits/{audit}"),
        "GET /audits/{audit_id}/findings": Reach("/api/v1/audits/{audit}/findings"),
        "POST /audits/{audit_id}/findings": Reach("/api/v1/audits/{audit}/findings", FINDING),
        "POST /audits/{audit_id}/findings/{finding_id}/evidence": Reach(
            "/api/v1/audits/{audit}/findings/{finding}/evidence", {}
        ),
    },
    own_scope={"GET /audits"},  # the audits of the caller's own organisation's sides
    public={"GET /audit-programmes"},  # shipped programmes are everyone's (and one's own)
)
test_every_route_is_covered, test_other_organisation_gets_404 = tenancy_tests(TENANCY)


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def fieldwork(audit, auditor):
    audits.start_fieldwork(audit, actor=auditor)
    return audit


@pytest.fixture
def objects_of_a(org_a, mica, auditee_org, unit):
    """An audit run by organisation A (member_a's) in its fieldwork, with one finding."""
    lead = MembershipFactory.create(organisation=org_a, roles=[Role.AUDITOR])
    audit = audits.plan_audit(
        actor=lead,
        organisation=org_a,
        programme=mica,
        audit_type="initial",
        auditee=auditee_org,
        facility=unit,
        scope="All shifts",
        planned_start=date(2026, 3, 2),
        planned_end=date(2026, 3, 3),
    )
    audits.start_fieldwork(audit, actor=lead)
    found = findings.record_finding(
        audit, criterion(audit, "OHS.1"), grade="minor", description="Guards off.", actor=lead
    )
    return {"audit": audit.pk, "finding": found.pk}


# --- reading ----------------------------------------------------------------------------------


def test_programmes_are_listed_with_their_fingerprint(mica, auditee):
    items = api_client(auditee).get("/api/v1/audit-programmes").json()["items"]
    by_code = {p["code"]: p for p in items}
    assert by_code["mica-processor-workplace"]["fingerprint"] == mica.fingerprint
    assert by_code["mica-processor-workplace"]["standard_code"] == "mica-processing-workplace"
    assert len(by_code) == 4


@pytest.mark.parametrize(("side", "who"), [("auditee", "auditee"), ("body", "auditor"),
                                           ("owner", "supporter")])  # fmt: skip
def test_each_side_lists_the_audit(audit, side, who, request):
    client = api_client(request.getfixturevalue(who))
    items = client.get(f"/api/v1/audits?side={side}").json()["items"]
    assert [a["reference"] for a in items] == [f"A-{audit.pk}"]
    others = {"auditee", "body", "owner"} - {side}
    assert all(client.get(f"/api/v1/audits?side={s}").json()["count"] == 0 for s in others)


def test_an_audit_reads_with_its_parties_and_pinned_programme(audit, auditor, mica):
    got = api_client(auditor).get(f"/api/v1/audits/{audit.pk}").json()
    assert (got["programme"], got["programme_fingerprint"]) == (mica.code, mica.fingerprint)
    assert (got["status"], got["auditee"]["name"], got["facility"]["name"]) == (
        "planned",
        "Sigma Mica Works",
        "Sigma Unit 1",
    )
    assert got["standard_code"] == "mica-processing-workplace"
    assert (got["outcome"], got["conformant"], got["valid_until"]) == ("", None, None)


def test_the_list_filters_by_status_and_facility(audit, auditor, unit):
    client = api_client(auditor)
    assert client.get("/api/v1/audits?status=planned").json()["count"] == 1
    assert client.get("/api/v1/audits?status=closed").json()["count"] == 0
    assert client.get(f"/api/v1/audits?facility_id={unit.pk + 1000}").json()["count"] == 0
    response = client.get("/api/v1/audits?status=lost")
    assert response.status_code == 422
    assert "status" in response.json()["detail"]


# --- recording findings -------------------------------------------------------------------------


def test_an_auditor_records_then_changes_a_finding(fieldwork, auditor, auditee):
    client = api_client(auditor)
    url = f"/api/v1/audits/{fieldwork.pk}/findings"
    entries = ChangeLogEntry.objects.count()
    created = _post(client, url, FINDING)
    assert created.status_code == 201, created.content
    body = created.json()
    assert (body["criterion"], body["grade"], body["description"]) == (
        "LAB.2",
        "minor",
        "Overtime not recorded.",
    )
    assert body["requirement"]["fr"]
    assert ChangeLogEntry.objects.count() > entries  # the service's change log
    changed = _post(client, url, {**FINDING, "grade": "major"})
    assert (changed.status_code, changed.json()["grade"]) == (200, "major")
    assert Finding.objects.get(audit=fieldwork).grade == "major"
    # the auditee reads what was recorded
    items = api_client(auditee).get(url).json()["items"]
    assert [(f["criterion"], f["grade"]) for f in items] == [("LAB.2", "major")]


@pytest.mark.parametrize(
    ("sent", "location", "words"),
    [
        ({**FINDING, "grade": "catastrophic"}, "body.payload.grade", "Input should be"),
        ({**FINDING, "criterion": "LAB.99"}, "body.payload.criterion",
         "'LAB.99' is not a criterion"),
        ({**FINDING, "description": " "}, "body.payload.description",
         "say what was found on LAB.2"),
        ({**FINDING, "grade": "good-practice", "description": "x" * 10001},
         "body.payload.description", "at most 10000"),
        ({"grade": "minor"}, "body.payload.criterion", "Field required"),
    ],
)  # fmt: skip
def test_a_bad_field_answers_422_naming_it(fieldwork, auditor, sent, location, words):
    response = _post(api_client(auditor), f"/api/v1/audits/{fieldwork.pk}/findings", sent)
    assert response.status_code == 422, response.content
    problem = response.json()
    assert response["Content-Type"] == "application/problem+json"
    assert location in [e["location"] for e in problem["errors"]]
    assert words in problem["detail"]
    assert not Finding.objects.filter(audit=fieldwork).exists()


def test_a_grade_the_programme_does_not_use_answers_422(fieldwork, auditor, mica):
    from oretrace.audits.models import ProgrammeVersion
    from oretrace.audits.services import programmes

    every = "[major, minor, observation, improvement, good-practice, zero-tolerance]"
    text = mica.source.replace(f"finding_grades: {every}", "finding_grades: [major, minor]")
    text = text.replace("code: mica-processor-workplace", "code: mica-narrow")
    text = text.replace("    zero-tolerance: 30d\n", "").replace(
        "      zero-tolerance: suspended\n", ""
    )
    narrow, _new = programmes.install_programme(text, name="narrow.yaml", actor=auditor,
                                                organisation=auditor.organisation)  # fmt: skip
    assert isinstance(narrow, ProgrammeVersion)
    fieldwork.programme = narrow
    fieldwork.save()
    response = _post(api_client(auditor), f"/api/v1/audits/{fieldwork.pk}/findings",
                     {**FINDING, "grade": "observation"})  # fmt: skip
    assert response.status_code == 422
    assert response.json()["errors"][0]["location"] == "body.payload.grade"


def test_only_the_audit_bodys_auditors_record(fieldwork, auditee, supporter, body):
    url = f"/api/v1/audits/{fieldwork.pk}/findings"
    assert _post(api_client(auditee), url, FINDING).status_code == 403
    assert _post(api_client(supporter), url, FINDING).status_code == 403
    viewer = MembershipFactory.create(organisation=body, roles=[Role.VIEWER])
    assert _post(api_client(viewer), url, FINDING).status_code == 403
    assert not Finding.objects.filter(audit=fieldwork).exists()


def test_findings_after_the_fieldwork_answer_409(audit, auditor):
    response = _post(api_client(auditor), f"/api/v1/audits/{audit.pk}/findings", FINDING)
    assert response.status_code == 409  # still planned
    assert "during the fieldwork" in response.json()["detail"]


def test_a_photo_is_attached_to_a_finding(fieldwork, auditor):
    client = api_client(auditor)
    finding = _post(client, f"/api/v1/audits/{fieldwork.pk}/findings", FINDING).json()
    url = f"/api/v1/audits/{fieldwork.pk}/findings/{finding['id']}/evidence"
    photo = SimpleUploadedFile("sorting-hall.jpg", JPEG, content_type="image/jpeg")
    response = client.post(url, {"file": photo})
    assert response.status_code == 201, response.content
    assert response.json()["original_name"] == "sorting-hall.jpg"
    assert len(response.json()["sha256"]) == 64
    listed = client.get(f"/api/v1/audits/{fieldwork.pk}/findings").json()["items"]
    assert [e["original_name"] for e in listed[0]["evidence"]] == ["sorting-hall.jpg"]


def test_evidence_needs_a_file_of_an_accepted_kind(fieldwork, auditor):
    client = api_client(auditor)
    finding = _post(client, f"/api/v1/audits/{fieldwork.pk}/findings", FINDING).json()
    url = f"/api/v1/audits/{fieldwork.pk}/findings/{finding['id']}/evidence"
    missing = client.post(url, {})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["location"] == "body.file"
    script = SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    refused = client.post(url, {"file": script})
    assert refused.status_code in (400, 422), refused.content


def test_a_finding_of_another_audit_is_not_found_under_this_one(fieldwork, auditor, objects_of_a):
    client = api_client(auditor)
    finding = _post(client, f"/api/v1/audits/{fieldwork.pk}/findings", FINDING).json()
    wrong = f"/api/v1/audits/{objects_of_a['audit']}/findings/{finding['id']}/evidence"
    photo = SimpleUploadedFile("p.jpg", JPEG, content_type="image/jpeg")
    assert client.post(wrong, {"file": photo}).status_code == 404
