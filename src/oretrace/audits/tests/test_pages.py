"""The audit pages: each side sees its audits; another organisation's are 404."""

from __future__ import annotations

import pytest
from django.urls import reverse

from oretrace.audits.tests.conftest import reported_wages_finding
from oretrace.core.tests.factories import MembershipFactory
from oretrace.core.tests.fixtures import web_client


@pytest.mark.parametrize("side", ["auditor", "auditee", "supporter"])
def test_each_side_sees_the_audit(side, audit, request):
    member = request.getfixturevalue(side)
    client = web_client(member)
    listing = client.get(reverse("audits:list"))
    assert f"A-{audit.pk}" in listing.content.decode()
    page = client.get(reverse("audits:detail", args=[audit.pk]))
    assert page.status_code == 200
    assert "Sigma Unit 1" in page.content.decode()


def test_another_organisation_gets_404(audit):
    stranger = web_client(MembershipFactory.create())
    assert stranger.get(reverse("audits:detail", args=[audit.pk])).status_code == 404
    assert f"A-{audit.pk}" not in stranger.get(reverse("audits:list")).content.decode()


# --- the auditor's checklist, the auditee's answers, the moves -------------------------------

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _photo(name="gate.jpg"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, JPEG, content_type="image/jpeg")


def _in_fieldwork(audit, auditor):
    client = web_client(auditor)
    response = client.post(reverse("audits:move", args=[audit.pk]), {"do": "fieldwork"})
    assert response.status_code == 302
    return client


