"""Fixtures of the audits' tests: the shipped mica standard and programmes (once per module),
an audit body with its auditor, an auditee with its processing unit, and a programme owner."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from typing import Any

import pytest

from oretrace.assessments import services as assessment_services
from oretrace.assessments.models import Assessment, Criterion, ImprovementAction
from oretrace.assessments.shipped import shipped_text
from oretrace.audits.models import Audit, CorrectiveAction, Finding, ProgrammeVersion
from oretrace.audits.services import actions, audits, findings, programmes
from oretrace.core.actors import SystemActor
from oretrace.core.choices import OrganisationKind, Role
from oretrace.core.tests.factories import MembershipFactory, OrganisationFactory
from oretrace.core.tests.fixtures import own_files
from oretrace.core.tests.scopes import shared_rows
from oretrace.registry.choices import FacilityKind
from oretrace.registry.tests.factories import FacilityFactory

SYSTEM = SystemActor("tests")
MICA = "mica-processor-workplace"
REPORT_ON = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def media_and_keys(settings, tmp_path):
    """Uploads and ledger keys of each test in its own folder."""
    own_files(settings, tmp_path)


@pytest.fixture(scope="module")
def shipped_rows(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """The shipped mica standard and every shipped programme, once for a module's tests."""
    with shared_rows(django_db_blocker):
        assessment_services.import_standard(
            shipped_text("mica-processing-workplace.yaml"), organisation=None, actor=SYSTEM
        )
        programmes.install_shipped(SYSTEM)
        yield


@pytest.fixture
def mica(shipped_rows: None, db: None) -> ProgrammeVersion:
    return ProgrammeVersion.objects.get(organisation__isnull=True, code=MICA)


@pytest.fixture
def body(db):
    return OrganisationFactory.create(
        legal_name="Tertius Audit Ltd", kind=OrganisationKind.AUDIT_BODY, country_id="GB"
    )


@pytest.fixture
def auditor(body):
    return MembershipFactory.create(organisation=body, roles=[Role.AUDITOR])


@pytest.fixture
def auditee_org(processor_org):
    return processor_org


@pytest.fixture
def auditee(auditee_org):
    return MembershipFactory.create(organisation=auditee_org, roles=[Role.SUPPLIER_CONTRIBUTOR])


@pytest.fixture
def owner_org(db):
    return OrganisationFactory.create(
        legal_name="Mica Support Network", kind=OrganisationKind.INITIATIVE, country_id="FR"
    )


@pytest.fixture
def supporter(owner_org):
    return MembershipFactory.create(organisation=owner_org, roles=[Role.COMPLIANCE_OFFICER])


@pytest.fixture
def unit(auditee_org):
    return FacilityFactory.create(
        organisation=auditee_org, kind=FacilityKind.PROCESSING_UNIT, name="Sigma Unit 1"
    )


@pytest.fixture
def audit(mica, body, auditor, auditee_org, unit, owner_org) -> Audit:
    """A planned initial audit of the unit under the mica programme."""
    return audits.plan_audit(
        actor=auditor,
        organisation=body,
        programme=mica,
        audit_type="initial",
        auditee=auditee_org,
        facility=unit,
        scope="Processing unit, all shifts",
        planned_start=date(2026, 3, 2),
        planned_end=date(2026, 3, 3),
        programme_owner=owner_org,
    )


def criterion(audit: Audit, code: str) -> Criterion:
    return Criterion.objects.get(section__standard=audit.standard, code=code)


def reported_wages_finding(audit: Audit, auditor: Any) -> Finding:
    """Fieldwork started, a major finding on LAB.3 (low wages) and the report issued on
    10 March 2026: the finding, its closure deadline set by the report."""
    audits.start_fieldwork(audit, actor=auditor)
    wages = findings.record_finding(
        audit, criterion(audit, "LAB.3"), grade="major", description="Low wages", actor=auditor
    )
    audits.issue_report(audit, actor=auditor, report_on=REPORT_ON)
    wages.refresh_from_db()
    return wages


def overdue_wages_action(audit: Audit, auditor: Any, auditee: Any) -> CorrectiveAction:
    """The auditee's action on ``reported_wages_finding``, due 1 April 2026 (late from the
    2nd)."""
    return actions.add_action(
        reported_wages_finding(audit, auditor),
        actor=auditee,
        what="Raise wages",
        owner_name="Manager",
        due_on=date(2026, 4, 1),
    )


@pytest.fixture
def improvement_step(audit, auditee_org, unit):
    """The auditee's improvement plan from an accepted assessment of the audited unit against
    the programme's standard: one step, on LAB.3 (the wages criterion the findings use)."""
    assessment = Assessment.objects.create(
        organisation=audit.programme_owner,
        supplier=auditee_org,
        facility=unit,
        standard=audit.standard,
        due_on=date(2026, 1, 1),
        status="accepted",
        score=50,
        result={"gaps": ["LAB.3"], "criteria": {"LAB.3": "not_met"}, "sections": {}},
    )
    return ImprovementAction.objects.create(
        assessment=assessment,
        criterion=criterion(audit, "LAB.3"),
        severity="high",
        steps="Pay the minimum wage",
        due_on=date(2026, 6, 1),
    )


@pytest.fixture
def objects_of_a(org_a, member_a, mica, auditee_org, auditee, unit) -> dict[str, int]:
    """An audit A's organisation runs (its administrator is its auditor), in its corrective
    action plan: a finding with a photo, an action with evidence, a support request."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    jpeg = b"\xff\xd8\xff\xe0" + b"\x00" * 32
    audit = audits.plan_audit(
        actor=member_a,
        organisation=org_a,
        programme=mica,
        audit_type="initial",
        auditee=auditee_org,
        facility=unit,
        scope="tenancy",
        planned_start=date(2026, 3, 2),
        planned_end=date(2026, 3, 3),
    )
    audits.start_fieldwork(audit, actor=member_a)
    finding = findings.record_finding(
        audit, criterion(audit, "LAB.3"), grade="major", description="x", actor=member_a
    )
    photo = findings.add_finding_evidence(
        finding, upload=SimpleUploadedFile("a.jpg", jpeg), actor=member_a
    )
    audits.issue_report(audit, actor=member_a, report_on=REPORT_ON)
    finding.refresh_from_db()
    action = actions.add_action(
        finding, actor=auditee, what="x", owner_name="y", due_on=date(2026, 4, 1)
    )
    proof = actions.add_action_evidence(
        action, upload=SimpleUploadedFile("b.jpg", jpeg), actor=auditee
    )
    request = actions.request_support(finding, kind="training", message="x", actor=auditee)
    return {
        "audit": audit.pk,
        "criterion": finding.criterion_id,
        "action": action.pk,
        "request": request.pk,
        "finding_file": photo.pk,
        "action_file": proof.pk,
    }
