"""What the audits app tells people, and the daily check of overdue corrective actions."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from oretrace.audits import notices
from oretrace.audits.services import actions
from oretrace.audits.tests.conftest import overdue_wages_action
from oretrace.core.models import Notification
from oretrace.core.tests.fixtures import web_client


def _at(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 9, tzinfo=UTC)


def test_an_overdue_action_is_told_to_all_three_sides_once(
    audit, auditor, auditee, supporter, django_capture_on_commit_callbacks
):
    action = overdue_wages_action(audit, auditor, auditee)
    with django_capture_on_commit_callbacks(execute=True):
        assert notices.overdue_actions(_at(action.due_on)) == 0  # due today: not late yet
        assert notices.overdue_actions(_at(action.due_on + timedelta(days=1))) == 1
    told = set(Notification.objects.filter(kind="overdue").values_list("recipient", flat=True))
    assert told == {auditee.user_id, auditor.user_id, supporter.user_id}
    with django_capture_on_commit_callbacks(execute=True):
        assert notices.overdue_actions(_at(action.due_on + timedelta(days=2))) == 0


def test_a_done_action_is_not_overdue(audit, auditor, auditee):
    action = overdue_wages_action(audit, auditor, auditee)
    actions.update_action(action, actor=auditee, status="done")
    assert notices.overdue_actions_of(action.due_on + timedelta(days=5)) == []


def test_the_report_tells_the_auditee(audit, auditor, auditee, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        overdue_wages_action(audit, auditor, auditee)
    messages = list(
        Notification.objects.filter(recipient=auditee.user).values_list("kind", flat=True)
    )
    assert "decision" in messages  # the report, with the plan's deadline


def test_the_dashboards_of_the_auditee_and_the_programme_show_an_overdue_action(
    audit, auditor, auditee, supporter, monkeypatch
):
    from django.urls import reverse

    action = overdue_wages_action(audit, auditor, auditee)
    later = action.due_on + timedelta(days=3)
    monkeypatch.setattr(timezone, "localdate", lambda *a: later)
    for member in (auditee, supporter, auditor):
        client = web_client(member)
        page = client.get(reverse("web:dashboard")).content.decode()
        assert 'id="audit-actions-overdue"' in page
        assert "LAB.3" in page
        # the auditee is taken to where it answers; the others to the audit's page
        answer = reverse("audits:answer", args=[audit.pk])
        detail = reverse("audits:detail", args=[audit.pk])
        assert (f'href="{answer}#' in page) == (member == auditee)
        assert (f'href="{detail}#' in page) == (member != auditee)


def test_an_action_coming_due_is_recalled_to_the_auditee_once(
    audit, auditor, auditee, supporter, settings, django_capture_on_commit_callbacks
):
    settings.ORETRACE_AUDIT_ACTION_REMINDER_DAYS = 7
    action = overdue_wages_action(audit, auditor, auditee)  # due on 2026-04-01
    with django_capture_on_commit_callbacks(execute=True):
        assert notices.actions_due_soon(_at(action.due_on - timedelta(days=8))) == 0  # too early
        assert notices.actions_due_soon(_at(action.due_on - timedelta(days=7))) == 1
    with django_capture_on_commit_callbacks(execute=True):
        assert notices.actions_due_soon(_at(action.due_on - timedelta(days=3))) == 0  # told
    told = Notification.objects.filter(kind="reminder")
    assert set(told.values_list("recipient", flat=True)) == {auditee.user_id}
    assert told.get().message.endswith("is due on %(due)s and is not done yet.")
    assert told.get().values["due"] == "2026-04-01"
    # a new due date is reminded again; a done action is not
    actions.update_action(action, actor=auditee, due_on=date(2026, 4, 20))
    with django_capture_on_commit_callbacks(execute=True):
        assert notices.actions_due_soon(_at(date(2026, 4, 15))) == 1
    actions.update_action(action, actor=auditee, status="done")
    assert notices.actions_due_soon_of(date(2026, 4, 15)) == []


@pytest.fixture
def plan_told(
    mica, body, auditor, auditee_org, unit, owner_org, django_capture_on_commit_callbacks
):
    """Plans an audit of the type given, its notices sent."""
    from oretrace.audits.services import audits as audit_services

    def plan(kind):
        with django_capture_on_commit_callbacks(execute=True):
            return audit_services.plan_audit(
                actor=auditor,
                organisation=body,
                programme=mica,
                audit_type=kind,
                auditee=auditee_org,
                facility=unit,
                scope="Processing unit, night shift",
                planned_start=date(2026, 3, 2),
                planned_end=date(2026, 3, 2),
                programme_owner=owner_org,
            )

    return plan


def test_an_unannounced_audit_stays_hidden_from_the_auditee_until_the_auditors_are_on_site(
    plan_told, auditor, auditee, django_capture_on_commit_callbacks
):
    from oretrace.audits import queries
    from oretrace.audits.services import audits as audit_services

    # given an unannounced audit planned by the audit body
    audit = plan_told("unannounced")
    # then the auditee is not told and does not see it; the body does
    assert not Notification.objects.filter(recipient=auditee.user).exists()
    assert audit not in queries.audits_for(auditee)
    assert web_client(auditee).get(f"/audits/{audit.pk}/").status_code == 404
    assert audit in queries.audits_for(auditor)
    # when the auditors start the fieldwork
    with django_capture_on_commit_callbacks(execute=True):
        audit_services.start_fieldwork(audit, actor=auditor)
    # then the auditee sees the audit and is told it started
    assert audit in queries.audits_for(auditee)
    assert web_client(auditee).get(f"/audits/{audit.pk}/").status_code == 200
    told = Notification.objects.get(recipient=auditee.user)
    assert told.message == "%(body)s started the unannounced audit %(audit)s of %(facility)s."


def test_an_announced_audit_is_told_to_the_auditee_when_planned_only(
    plan_told, auditor, auditee, django_capture_on_commit_callbacks
):
    from oretrace.audits.services import audits as audit_services

    audit = plan_told("initial")
    assert Notification.objects.filter(recipient=auditee.user, kind="assignment").count() == 1
    with django_capture_on_commit_callbacks(execute=True):
        audit_services.start_fieldwork(audit, actor=auditor)
    assert Notification.objects.filter(recipient=auditee.user, kind="assignment").count() == 1
