"""Services: assignment, answering with evidence, submission to the ledger, review, comments."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from oretrace.assessments import services
from oretrace.assessments.choices import AssessmentStatus
from oretrace.assessments.exceptions import AssessmentError, EvidenceError
from oretrace.assessments.models import Answer, Evidence
from oretrace.assessments.tests.conftest import questions
from oretrace.core.choices import ChangeAction, Role
from oretrace.core.exceptions import InvalidTransition, PermissionDenied
from oretrace.core.models import ChangeLogEntry
from oretrace.core.tests.factories import MembershipFactory
from oretrace.ledger.models import Leaf
from oretrace.ledger.services import facts_of

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n%test\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32

# Answers that make every required question of the mica standard answered.
ALL_GOOD = {
    "ENV.1.a": "yes",
    "ENV.2.a": "yes",
    "OHS.1.a": "yes",
    "OHS.1.b": "separate",
    "OHS.2.a": "no",
    "OHS.3.a": "yes",
    "OHS.3.b": "95",
    "OHS.4.a": "yes",
    "OHS.4.b": "2",
    "OHS.5.a": "na",
    "LAB.1.a": "yes",
    "LAB.1.b": "no",
    "LAB.2.a": "48",
    "LAB.2.b": "yes",
    "LAB.3.a": "yes",
    "LAB.3.b": "bank",
    "LAB.4.a": "yes",
    "LAB.5.a": "yes",
    "LAB.6.a": "yes",
    "LAB.6.b": "yes",
    "GOV.1.a": "yes",
    "GOV.1.b": "all",
    "GOV.3.a": "yes",
}
NEEDS_FILES = ("ENV.1.a", "LAB.1.a", "LAB.3.a", "GOV.1.a", "GOV.2.a", "GOV.3.a")


def pdf(name: str = "proof.pdf", data: bytes = PDF) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/pdf")


def answer_all(assessment, actor, answers=ALL_GOOD, files=NEEDS_FILES):
    qs = questions(assessment.standard)
    for code, value in answers.items():
        if code == "LAB.4.b":
            continue
        services.save_answer(assessment, qs[code], value=value, actor=actor)
    services.save_answer(
        assessment,
        qs["LAB.4.b"],
        value=(timezone.localdate() - timedelta(days=30)).isoformat(),
        actor=actor,
    )
    for code in files:
        services.add_evidence(assessment, qs[code], upload=pdf(), actor=actor)


# assignment


def test_assign_is_logged_and_seen_by_both(assessment, member_a, supplier):
    from oretrace.assessments.models import Assessment

    assert assessment.status == AssessmentStatus.ASSIGNED
    entry = ChangeLogEntry.objects.filter(
        content_type__model="assessment", object_id=str(assessment.pk)
    ).get()
    assert entry.action == ChangeAction.CREATE
    assert Assessment.objects.for_member(member_a).filter(pk=assessment.pk).exists()
    assert Assessment.objects.for_member(supplier).filter(pk=assessment.pk).exists()


def test_nobody_else_sees_it(assessment, member_b):
    from oretrace.assessments.models import Answer, Assessment

    assert not Assessment.objects.for_member(member_b).exists()
    assert not Answer.objects.for_member(member_b).exists()


def test_assign_checks_role_supplier_facility_and_date(
    mica_standard, member_a, supplier_org, unit, org_b, viewer_a
):
    due = timezone.localdate() + timedelta(days=10)
    with pytest.raises(PermissionDenied, match="you need the role compliance officer or auditor"):
        services.assign_assessment(
            standard=mica_standard, supplier=supplier_org, facility=unit, due_on=due, actor=viewer_a
        )
    with pytest.raises(AssessmentError, match="neither recorded nor run by"):
        services.assign_assessment(
            standard=mica_standard, supplier=org_b, facility=unit, due_on=due, actor=member_a
        )
    with pytest.raises(AssessmentError, match="cannot assign an assessment to itself"):
        services.assign_assessment(
            standard=mica_standard, supplier=member_a.organisation, due_on=due, actor=member_a
        )
    with pytest.raises(AssessmentError, match="is in the past"):
        services.assign_assessment(
            standard=mica_standard,
            supplier=supplier_org,
            facility=unit,
            due_on=timezone.localdate() - timedelta(days=1),
            actor=member_a,
        )


# answering


def test_answers_are_saved_as_they_go(assessment, supplier):
    qs = questions(assessment.standard)
    services.save_answer(assessment, qs["LAB.2.a"], value="50", note="peak season", actor=supplier)
    services.save_answer(assessment, qs["LAB.2.a"], value="46", actor=supplier)
    answer = Answer.objects.get(assessment=assessment, question=qs["LAB.2.a"])
    assert answer.value == "46"
    assert answer.note == "peak season"
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.IN_PROGRESS
    entries = ChangeLogEntry.objects.filter(content_type__model="answer")
    assert entries.count() == 2
    assert {e.organisation_id for e in entries} == {assessment.supplier_id}


def test_only_the_supplier_answers_and_values_are_checked(assessment, member_a, supplier):
    qs = questions(assessment.standard)
    with pytest.raises(PermissionDenied, match="only contributors of"):
        services.save_answer(assessment, qs["LAB.2.a"], value="40", actor=member_a)
    with pytest.raises(AssessmentError, match=r"LAB\.2\.a: 'forty' is not a number"):
        services.save_answer(assessment, qs["LAB.2.a"], value="forty", actor=supplier)
    with pytest.raises(AssessmentError, match=r"OHS\.1\.b: answer one of separate, shared, none"):
        services.save_answer(assessment, qs["OHS.1.b"], value="maybe", actor=supplier)
    assert not Answer.objects.exists()


def test_evidence_is_stored_with_its_digest(assessment, supplier):
    qs = questions(assessment.standard)
    item = services.add_evidence(
        assessment, qs["LAB.1.a"], upload=pdf("ages/../register.pdf"), actor=supplier
    )
    assert item.original_name == "register.pdf"
    assert item.content_type == "application/pdf"
    assert item.size == len(PDF)
    assert len(item.sha256) == 64
    assert item.file.read() == PDF
    photo = services.add_evidence(
        assessment, qs["LAB.1.a"], upload=SimpleUploadedFile("wall.png", PNG), actor=supplier
    )
    assert photo.content_type == "image/png"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("payload.exe", b"MZ\x90\x00", "only PDF, JPEG, PNG or WebP"),
        ("page.html", b"<script>alert(1)</script>", "only PDF, JPEG, PNG or WebP"),
        ("image.svg", b"<svg onload='x'/>", "only PDF, JPEG, PNG or WebP"),
        ("fake.pdf", b"<html><script>alert(1)</script>", "the content is not a PDF"),
        ("fake.jpg", PDF, "the content is not a JPG"),
        ("riff.webp", b"RIFF\x00\x00\x00\x00WAVEfmt ", "the content is not a WEBP"),
        ("empty.pdf", b"", "the file is empty"),
        ("no-extension", PDF, "only PDF, JPEG, PNG or WebP"),
    ],
)
def test_hostile_uploads_are_refused_and_leave_nothing(
    assessment, supplier, settings, name, data, message
):
    qs = questions(assessment.standard)
    with pytest.raises(EvidenceError, match=message):
        services.add_evidence(
            assessment, qs["LAB.1.a"], upload=SimpleUploadedFile(name, data), actor=supplier
        )
    assert not Evidence.objects.exists()
    media = settings.MEDIA_ROOT
    assert not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def test_uploads_over_the_size_limit_are_refused(assessment, supplier, settings):
    settings.ORETRACE_EVIDENCE_MAX_MB = 1
    big = PDF + b"0" * (1024 * 1024)
    with pytest.raises(EvidenceError, match="the limit is 1 MB"):
        services.add_evidence(
            assessment,
            questions(assessment.standard)["LAB.1.a"],
            upload=pdf(data=big),
            actor=supplier,
        )


def test_evidence_can_be_removed_while_open(
    assessment, supplier, django_capture_on_commit_callbacks
):
    item = services.add_evidence(
        assessment, questions(assessment.standard)["LAB.1.a"], upload=pdf(), actor=supplier
    )
    path = item.file.path
    with django_capture_on_commit_callbacks(execute=True):
        services.remove_evidence(item, actor=supplier)
    assert not Evidence.objects.exists()
    import os

    assert not os.path.exists(path)


# submission


def test_submit_needs_every_required_shown_question(assessment, supplier):
    qs = questions(assessment.standard)
    services.save_answer(assessment, qs["ENV.1.a"], value="yes", actor=supplier)
    with pytest.raises(
        AssessmentError, match=r"required question\(s\) have no answer yet: ENV.2.a"
    ):
        services.submit(assessment, actor=supplier)
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.IN_PROGRESS
    assert not Leaf.objects.filter(record_type="assessments.assessment").exists()


def test_submit_scores_and_commits_the_result_to_the_ledger(assessment, supplier):
    # given every answer good and every file given, but hours above the limit
    answer_all(assessment, supplier, {**ALL_GOOD, "LAB.2.a": "56"})
    # when
    services.submit(assessment, actor=supplier)
    # then
    assessment.refresh_from_db()
    assert assessment.status == AssessmentStatus.SUBMITTED
    assert assessment.result["criteria"]["LAB.2"] == "partly"  # 56 h fails, rest-day passes
    assert assessment.result["criteria"]["OHS.2"] == "na"  # no machines: questions hidden
    assert assessment.result["criteria"]["OHS.5"] == "na"
    assert assessment.result["gaps"] == ["LAB.2"]
    assert assessment.score == Decimal("96.4")  # 13.5 of 14 applicable criteria
    leaf = Leaf.objects.get(record_type="assessments.assessment", record_id=str(assessment.pk))
    facts = facts_of(leaf)
    assert facts is not None
    assert facts["standard"] == "mica-processing-workplace"
    assert facts["standard_version"] == "2026.1"
    assert facts["score"] == "96.4"
    assert facts["criteria"]["LAB.2"] == "partly"
    assert "supplier@" not in str(facts)  # no personal data


def test_send_back_then_resubmit_appends_a_new_version(assessment, supplier, member_a, viewer_a):
    answer_all(assessment, supplier)
    services.submit(assessment, actor=supplier)
    with pytest.raises(PermissionDenied):
        services.send_back(assessment, note="why?", actor=viewer_a)
    with pytest.raises(AssessmentError, match="say what needs clarifying"):
        services.send_back(assessment, note=" ", actor=member_a)
    services.send_back(assessment, note="Upload the age register, please.", actor=member_a)
    assert assessment.status == AssessmentStatus.RETURNED
    services.save_answer(
        assessment, questions(assessment.standard)["LAB.5.a"], value="partly", actor=supplier
    )
    services.submit(assessment, actor=supplier)
    versions = Leaf.objects.filter(
        record_type="assessments.assessment", record_id=str(assessment.pk)
    ).values_list("version", flat=True)
    assert sorted(versions) == [1, 2]
    services.accept(assessment, actor=member_a)
    assert assessment.status == AssessmentStatus.ACCEPTED
    with pytest.raises(InvalidTransition, match="takes no answers"):
        services.save_answer(
            assessment, questions(assessment.standard)["LAB.5.a"], value="yes", actor=supplier
        )
    with pytest.raises(InvalidTransition):
        services.accept(assessment, actor=member_a)


def test_comments_from_both_sides_only(assessment, supplier, member_a, member_b):
    q = questions(assessment.standard)["LAB.1.a"]
    services.comment(assessment, q, text="Which document do you check?", actor=member_a)
    services.comment(assessment, q, text="The school certificate.", actor=supplier)
    with pytest.raises(PermissionDenied):
        services.comment(assessment, q, text="hello", actor=member_b)
    answer = Answer.objects.get(assessment=assessment, question=q)
    assert [c.author_organisation_id for c in answer.comments.all()] == [
        member_a.organisation_id,
        supplier.organisation_id,
    ]


def test_a_compliance_officer_of_the_supplier_may_answer_a_viewer_may_not(assessment, supplier_org):
    viewer = MembershipFactory.create(organisation=supplier_org, roles=[Role.VIEWER])
    officer = MembershipFactory.create(organisation=supplier_org, roles=[Role.COMPLIANCE_OFFICER])
    q = questions(assessment.standard)["LAB.5.a"]
    with pytest.raises(PermissionDenied):
        services.save_answer(assessment, q, value="yes", actor=viewer)
    services.save_answer(assessment, q, value="yes", actor=officer)


def test_the_tamper_audit_recomputes_the_result_and_catches_a_changed_score(
    assessment, supplier, member_a
):
    from oretrace.assessments.models import Assessment
    from oretrace.ledger.audit import run_audit

    # given a submitted, returned, resubmitted and accepted assessment
    answer_all(assessment, supplier)
    services.submit(assessment, actor=supplier)
    services.send_back(assessment, note="Which register?", actor=member_a)
    services.submit(assessment, actor=supplier)
    services.accept(assessment, actor=member_a)

    def ours(run):  # organisations made by the test factories have no leaf of their own
        return [p for p in run.problems if p["record_type"] == "assessments.assessment"]

    # then the audit finds the committed facts in the database
    assert ours(run_audit()) == []
    # when someone changes the stored score behind the services' back
    Assessment.objects.filter(pk=assessment.pk).update(score=Decimal("12.5"))
    # then the audit reports that record
    assert [p["record_id"] for p in ours(run_audit())] == [str(assessment.pk)]
