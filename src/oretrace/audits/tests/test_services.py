"""The audit's life through its services: planning, fieldwork, findings, the report, the
corrective action plan in rounds, support, and closing with the programme's outcome."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from oretrace.assessments.exceptions import EvidenceError
from oretrace.audits.choices import ActionStatus, AuditStatus
from oretrace.audits.exceptions import AuditError, ProgrammeVersionError
from oretrace.audits.models import AuditStep, CapReview, CorrectiveAction, ProgrammeVersion
from oretrace.audits.services import actions, audits, closure, findings, programmes
from oretrace.audits.tests.conftest import MICA, SYSTEM, criterion
from oretrace.core.choices import Role
from oretrace.core.exceptions import InvalidTransition, PermissionDenied
from oretrace.core.models import ChangeLogEntry
from oretrace.core.tests.factories import MembershipFactory
from oretrace.ledger.models import Leaf
from oretrace.registry.choices import AssuranceScheme

JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
PDF = b"%PDF-1.4\n%%EOF\n"
REPORT_ON = date(2026, 3, 10)


def _photo(name: str = "gate.jpg", data: bytes = JPEG) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="image/jpeg")


def _with_two_majors(audit, auditor):
    audits.start_fieldwork(audit, actor=auditor)
    wages = findings.record_finding(
        audit,
        criterion(audit, "LAB.3"),
        grade="major",
        description="Piece rates below the state minimum wage for sorters.",
        actor=auditor,
    )
    hours = findings.record_finding(
        audit,
        criterion(audit, "LAB.2"),
        grade="major",
        description="Sixty-hour weeks in the sorting hall in the peak season.",
        actor=auditor,
    )
    findings.record_finding(
        audit, criterion(audit, "OHS.4"), grade="good-practice", description="", actor=auditor
    )
    return wages, hours


def _reported(audit, auditor):
    wages, hours = _with_two_majors(audit, auditor)
    audits.issue_report(audit, actor=auditor, report_on=REPORT_ON)
    wages.refresh_from_db()
    hours.refresh_from_db()
    return wages, hours


def _answer(finding, auditee, what="Pay by the hour at the minimum wage"):
    return actions.add_action(
        finding,
        actor=auditee,
        what=what,
        owner_name="Unit manager",
        due_on=REPORT_ON + timedelta(days=60),
    )


# --- programme versions ---------------------------------------------------------------------


def test_shipped_programmes_are_installed_once_with_their_fingerprint(mica):
    assert mica.fingerprint
    assert len(mica.fingerprint) == 64
    assert mica.standard_code == "mica-processing-workplace"
    assert programmes.install_shipped(SYSTEM) == []  # again: nothing new


def test_a_changed_rule_under_the_same_version_is_refused(mica):
    changed = mica.source.replace("plan_due: 30d", "plan_due: 45d")
    with pytest.raises(ProgrammeVersionError, match="a rule change is a new version"):
        programmes.install_programme(changed, name="edited.yaml", actor=SYSTEM)


def test_a_new_version_leaves_running_audits_on_theirs(audit, auditor, mica):
    # given a new version of the programme whose plan is due after 45 days, not 30
    text = mica.source.replace('version: "2026.1"', 'version: "2026.2"').replace(
        "plan_due: 30d", "plan_due: 45d"
    )
    newer, created = programmes.install_programme(text, name="newer.yaml", actor=SYSTEM)
    assert created
    assert newer.fingerprint != mica.fingerprint
    # when the running audit issues its report
    _reported(audit, auditor)
    # then it keeps its version, and its rules: 30 days
    audit.refresh_from_db()
    assert audit.programme_id == mica.pk
    assert audit.plan_due_on == REPORT_ON + timedelta(days=30)
    assert ProgrammeVersion.objects.filter(code=MICA).count() == 2


def test_a_bad_programme_file_names_what_is_wrong(db):
    with pytest.raises(ProgrammeVersionError, match=r"bad\.yaml"):
        programmes.install_programme("code: [", name="bad.yaml", actor=SYSTEM)


# --- planning and moving on -----------------------------------------------------------------


def test_planning_records_the_step_with_its_actor(audit, auditor):
    assert audit.status == AuditStatus.PLANNED
    assert audit.standard is not None
    assert audit.standard.code == "mica-processing-workplace"
    step = AuditStep.objects.get(audit=audit)
    assert (step.status, step.by) == (AuditStatus.PLANNED, auditor)
    assert ChangeLogEntry.objects.filter(object_id=str(audit.pk), action="create").exists()


@pytest.mark.parametrize(
    ("who", "where", "refusal", "message"),
    [
        ("auditee", "the unit", PermissionDenied, None),
        ("auditor", "elsewhere", AuditError, r"facility: .* is not a facility of"),
    ],
    ids=["only-the-audit-body-s-auditors-plan", "not-another-organisation-s-facility"],
)
def test_planning_is_refused(
    mica, body, auditee_org, unit, auditor, auditee, who, where, refusal, message
):
    from oretrace.registry.tests.factories import FacilityFactory

    actor = {"auditee": auditee, "auditor": auditor}[who]
    facility = unit if where == "the unit" else FacilityFactory.create()
    with pytest.raises(refusal, match=message):
        audits.plan_audit(
            actor=actor,
            organisation=body,
            programme=mica,
            audit_type="initial",
            auditee=auditee_org,
            facility=facility,
            scope="x",
            planned_start=date(2026, 1, 1),
            planned_end=date(2026, 1, 2),
        )


def test_every_move_is_a_step_with_actor_and_time(audit, auditor, auditee):
    wages, _hours = _reported(audit, auditor)
    _answer(wages, auditee)
    steps = list(AuditStep.objects.filter(audit=audit).values_list("previous", "status", "by"))
    assert steps == [
        ("", "planned", auditor.pk),
        ("planned", "fieldwork", auditor.pk),
        ("fieldwork", "report", auditor.pk),
        ("report", "cap", auditee.pk),
    ]


def test_a_move_the_life_cycle_does_not_allow_is_refused(audit, auditor):
    with pytest.raises(InvalidTransition):
        closure.close_audit(audit, actor=auditor)


# --- findings ---------------------------------------------------------------------------------


def test_a_finding_per_criterion_is_saved_as_the_auditor_goes(audit, auditor):
    audits.start_fieldwork(audit, actor=auditor)
    first = findings.record_finding(
        audit, criterion(audit, "LAB.3"), grade="minor", description="A", actor=auditor
    )
    again = findings.record_finding(
        audit, criterion(audit, "LAB.3"), grade="major", description="B", actor=auditor
    )
    assert first.pk == again.pk
    assert again.grade == "major"
    assert audit.findings.count() == 1


def test_findings_only_during_fieldwork(audit, auditor):
    with pytest.raises(InvalidTransition, match="during the fieldwork"):
        findings.record_finding(
            audit, criterion(audit, "LAB.3"), grade="minor", description="A", actor=auditor
        )


def test_a_grade_outside_the_vocabulary_is_refused(audit, auditor):
    audits.start_fieldwork(audit, actor=auditor)
    with pytest.raises(AuditError, match="grade: 'severe' is not one of"):
        findings.record_finding(
            audit, criterion(audit, "LAB.3"), grade="severe", description="A", actor=auditor
        )


def test_a_photo_is_kept_with_its_digest_and_a_fake_is_refused(audit, auditor):
    wages, _hours = _with_two_majors(audit, auditor)
    photo = findings.add_finding_evidence(wages, upload=_photo(), actor=auditor)
    assert photo.is_image
    assert len(photo.sha256) == 64
    with pytest.raises(EvidenceError, match="not a JPG file"):
        findings.add_finding_evidence(wages, upload=_photo("fake.jpg", b"GIF89a"), actor=auditor)
    with pytest.raises(EvidenceError, match="only PDF, JPEG, PNG or WebP"):
        findings.add_finding_evidence(wages, upload=_photo("x.exe", b"MZ"), actor=auditor)


def test_another_audit_bodys_auditor_is_refused(audit):
    stranger = MembershipFactory.create(roles=[Role.AUDITOR])
    with pytest.raises(PermissionDenied):
        audits.start_fieldwork(audit, actor=stranger)


def test_the_report_sets_the_plan_and_closure_deadlines_of_the_programme(audit, auditor):
    wages, _hours = _reported(audit, auditor)
    audit.refresh_from_db()
    assert audit.status == AuditStatus.REPORT
    assert audit.plan_due_on == REPORT_ON + timedelta(days=30)
    assert wages.closure_due_on == REPORT_ON + timedelta(days=90)


def test_no_report_without_findings(audit, auditor):
    audits.start_fieldwork(audit, actor=auditor)
    with pytest.raises(AuditError, match="at least one finding"):
        audits.issue_report(audit, actor=auditor)


# --- the corrective action plan in rounds ---------------------------------------------------


def test_an_action_due_after_the_closing_deadline_is_refused(audit, auditor, auditee):
    wages, _hours = _reported(audit, auditor)
    with pytest.raises(AuditError, match="due_on: the programme closes"):
        actions.add_action(
            wages, actor=auditee, what="x", owner_name="y", due_on=REPORT_ON + timedelta(days=91)
        )


def test_the_plan_needs_an_action_per_non_conformity(audit, auditor, auditee):
    wages, _hours = _reported(audit, auditor)
    _answer(wages, auditee)
    with pytest.raises(AuditError, match=r"LAB\.2"):
        actions.submit_plan(audit, actor=auditee)


def test_only_the_auditee_answers(audit, auditor):
    wages, _hours = _reported(audit, auditor)
    with pytest.raises(PermissionDenied):
        _answer(wages, auditor)


def test_rounds_send_back_then_verify_and_close(audit, auditor, auditee):
    # given a plan answering both majors, with evidence
    wages, hours = _reported(audit, auditor)
    first = _answer(wages, auditee)
    _answer(hours, auditee, "Two shifts of eight hours")
    actions.add_action_evidence(first, upload=_photo("payslip.jpg"), actor=auditee)
    actions.submit_plan(audit, actor=auditee)
    # when the auditor sends it back: round 2 opens
    actions.send_back(audit, actor=auditor, note="Show a month of payslips.")
    audit.refresh_from_db()
    assert (audit.status, audit.cap_round) == (AuditStatus.CAP, 2)
    second = _answer(wages, auditee, "Bank transfers of wages, with payslips")
    assert second.round == 2
    actions.update_action(first, actor=auditee, status=ActionStatus.DONE)
    actions.submit_plan(audit, actor=auditee)
    # then the auditor verifies and closes
    closure.close_audit(audit, actor=auditor, decided_on=date(2026, 5, 4))
    audit.refresh_from_db()
    assert audit.status == AuditStatus.CLOSED
    reviews = list(CapReview.objects.filter(audit=audit).values_list("round", "decision"))
    assert reviews == [(1, "sent_back"), (2, "verified")]
    statuses = CorrectiveAction.objects.filter(finding__audit=audit).values_list(
        "status", flat=True
    )
    assert set(statuses) == {ActionStatus.VERIFIED}


def test_a_send_back_needs_a_note(audit, auditor, auditee):
    wages, hours = _reported(audit, auditor)
    _answer(wages, auditee)
    _answer(hours, auditee)
    actions.submit_plan(audit, actor=auditee)
    with pytest.raises(AuditError, match="note"):
        actions.send_back(audit, actor=auditor, note=" ")


# --- closing: outcome, status, ledger -------------------------------------------------------


def _closed(audit, auditor, auditee, on=date(2026, 5, 4)):
    wages, hours = _reported(audit, auditor)
    _answer(wages, auditee)
    _answer(hours, auditee)
    actions.submit_plan(audit, actor=auditee)
    return closure.close_audit(audit, actor=auditor, decided_on=on)


def test_closing_applies_the_programmes_cycle(audit, auditor, auditee):
    # the mica programme: a major closed by the decision is conformant for one year
    _closed(audit, auditor, auditee)
    audit.refresh_from_db()
    assert (audit.outcome, audit.conformant) == ("conformant-1y", True)
    assert audit.valid_until == date(2027, 5, 4)
    assert (audit.next_audit_due, audit.next_audit_type) == (date(2027, 5, 4), "re-audit")
    assert "major-finding" in audit.outcome_reasons


def test_closing_writes_the_facilitys_assurance_status(audit, auditor, auditee, unit):
    _closed(audit, auditor, auditee)
    entry = unit.statuses.get()
    assert entry.scheme == AssuranceScheme.ORETRACE_AUDIT
    assert (entry.status, entry.valid_until, entry.next_audit_on) == (
        "Conformant",
        date(2027, 5, 4),
        date(2027, 5, 4),
    )
    assert entry.organisation is None  # everyone who sees the facility sees it
    audit.refresh_from_db()
    assert audit.status_entry == entry


def test_closing_commits_the_result_to_the_ledger_without_personal_data(audit, auditor, auditee):
    from oretrace.audits.records import audit_facts

    _closed(audit, auditor, auditee)
    audit.refresh_from_db()
    leaf = Leaf.objects.get(record_type="audits.audit", record_id=str(audit.pk))
    facts = audit_facts(audit)
    assert facts["outcome"] == "conformant-1y"
    assert facts["rules"] == audit.programme.fingerprint
    assert facts["grades"] == {"good-practice": 1, "major": 2}
    text = str(facts)
    assert "Piece rates" not in text
    assert auditor.user.email not in text
    assert leaf.record_id == str(audit.pk)


def test_the_tamper_check_sees_a_finding_changed_after_closure(audit, auditor, auditee):
    from oretrace.audits.models import Finding
    from oretrace.audits.records import check_findings

    _closed(audit, auditor, auditee)
    assert list(check_findings()) == []
    Finding.objects.filter(audit=audit, grade="major").update(grade="minor")
    assert [f.record_id for f in check_findings()] == [str(audit.pk)]


def test_an_audit_without_non_conformities_closes_from_the_report(audit, auditor, unit):
    audits.start_fieldwork(audit, actor=auditor)
    findings.record_finding(
        audit,
        criterion(audit, "OHS.4"),
        grade="observation",
        description="First-aid box half empty.",
        actor=auditor,
    )
    audits.issue_report(audit, actor=auditor, report_on=REPORT_ON)
    closure.close_audit(audit, actor=auditor, decided_on=REPORT_ON)
    audit.refresh_from_db()
    assert audit.outcome == "conformant-2y"
    assert audit.valid_until == date(2028, 3, 10)


# --- support ---------------------------------------------------------------------------------


def test_the_auditee_asks_the_programme_owner_for_support(audit, auditor, auditee, supporter):
    wages, _hours = _reported(audit, auditor)
    request = actions.request_support(
        wages, kind="training", message="A wage session in Hindi", actor=auditee
    )
    with pytest.raises(PermissionDenied):
        actions.answer_support(request, status="accepted", response="", actor=auditor)
    actions.answer_support(request, status="accepted", response="Next week", actor=supporter)
    request.refresh_from_db()
    assert request.status == "accepted"


def test_a_corrective_action_links_the_improvement_action_on_the_same_criterion(
    audit, auditor, auditee, improvement_step
):
    wages, _hours = _reported(audit, auditor)
    action = _answer(wages, auditee)
    assert action.improvement == improvement_step


def test_the_closed_audits_result_verifies_offline_with_oretrace_verify(
    audit, auditor, auditee, tmp_path, capsys
):
    from oretrace.cli import main
    from oretrace.ledger import keys
    from oretrace.ledger import queries as ledger_queries
    from oretrace.ledger import services as ledger_services

    _closed(audit, auditor, auditee)
    ledger_services.sign_checkpoint()
    leaf = ledger_queries.latest_leaf("audits.audit", str(audit.pk))
    path = tmp_path / "audit.tlog-proof"
    path.write_text(ledger_queries.bundle_for(leaf))
    vkey = keys.log_verifier().vkey
    assert main(["verify", str(path), "--key", vkey, "--accept-operator-only"]) == 0
    printed = capsys.readouterr().out
    assert "conformant-1y" in printed
    assert "audits.audit" in printed
