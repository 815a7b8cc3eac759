"""Improvement plans: actions from gaps with steps and due dates by severity, training modules
linked to gaps, progress with evidence, support requests answered by the assigner, and a
re-assessment showing progress over time."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from oretrace.assessments import queries, services
from oretrace.assessments.choices import ActionStatus, SupportStatus
from oretrace.assessments.exceptions import AssessmentError, EvidenceError
from oretrace.assessments.services import plans
from oretrace.assessments.tests.conftest import questions
from oretrace.assessments.tests.test_services import ALL_GOOD, answer_all, pdf
from oretrace.core.exceptions import InvalidTransition, PermissionDenied

pytestmark = pytest.mark.django_db

WEAK = {**ALL_GOOD, "LAB.1.a": "no", "LAB.2.a": "60", "OHS.4.a": "partly", "ENV.2.a": "no"}


@pytest.fixture
def submitted(assessment, supplier):
    answer_all(assessment, supplier, WEAK)
    return services.submit(assessment, actor=supplier)


def test_gaps_come_most_serious_first(submitted, member_a):
    gaps = queries.gaps_of(submitted, member_a)
    assert [(g.criterion.code, g.criterion.severity, g.outcome) for g in gaps] == [
        ("LAB.1", "critical", "partly"),  # ages not checked, but no child found
        ("LAB.2", "high", "partly"),
        ("ENV.2", "medium", "not_met"),
        ("OHS.4", "medium", "partly"),
    ]


def test_plan_has_an_action_per_gap_with_steps_and_due_date_by_severity(submitted, supplier):
    start = date(2026, 1, 1)
    actions = plans.generate_plan(submitted, actor=supplier, language="hi", today=start)
    by_code = {a.criterion.code: a for a in actions}
    assert set(by_code) == {"LAB.1", "LAB.2", "ENV.2", "OHS.4"}
    assert by_code["LAB.1"].due_on == start + timedelta(days=30)
    assert by_code["LAB.2"].due_on == start + timedelta(days=90)
    assert by_code["ENV.2"].due_on == start + timedelta(days=180)
    assert "पहचान" in by_code["LAB.1"].steps  # the Hindi steps of the criterion
    # generating again adds nothing
    assert plans.generate_plan(submitted, actor=supplier) == []


def test_no_plan_before_submission(assessment, supplier):
    with pytest.raises(InvalidTransition, match="generated from a submitted assessment"):
        plans.generate_plan(assessment, actor=supplier)


def _add_module(member, **given):
    """A training module of ``member``'s organisation for LAB.1, added as ``member`` unless
    ``given`` says otherwise."""
    module = {
        "organisation": member.organisation,
        "title": "x",
        "language": "en",
        "format": "video",
        "standard_code": "mica-processing-workplace",
        "criterion_codes": ["LAB.1"],
        "url": "https://training.example.org/x",
        "actor": member,
    }
    return plans.add_training_module(**{**module, **given})


def test_training_modules_are_linked_to_the_gaps_they_cover(submitted, member_a, supplier):
    _add_module(
        member_a,
        title="Checking ages at the gate",
        language="hi",
        url="https://training.example.org/ages",
    )
    with pytest.raises(AssessmentError, match=r"criteria not in mica-processing-workplace: X\.9"):
        _add_module(member_a, criterion_codes=["X.9"])
    with pytest.raises(PermissionDenied):
        _add_module(member_a, actor=supplier)
    gaps = {g.criterion.code: g for g in queries.gaps_of(submitted, member_a)}
    assert [m.title for m in gaps["LAB.1"].training] == ["Checking ages at the gate"]
    assert gaps["LAB.2"].training == []


def test_progress_support_and_completion(submitted, supplier, member_a):
    action = plans.generate_plan(submitted, actor=supplier)[0]
    plans.update_action(
        action, status=ActionStatus.IN_PROGRESS, owner_name="Unit manager", actor=supplier
    )
    update = plans.add_progress(action, text="Age register started", upload=pdf(), actor=supplier)
    assert update.original_name == "proof.pdf"
    with pytest.raises(EvidenceError):
        plans.add_progress(action, text="x", actor=supplier, upload=pdf("x.pdf", b"<html>"))
    request = plans.request_support(
        action, kind="site_visit", message="Please visit", actor=supplier
    )
    with pytest.raises(PermissionDenied):
        plans.answer_support(request, status="accepted", response="", actor=supplier)
    with pytest.raises(AssessmentError, match="say why"):
        plans.answer_support(request, status="declined", response="", actor=member_a)
    plans.answer_support(request, status="accepted", response="Visit on 3 March", actor=member_a)
    assert request.status == SupportStatus.ACCEPTED
    with pytest.raises(PermissionDenied):
        plans.update_action(action, status=ActionStatus.DONE, actor=member_a)
    plans.update_action(action, status=ActionStatus.DONE, actor=supplier)
    assert action.done_at is not None


def test_reassessment_shows_progress_over_time(
    submitted, assign, supplier, member_a, mica_standard, unit
):
    second = assign()
    answer_all(second, supplier)
    services.submit(second, actor=supplier)
    history = queries.history(second, member_a)
    assert [a.pk for a in history] == [submitted.pk, second.pk]
    assert history[0].score is not None
    assert history[1].score is not None
    assert history[0].score < history[1].score
    assert queries.latest_for_facility(unit, member_a) == second
    assert questions(mica_standard)  # the same standard version served both
