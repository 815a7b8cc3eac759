"""Assessments tell the right people: the supplier's contributors of an assignment, a
send-back and a decision; the assigner's reviewers of a submission and a support request; both
sides, once, of an assessment past its due date."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from oretrace.assessments import services
from oretrace.assessments.services import plans
from oretrace.assessments.tests.test_plans import WEAK
from oretrace.assessments.tests.test_services import answer_all
from oretrace.core.choices import NotificationKind, Role
from oretrace.core.models import Notification
from oretrace.core.notifications import render_message
from oretrace.core.services.notifications import run_tick
from oretrace.core.tests.factories import MembershipFactory

pytestmark = pytest.mark.django_db


def _told(user, kind):
    return Notification.objects.filter(recipient=user, kind=kind)


def test_the_supplier_hears_of_the_assignment_and_a_viewer_does_not(
    assign, member_a, supplier_org, supplier, django_capture_on_commit_callbacks
):
    viewer = MembershipFactory.create(organisation=supplier_org, roles=[Role.VIEWER])
    with django_capture_on_commit_callbacks(execute=True):
        assessment = assign()
    (row,) = _told(supplier.user, NotificationKind.ASSIGNMENT)
    assert row.organisation_id == supplier_org.pk
    assert row.link == f"/assessments/{assessment.pk}/"
    assert not _told(viewer.user, NotificationKind.ASSIGNMENT).exists()
    assert not _told(member_a.user, NotificationKind.ASSIGNMENT).exists()  # the assigner acted
    with translation.override("fr"):
        assert str(member_a.organisation) in render_message(row)


def test_submission_send_back_and_decision_go_to_the_other_side(
    assessment, supplier, member_a, django_capture_on_commit_callbacks
):
    reviewer = MembershipFactory.create(
        organisation=member_a.organisation, roles=[Role.COMPLIANCE_OFFICER]
    )
    answer_all(assessment, supplier, WEAK)
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(assessment, actor=supplier)
    assert _told(reviewer.user, NotificationKind.RECEIVED).count() == 1
    assert _told(member_a.user, NotificationKind.RECEIVED).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        services.send_back(assessment, note="LAB.2 needs the register", actor=member_a)
    (back,) = _told(supplier.user, NotificationKind.SEND_BACK)
    assert "LAB.2 needs the register" in render_message(back)
    assert not _told(member_a.user, NotificationKind.SEND_BACK).exists()
    with django_capture_on_commit_callbacks(execute=True):
        services.submit(assessment, actor=supplier)
        services.accept(assessment, actor=reviewer)
    assert _told(supplier.user, NotificationKind.DECISION).count() == 1


def test_support_requests_and_their_answers(
    assessment, supplier, member_a, django_capture_on_commit_callbacks
):
    answer_all(assessment, supplier, WEAK)
    submitted = services.submit(assessment, actor=supplier)
    action = plans.generate_plan(submitted, actor=supplier)[0]
    with django_capture_on_commit_callbacks(execute=True):
        request = plans.request_support(
            action, kind="site_visit", message="Please visit", actor=supplier
        )
    assert _told(member_a.user, NotificationKind.SUPPORT).count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        plans.answer_support(request, status="declined", response="No budget", actor=member_a)
    (answer,) = _told(supplier.user, NotificationKind.SUPPORT)
    assert "No budget" in render_message(answer)


def test_an_overdue_assessment_is_noticed_once_by_both_sides(
    assessment, supplier, member_a, django_capture_on_commit_callbacks
):
    type(assessment).objects.filter(pk=assessment.pk).update(
        due_on=timezone.localdate() - timedelta(days=1)
    )
    with django_capture_on_commit_callbacks(execute=True):
        first = run_tick()
    assert first["checks"]["assessments.overdue"] == 1
    assert _told(supplier.user, NotificationKind.OVERDUE).count() == 1
    assert _told(member_a.user, NotificationKind.OVERDUE).count() == 1
    told = Notification.objects.filter(kind=NotificationKind.OVERDUE).count()
    # the next day's check finds it told already
    with django_capture_on_commit_callbacks(execute=True):
        later = run_tick(timezone.now() + timedelta(days=1, hours=1))
    assert later["checks"]["assessments.overdue"] == 0
    assert Notification.objects.filter(kind=NotificationKind.OVERDUE).count() == told
