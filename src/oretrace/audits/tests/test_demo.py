"""The demo audit: Thirdline Assurance audits Giridih Mica Processing's unit (issue 19 §6)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from oretrace.audits.models import Audit
from oretrace.audits.queries import findings_with_help
from oretrace.core.models import Membership

pytestmark = pytest.mark.usefixtures("demo")


def _audit() -> Audit:
    return Audit.objects.select_related("facility", "organisation", "auditee").get(
        organisation__slug="thirdline-audit", auditee__slug="giridih-mica", audit_type="initial"
    )


def test_two_majors_a_second_round_and_a_conformant_status():
    audit = _audit()
    assert audit.status == "closed"
    assert sorted(
        audit.findings.filter(grade="major").values_list("criterion__code", flat=True)
    ) == [
        "LAB.3",
        "OHS.3",
    ]
    assert list(audit.reviews.values_list("round", "decision")) == [
        (1, "sent_back"),
        (2, "verified"),
    ]
    assert audit.outcome == "conformant-1y"
    status = audit.status_entry
    assert status is not None
    assert status.status == "Conformant"
    assert audit.valid_until is not None
    assert audit.decided_on is not None
    assert status.valid_until == audit.valid_until > timezone.localdate()
    assert status.next_audit_on == audit.next_audit_due
    assert audit.decided_on + timedelta(days=365) == audit.valid_until


def test_support_came_from_the_mica_workplace_initiative():
    request = _audit().findings.get(criterion__code="OHS.3").support_requests.get()
    assert request.status == "accepted"
    owner = request.finding.audit.programme_owner
    assert owner is not None
    assert owner.slug == "mica-initiative"


def test_every_finding_links_a_training_item_and_an_improvement_step():
    audit = _audit()
    member = Membership.objects.get(user__email="supplier@giridih.example")
    rows = findings_with_help(audit, member)
    assert len(rows) == 4
    for row in rows:
        assert row.help is not None
        assert row.help.steps, row.criterion.code
        assert row.help.training, row.criterion.code


def test_the_major_findings_have_photos():
    audit = _audit()
    for finding in audit.findings.filter(grade="major"):
        assert finding.evidence.filter(content_type="image/jpeg").exists()


def test_a_running_follow_up_has_an_overdue_action_on_the_dashboards():
    from django.test import Client
    from django.urls import reverse

    follow_up = Audit.objects.get(audit_type="follow-up")
    assert follow_up.status == "cap"
    for email in ("supplier@giridih.example", "grievance@initiative.example"):
        client = Client()
        client.force_login(Membership.objects.get(user__email=email).user)
        page = client.get(reverse("web:dashboard")).content.decode()
        assert 'id="audit-actions-overdue"' in page
        assert "OHS.5" in page
    assert Audit.objects.get(audit_type="surveillance").status == "fieldwork"