def test_the_checklist_saves_a_criterion_with_a_photo_as_the_auditor_goes(audit, auditor):
    from oretrace.audits.tests.conftest import criterion

    client = _in_fieldwork(audit, auditor)
    page = client.get(reverse("audits:checklist", args=[audit.pk]))
    assert page.status_code == 200
    wages = criterion(audit, "LAB.3")
    response = client.post(
        reverse("audits:save_finding", args=[audit.pk, wages.pk]),
        {"grade": "major", "description": "Below minimum wage", "file": _photo()},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert f'id="c-{wages.pk}"' in body
    assert "Saved" in body
    finding = audit.findings.get()
    assert finding.grade == "major"
    assert finding.evidence.count() == 1
    # the photo is shown to whoever sees the audit
    photo = finding.evidence.get()
    shown = client.get(reverse("audits:finding_file", args=[photo.pk]))
    assert shown.status_code == 200
    assert shown["Content-Disposition"].startswith("inline")
    # the file's own policy, not the pages' (which the middleware adds only where none is set)
    assert shown["Content-Security-Policy"].endswith("; sandbox")


def test_a_refused_criterion_says_why_in_its_row(audit, auditor):
    from oretrace.audits.tests.conftest import criterion

    client = _in_fieldwork(audit, auditor)
    response = client.post(
        reverse("audits:save_finding", args=[audit.pk, criterion(audit, "LAB.3").pk]),
        {"grade": "major", "description": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 400
    assert "say what was found on LAB.3" in response.content.decode()


def test_another_body_cannot_save_a_finding_or_see_a_photo(audit, auditor):
    from oretrace.audits.services import findings
    from oretrace.audits.tests.conftest import criterion

    _in_fieldwork(audit, auditor)
    finding = findings.record_finding(
        audit, criterion(audit, "LAB.3"), grade="minor", description="x", actor=auditor
    )
    photo = findings.add_finding_evidence(finding, upload=_photo(), actor=auditor)
    stranger = web_client(MembershipFactory.create(roles=["auditor"]))
    url = reverse("audits:save_finding", args=[audit.pk, finding.criterion_id])
    assert stranger.post(url, {"grade": "major", "description": "x"}).status_code == 404
    assert stranger.get(reverse("audits:finding_file", args=[photo.pk])).status_code == 404


def test_the_auditee_answers_submits_and_the_auditor_sends_back_then_closes(
    audit, auditor, auditee, unit
):
    finding = reported_wages_finding(audit, auditor)
    mine = web_client(auditee)
    page = mine.get(reverse("audits:answer", args=[audit.pk]))
    assert page.status_code == 200
    assert "Add a corrective action" in page.content.decode()
    response = mine.post(
        reverse("audits:answer", args=[audit.pk]),
        {
            "do": "action",
            "finding": finding.pk,
            "what": "Pay by the hour",
            "owner_name": "Manager",
            "due_on": str(finding.closure_due_on),
            "file": _photo("payslip.jpg"),
        },
    )
    assert response.status_code == 302
    action = finding.actions.get()
    assert action.evidence.count() == 1
    assert mine.post(reverse("audits:answer", args=[audit.pk]), {"do": "submit"}).status_code == 302
    theirs = web_client(auditor)
    theirs.post(reverse("audits:move", args=[audit.pk]), {"do": "send_back", "note": "Payslips"})
    audit.refresh_from_db()
    assert (audit.status, audit.cap_round) == ("cap", 2)
    mine.post(reverse("audits:action", args=[action.pk]), {"do": "done"})
    mine.post(reverse("audits:answer", args=[audit.pk]), {"do": "submit"})
    theirs.post(reverse("audits:move", args=[audit.pk]), {"do": "close", "note": "ok"})
    audit.refresh_from_db()
    assert audit.status == "closed"
    facility_page = mine.get(reverse("registry:facility", args=[unit.pk])).content.decode()
    assert f"until {audit.valid_until:%Y-%m-%d}" in facility_page
    assert f"next audit due {audit.next_audit_due:%Y-%m-%d}" in facility_page


def test_the_programme_owner_answers_a_support_request(audit, auditor, auditee, supporter):
    from oretrace.audits.services import actions, audits, findings
    from oretrace.audits.tests.conftest import criterion

    _in_fieldwork(audit, auditor)
    finding = findings.record_finding(
        audit, criterion(audit, "OHS.3"), grade="major", description="No masks", actor=auditor
    )
    audits.issue_report(audit, actor=auditor)
    request = actions.request_support(finding, kind="training", message="Help", actor=auditee)
    page = web_client(supporter).get(reverse("audits:detail", args=[audit.pk])).content.decode()
    assert reverse("audits:support", args=[request.pk]) in page
    response = web_client(supporter).post(
        reverse("audits:support", args=[request.pk]), {"status": "accepted", "response": "Yes"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "accepted"
    stranger = web_client(MembershipFactory.create(roles=["compliance_officer"]))
    assert (
        stranger.post(reverse("audits:support", args=[request.pk]), {"status": "done"}).status_code
        == 404
    )


def test_planning_an_audit_from_the_page(mica, auditor, unit, auditee_org, owner_org):
    from oretrace.core.actors import SYSTEM
    from oretrace.core.services import grant_access

    grant_access(unit, to=auditor.organisation, actor=SYSTEM, note="audit")
    client = web_client(auditor)
    assert client.get(reverse("audits:new")).status_code == 200
    response = client.post(
        reverse("audits:new"),
        {
            "programme": mica.pk,
            "audit_type": "initial",
            "facility": unit.pk,
            "programme_owner": owner_org.pk,
            "scope": "Unit 1",
            "planned_start": "2026-06-01",
            "planned_end": "2026-05-01",
        },
    )
    assert response.status_code == 400
    assert "cannot end before it starts" in response.content.decode()


def test_a_refused_row_keeps_what_was_typed_and_a_photo_needs_a_grade(audit, auditor):
    from oretrace.audits.tests.conftest import criterion

    client = _in_fieldwork(audit, auditor)
    url = reverse("audits:save_finding", args=[audit.pk, criterion(audit, "LAB.3").pk])
    response = client.post(
        url, {"grade": "major", "description": ""}, headers={"HX-Request": "true"}
    )
    assert '<option value="major" selected>' in response.content.decode()
    response = client.post(url, {"grade": "", "file": _photo()}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert "grade before adding a photo" in response.content.decode()
    assert not audit.findings.exists()


def test_the_supplier_sees_the_linked_corrective_action_on_its_improvement_plan(
    audit, auditor, auditee, improvement_step
):
    from oretrace.audits.services import actions

    finding = reported_wages_finding(audit, auditor)
    actions.add_action(
        finding,
        actor=auditee,
        what="Pay by the hour",
        owner_name="Manager",
        due_on=finding.closure_due_on,
    )
    page = web_client(auditee).get(
        reverse("assessments:detail", args=[improvement_step.assessment_id])
    )
    body = page.content.decode()
    assert f"corrective action of audit A-{audit.pk}" in body
    assert "Pay by the hour" in body
