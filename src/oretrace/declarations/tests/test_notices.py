"""The declarations app's notices: who hears of answers, decisions and campaign events, and the
daily check of campaigns closing soon or past their due date (each noticed once)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from oretrace.core.choices import NotificationKind, Role
from oretrace.core.models import Notification
from oretrace.core.notifications import render_message
from oretrace.core.services.notifications import run_tick
from oretrace.core.tests.factories import MembershipFactory
from oretrace.declarations import notices
from oretrace.declarations.choices import DeclarationStatus, RequestStatus
from oretrace.declarations.models import Declaration
from oretrace.declarations.tests.factories import (
    CampaignFactory,
    CampaignRequestFactory,
    DeclarationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def officer_a(org_a):
    return MembershipFactory.create(organisation=org_a, roles=[Role.COMPLIANCE_OFFICER])


def _texts(user, kind=None):
    rows = Notification.objects.filter(recipient=user)
    if kind:
        rows = rows.filter(kind=kind)
    return [render_message(n) for n in rows]


def test_an_answer_reaches_those_who_decide_declarations(
    org_a, member_a, officer_a, viewer_a, member_b, django_capture_on_commit_callbacks
):
    request = CampaignRequestFactory.create(
        campaign=CampaignFactory.create(organisation=org_a, owner=member_a)
    )
    with django_capture_on_commit_callbacks(execute=True):
        notices.answered(request, files=2)
    assert len(_texts(officer_a.user, NotificationKind.RECEIVED)) == 1
    assert len(_texts(member_a.user, NotificationKind.RECEIVED)) == 1
    assert _texts(viewer_a.user) == []
    assert _texts(member_b.user) == []
    with translation.override("fr"):
        (text,) = _texts(officer_a.user)
    assert "2 fichiers" in text


def test_a_send_back_tells_the_colleagues_but_not_the_one_who_decided(
    org_a, member_a, officer_a, django_capture_on_commit_callbacks
):
    declaration = DeclarationFactory.create(
        organisation=org_a, status=DeclarationStatus.NEEDS_CORRECTION
    )
    with django_capture_on_commit_callbacks(execute=True):
        notices.decided(declaration, note="Q3 is blank", actor=officer_a)
    (text,) = _texts(member_a.user, NotificationKind.SEND_BACK)
    assert "Q3 is blank" in text
    assert declaration.filename in text
    assert _texts(officer_a.user) == []


def test_opening_tells_the_campaign_team_and_its_owner_once(
    org_a, member_a, officer_a, django_capture_on_commit_callbacks
):
    campaign = CampaignFactory.create(organisation=org_a, owner=officer_a)
    with django_capture_on_commit_callbacks(execute=True):
        notices.opened(campaign, asked=6, actor=member_a)
        notices.opened(campaign, asked=1, actor=member_a)
    assert len(_texts(officer_a.user, NotificationKind.ASSIGNMENT)) == 1
    assert "6 suppliers asked" in _texts(officer_a.user, NotificationKind.CAMPAIGN)[-1]
    assert _texts(member_a.user) == []  # the one who opened it


def test_campaigns_closing_or_overdue_are_noticed_once(
    org_a, member_a, officer_a, django_capture_on_commit_callbacks
):
    today = timezone.localdate()
    closing = CampaignFactory.create(
        organisation=org_a, owner=member_a, due_date=today + timedelta(2)
    )
    late = CampaignFactory.create(organisation=org_a, owner=member_a, due_date=today - timedelta(1))
    answered = CampaignFactory.create(
        organisation=org_a, owner=member_a, due_date=today - timedelta(1)
    )
    CampaignRequestFactory.create(campaign=closing)
    CampaignRequestFactory.create(campaign=late)
    CampaignRequestFactory.create(campaign=late, status=RequestStatus.REMINDED)
    CampaignRequestFactory.create(campaign=answered, status=RequestStatus.ACCEPTED)
    with django_capture_on_commit_callbacks(execute=True):
        result = run_tick()
    assert result["checks"]["declarations.campaigns"] == 2
    (overdue,) = _texts(officer_a.user, NotificationKind.OVERDUE)
    assert "2 suppliers have not answered" in overdue
    (soon,) = _texts(officer_a.user, NotificationKind.CAMPAIGN)
    assert "1 supplier has not answered yet" in soon
    with django_capture_on_commit_callbacks(execute=True):
        again = run_tick(timezone.now() + timedelta(days=1, hours=1))
    assert again["checks"]["declarations.campaigns"] == 0
    assert len(_texts(officer_a.user)) == 2


# --- wired into the services ------------------------------------------------------------------
@pytest.fixture(autouse=False)
def link_jobs_run_at_once(monkeypatch):
    """Files sent through a link are checked by a job; here it runs at once."""
    from oretrace.core.jobs import execute, start_job
    from oretrace.declarations.services import responses

    real = start_job

    def start_and_run(*args, **kwargs):
        job = real(*args, **kwargs)
        execute(job.pk)
        return job

    monkeypatch.setattr(responses, "start_job", start_and_run)


def test_a_campaign_answered_decided_and_sent_back_tells_team_and_supplier(
    org_a,
    member_a,
    officer_a,
    filled,
    mailoutbox,
    link_jobs_run_at_once,
    django_capture_on_commit_callbacks,
):
    from oretrace.declarations import services
    from oretrace.declarations.queries import campaigns as campaign_queries
    from oretrace.declarations.services import responses

    supplier = services.create_supplier(
        actor=member_a, name="Alpha Metals", email="alpha@example.com", language="fr"
    )
    # when A's administrator opens a campaign owned by the officer
    with django_capture_on_commit_callbacks(execute=True):
        campaign = services.create_campaign(
            actor=member_a,
            owner=officer_a,
            name="CMRT 2024",
            family="CMRT",
            reporting_year=2024,
            suppliers=[supplier],
        )
    assert len(_texts(officer_a.user, NotificationKind.CAMPAIGN)) == 1
    assert len(_texts(officer_a.user, NotificationKind.ASSIGNMENT)) == 1
    (request_mail,) = [m for m in mailoutbox if m.to == ["alpha@example.com"]]
    # the officer's notices were mailed to them at once (their default)
    assert [m.to for m in mailoutbox].count([officer_a.user.email]) == 2
    token = request_mail.body.split("/respond/")[1].split("/")[0]
    # the supplier answers through its link: the deciders hear of it
    name, data = filled("Merck")
    with django_capture_on_commit_callbacks(execute=True):
        responses.respond(campaign_queries.find_request(token), [(name, data)])
    assert len(_texts(officer_a.user, NotificationKind.RECEIVED)) == 1
    assert len(_texts(member_a.user, NotificationKind.RECEIVED)) == 1
    # the officer sends the declaration back: the administrator hears, the supplier is mailed
    declaration = Declaration.objects.get()
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(declaration, status="needs_correction", note="Row 3", actor=officer_a)
    (back,) = _texts(member_a.user, NotificationKind.SEND_BACK)
    assert "Row 3" in back
    correction = next(m for m in mailoutbox if m.to == ["alpha@example.com"])
    assert "Row 3" in correction.body
    assert "corriger" in correction.subject  # the supplier's language
    assert officer_a.user.email not in correction.body  # who decided stays inside
    assert f"/respond/{token}/" in correction.body
    # an accepted declaration sends the supplier nothing more
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.decide(declaration, status="accepted", note="ok", actor=officer_a)
    assert [m.to for m in mailoutbox if m.to == ["alpha@example.com"]] == []
    # closing tells the campaign team
    with django_capture_on_commit_callbacks(execute=True):
        services.close_campaign(campaign, actor=member_a)
    assert any("was closed" in t for t in _texts(officer_a.user, NotificationKind.CAMPAIGN))
