"""Notifications: recipients by role, the reader's language, e-mail at most once, digests,
tenancy of the pages, the preferences form, and nothing of them in the transparency log."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_noop

from oretrace.core.actors import SYSTEM
from oretrace.core.choices import Digest, NotificationKind, Role
from oretrace.core.exceptions import OretraceError
from oretrace.core.models import Notification, User
from oretrace.core.notifications import render_message
from oretrace.core.permissions import can_manage_organisation, can_share
from oretrace.core.services import notifications as notices
from oretrace.core.services import onboarding
from oretrace.core.services.notifications import run_tick, send_digest
from oretrace.core.tests.factories import MembershipFactory
from oretrace.core.tests.fixtures import web_client

pytestmark = pytest.mark.django_db

# A message the catalogues translate (the invitation-accepted notice).
JOINED = gettext_noop("%(name)s accepted the invitation and joined %(org)s.")


def _notify(org, capture, **kwargs):
    options: dict[str, Any] = {
        "kind": NotificationKind.ONBOARDING,
        "message": JOINED,
        "values": {"name": "Asha Rao", "org": str(org)},
        "link": "/organisation/",
    }
    options.update(kwargs)
    with capture(execute=True):
        notices.notify(org, **options)


def test_recipients_are_chosen_by_permission(
    org_a, member_a, viewer_a, member_b, django_capture_on_commit_callbacks
):
    # given an administrator, a compliance officer and a viewer in A, and B's administrator
    officer = MembershipFactory.create(organisation=org_a, roles=[Role.COMPLIANCE_OFFICER])
    # when A's members who may share are told
    _notify(org_a, django_capture_on_commit_callbacks, permission=can_share)
    # then the administrator (every role) and the officer are, the viewer and B are not
    told = set(Notification.objects.values_list("recipient_id", flat=True))
    assert told == {member_a.user_id, officer.user_id}
    assert set(Notification.objects.values_list("organisation_id", flat=True)) == {org_a.pk}


def test_the_actor_is_left_out_and_inactive_members_are_not_told(
    org_a, member_a, django_capture_on_commit_callbacks
):
    other = MembershipFactory.create(organisation=org_a, roles=[Role.ADMIN])
    gone = MembershipFactory.create(organisation=org_a, roles=[Role.ADMIN], is_active=False)
    _notify(
        org_a,
        django_capture_on_commit_callbacks,
        permission=can_manage_organisation,
        exclude=member_a.user,
    )
    assert list(Notification.objects.values_list("recipient_id", flat=True)) == [other.user_id]
    assert gone.user_id not in Notification.objects.values_list("recipient_id", flat=True)


def test_rows_are_written_after_commit_and_never_for_a_change_rolled_back(
    org_a, member_a, django_capture_on_commit_callbacks
):
    from django.db import transaction

    # a notice waits for the commit of the change that sent it
    with django_capture_on_commit_callbacks(execute=True):
        notices.notify(
            org_a,
            kind=NotificationKind.ONBOARDING,
            message=JOINED,
            values={"name": "x", "org": "y"},
            users=[member_a.user],
        )
        assert not Notification.objects.exists()
    assert Notification.objects.count() == 1

    def change() -> None:
        with transaction.atomic():
            notices.notify(
                org_a,
                kind=NotificationKind.ONBOARDING,
                message=JOINED,
                values={"name": "x", "org": "y"},
                permission=can_manage_organisation,
            )
            raise RuntimeError("the change failed")

    # a change that rolls back tells nobody
    with django_capture_on_commit_callbacks(execute=True) as callbacks, pytest.raises(RuntimeError):
        change()
    assert callbacks == []
    assert Notification.objects.count() == 1


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"kind": "gossip"}, "kind 'gossip'"),
        ({"message": ""}, "message id"),
        ({"values": {"n": 1.5}}, "value 'n'"),
        ({"link": "https://elsewhere.example/"}, "starting with '/'"),
        ({"message_plural": "%(count)s x"}, "'count'"),
        ({"permission": None}, "who should know"),
    ],
)
def test_bad_notices_are_refused_naming_what_is_wrong(org_a, overrides, message):
    options: dict[str, Any] = {
        "kind": NotificationKind.ONBOARDING,
        "message": JOINED,
        "values": {"name": "x", "org": "y"},
        "permission": can_manage_organisation,
    }
    options.update(overrides)
    with pytest.raises(OretraceError, match=message):
        notices.notify(org_a, **options)


def test_the_message_is_stored_in_english_and_read_in_the_readers_language(
    org_a, member_a, django_capture_on_commit_callbacks
):
    _notify(org_a, django_capture_on_commit_callbacks, users=[member_a.user])
    row = Notification.objects.get()
    assert row.message == JOINED  # the message id, never a translation
    assert row.values == {"name": "Asha Rao", "org": str(org_a)}
    with translation.override("fr"):
        french = render_message(row)
    with translation.override("hi"):
        hindi = render_message(row)
    assert "Asha Rao" in french
    assert french != render_message(row)
    assert "Asha Rao" in hindi
    assert hindi not in (french, render_message(row))


def test_plural_messages_follow_the_count(org_a, member_a, django_capture_on_commit_callbacks):
    _notify(
        org_a,
        django_capture_on_commit_callbacks,
        users=[member_a.user],
        message="%(count)s supplier is late",
        message_plural="%(count)s suppliers are late",
        values={"count": 3},
    )
    assert render_message(Notification.objects.get()) == "3 suppliers are late"


@pytest.mark.parametrize(("language", "words"), [("fr", "a accepté"), ("hi", "स्वीकार")])
def test_the_email_is_written_in_the_recipients_language(
    org_a, member_a, mailoutbox, django_capture_on_commit_callbacks, language, words
):
    # given a recipient who reads French (or Hindi), whatever language the sender used
    User.objects.filter(pk=member_a.user_id).update(language=language)
    # when a notification is sent while English is active
    with translation.override("en"):
        _notify(org_a, django_capture_on_commit_callbacks, users=[member_a.user])
    # then one mail in their language, plain text and HTML, with the link
    (message,) = mailoutbox
    assert message.to == [member_a.user.email]
    assert words in message.body
    html, mimetype = message.alternatives[0]
    assert mimetype == "text/html"
    assert words in html
    assert "/organisation/" in message.body
    assert Notification.objects.get().emailed_at is not None


def test_each_notification_is_emailed_at_most_once(
    org_a, member_a, mailoutbox, django_capture_on_commit_callbacks
):
    from oretrace.core.services.notifications import send_notification_email

    _notify(org_a, django_capture_on_commit_callbacks, users=[member_a.user])
    row = Notification.objects.get()
    assert len(mailoutbox) == 1
    # a second delivery of the task (a retried worker) sends nothing
    assert send_notification_email(row.pk) is False
    assert len(mailoutbox) == 1
    # nor does a digest take it again
    User.objects.filter(pk=member_a.user_id).update(digest=Digest.DAILY)
    assert send_digest(member_a.user_id) == 0
    assert len(mailoutbox) == 1


def test_in_the_app_only_sends_no_mail(
    org_a, member_a, mailoutbox, django_capture_on_commit_callbacks
):
    User.objects.filter(pk=member_a.user_id).update(digest=Digest.NONE)
    _notify(org_a, django_capture_on_commit_callbacks, users=[member_a.user])
    run_tick(timezone.now() + timedelta(days=8))
    assert mailoutbox == []
    assert Notification.objects.get().emailed_at is None


def test_a_daily_digest_gathers_the_days_notifications_once(
    org_a, member_a, mailoutbox, django_capture_on_commit_callbacks
):
    # given someone on the daily digest since yesterday, with two new notifications
    start = timezone.now() - timedelta(days=1, minutes=1)
    User.objects.filter(pk=member_a.user_id).update(
        digest=Digest.DAILY, last_digest_at=start, language="fr"
    )
    _notify(org_a, django_capture_on_commit_callbacks, users=[member_a.user])
    _notify(
        org_a,
        django_capture_on_commit_callbacks,
        users=[member_a.user],
        values={"name": "B", "org": "O"},
    )
    assert mailoutbox == []  # nothing at once
    # when the worker's tick comes
    result = run_tick()
    # then one digest, in French, holding both
    assert result["digests"] == 1
    (digest,) = mailoutbox
    assert "Asha Rao" in digest.body
    assert "B a accepté" in digest.body
    assert "2" in digest.subject
    # and the next tick, the same day, sends nothing again
    assert run_tick()["digests"] == 0
    # nor tomorrow's, with nothing new
    assert run_tick(timezone.now() + timedelta(days=1, hours=1))["digests"] == 0
    assert len(mailoutbox) == 1


def _one_notice_since_the_last_digest(org, member, on_commit, digest) -> None:
    """``member`` takes ``digest`` e-mails, the last one sent two days ago, and has one notice
    since."""
    User.objects.filter(pk=member.user_id).update(
        digest=digest, last_digest_at=timezone.now() - timedelta(days=2)
    )
    _notify(org, on_commit, users=[member.user])


def test_a_weekly_digest_waits_for_its_week(
    org_a, member_a, mailoutbox, django_capture_on_commit_callbacks
):
    _one_notice_since_the_last_digest(
        org_a, member_a, django_capture_on_commit_callbacks, Digest.WEEKLY
    )
    assert send_digest(member_a.user_id) == 0
    assert send_digest(member_a.user_id, now=timezone.now() + timedelta(days=6)) == 1
    assert len(mailoutbox) == 1


def test_read_notifications_stay_out_of_the_digest(
    org_a, member_a, mailoutbox, django_capture_on_commit_callbacks
):
    _one_notice_since_the_last_digest(
        org_a, member_a, django_capture_on_commit_callbacks, Digest.DAILY
    )
    notices.mark_all_read(member_a)
    assert send_digest(member_a.user_id) == 0
    assert mailoutbox == []


def test_a_keyed_notice_reaches_each_person_once(
    org_a, member_a, django_capture_on_commit_callbacks
):
    for _ in range(2):
        _notify(org_a, django_capture_on_commit_callbacks, users=[member_a.user], key="late:1")
    assert Notification.objects.count() == 1


def test_notifications_put_nothing_in_the_transparency_log(
    org_a, member_a, django_capture_on_commit_callbacks
):
    from oretrace.core.models import ChangeLogEntry
    from oretrace.ledger.models import Leaf

    leaves, entries = Leaf.objects.count(), ChangeLogEntry.objects.count()
    _notify(org_a, django_capture_on_commit_callbacks, users=[member_a.user])
    notices.mark_all_read(member_a)
    assert Notification.objects.count() == 1
    assert Leaf.objects.count() == leaves
    assert ChangeLogEntry.objects.count() == entries


def test_invitation_accepted_tells_the_administrators_and_welcomes_the_colleague(
    org_a, member_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _invitation, secret = onboarding.invite(
            org_a, email="new@alpha.example", roles=[Role.COMPLIANCE_OFFICER], actor=member_a
        )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        joined = onboarding.accept_invitation(
            secret, full_name="Nia Colleague", password="a-long-test-password-1"
        )
    admin_note = Notification.objects.get(recipient=member_a.user)
    assert "Nia Colleague" in render_message(admin_note)
    welcome = Notification.objects.get(recipient=joined.user)
    assert str(org_a) in render_message(welcome)
    assert welcome.emailed_at is not None  # the invitation's own mail told them
    assert [m.to for m in mailoutbox] == [[member_a.user.email]]


def test_approval_notifies_the_first_administrator_without_a_second_mail(
    mailoutbox, django_capture_on_commit_callbacks
):
    operator = User.objects.create_user("op@platform.example", "pw-operator-123", is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        org = onboarding.sign_up(
            legal_name="Gamma Traders",
            country="IN",
            full_name="Gita",
            email="gita@gamma.example",
            password="a-long-test-password-1",
        )
    mailoutbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        onboarding.approve_organisation(org, operator=operator)
    row = Notification.objects.get()
    assert row.recipient.email == "gita@gamma.example"
    assert len(mailoutbox) == 1  # the decision's own mail only


# --- preferences ------------------------------------------------------------------------------
def test_preferences_are_set_and_logged(member_a):
    from oretrace.core.models import ChangeLogEntry

    entries = ChangeLogEntry.objects.count()
    user = notices.set_preferences(member_a.user, language="hi", digest="weekly", actor=member_a)
    assert (user.language, user.digest) == ("hi", "weekly")
    assert user.last_digest_at is not None
    assert ChangeLogEntry.objects.count() == entries + 1


@pytest.mark.parametrize(
    ("language", "digest", "message"),
    [("xx", "daily", "language: 'xx'"), ("fr", "hourly", "notification e-mails: 'hourly'")],
)
def test_bad_preferences_are_refused_naming_the_field(member_a, language, digest, message):
    with pytest.raises(OretraceError, match=message):
        notices.set_preferences(member_a.user, language=language, digest=digest, actor=member_a)


def test_nobody_sets_another_persons_preferences(member_a, viewer_a):
    from oretrace.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        notices.set_preferences(viewer_a.user, language="fr", digest="daily", actor=member_a)
    notices.set_preferences(viewer_a.user, language="fr", digest="daily", actor=SYSTEM)


# --- pages ------------------------------------------------------------------------------------
def _row(member, **kwargs):
    return Notification.objects.create(
        organisation=member.organisation,
        recipient=member.user,
        kind=NotificationKind.ONBOARDING,
        message=JOINED,
        values={"name": "Asha Rao", "org": "Alpha"},
        link=kwargs.pop("link", "/organisation/"),
        **kwargs,
    )


def test_the_bell_counts_and_the_page_lists_in_the_readers_language(web_a, member_a):
    _row(member_a)
    _row(member_a, read_at=timezone.now())
    page = web_a.get(reverse("web:notifications"), HTTP_ACCEPT_LANGUAGE="fr")
    text = page.content.decode()
    assert page.status_code == 200
    assert 'id="notification-count">1<' in text
    assert text.count('class="notification') >= 2
    assert "a accepté" in text


def test_the_unread_pages_keep_their_filter(web_a, member_a):
    for _ in range(30):  # two pages of 25
        _row(member_a)
    first = web_a.get(reverse("web:notifications") + "?unread=1").content.decode()
    assert 'href="?unread=1&amp;page=2"' in first
    second = web_a.get(reverse("web:notifications") + "?unread=1&page=2").content.decode()
    assert 'href="?unread=1&amp;page=1"' in second
    assert "Page 2 of 2" in second


def test_marking_read_opens_the_object_and_mark_all_read(web_a, member_a):
    first, second = _row(member_a), _row(member_a)
    answer = web_a.post(reverse("web:notification_read", args=[first.pk]), {"open": "1"})
    assert answer.status_code == 302
    assert answer["Location"] == "/organisation/"
    first.refresh_from_db()
    assert first.read_at is not None
    web_a.post(reverse("web:notifications_read_all"))
    second.refresh_from_db()
    assert second.read_at is not None
    assert 'id="notification-count"' not in web_a.get(reverse("web:dashboard")).content.decode()


def test_another_organisations_member_sees_nothing(web_a, member_a, member_b):

    theirs = _row(member_b)
    assert web_a.post(reverse("web:notification_read", args=[theirs.pk])).status_code == 404
    page = web_a.get(reverse("web:notifications")).content.decode()
    assert f"notification-{theirs.pk}" not in page
    web_a.post(reverse("web:notifications_read_all"))
    theirs.refresh_from_db()
    assert theirs.read_at is None
    # the same person in two organisations sees each one's in that one only
    both = MembershipFactory.create(user=member_a.user, organisation=member_b.organisation)
    _row(both)
    assert Notification.objects.for_member(member_a).count() == 0
    client = web_client(member_a)
    assert client.get(reverse("web:notifications")).status_code == 200


def test_a_colleagues_notification_is_invisible(org_a, web_a, member_a, viewer_a):
    colleague = _row(viewer_a)
    assert web_a.post(reverse("web:notification_read", args=[colleague.pk])).status_code == 404
    assert Notification.objects.for_member(member_a).count() == 0


def test_the_account_page_saves_preferences_and_switches_the_language(web_a, member_a):
    answer = web_a.post(reverse("web:account"), {"language": "hi", "digest": "daily"})
    assert answer.status_code == 302
    member_a.user.refresh_from_db()
    assert (member_a.user.language, member_a.user.digest) == ("hi", "daily")
    assert answer.cookies["django_language"].value == "hi"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"language": "klingon", "digest": "daily"}, "language"),
        ({"language": "fr", "digest": "hourly"}, "digest"),
        ({"language": "fr"}, "digest"),
        ({"language": "fr\x00", "digest": "daily"}, "language"),
    ],
)
def test_bad_input_on_the_account_page_names_the_field(web_a, member_a, body, field):
    answer = web_a.post(reverse("web:account"), body)
    assert answer.status_code == 400
    assert field in answer.context["form"].errors
    member_a.user.refresh_from_db()
    assert member_a.user.digest == Digest.IMMEDIATE


def test_logging_in_shows_the_pages_in_the_persons_language(member_a):
    from django.test import Client

    from oretrace.core.tests.factories import TEST_PASSWORD

    User.objects.filter(pk=member_a.user_id).update(language="fr")
    client = Client()
    answer = client.post(
        reverse("login"), {"username": member_a.user.email, "password": TEST_PASSWORD}
    )
    assert answer.status_code == 302
    assert answer.cookies["django_language"].value == "fr"


def test_erasing_a_person_deletes_their_notifications_and_those_naming_them(
    org_a, member_a, django_capture_on_commit_callbacks
):
    from oretrace.core import services

    with django_capture_on_commit_callbacks(execute=True):
        _invitation, secret = onboarding.invite(
            org_a, email="gone@alpha.example", roles=[Role.VIEWER], actor=member_a
        )
    with django_capture_on_commit_callbacks(execute=True):
        joined = onboarding.accept_invitation(
            secret, full_name="Gone Person", password="a-long-test-password-1"
        )
    assert Notification.objects.count() == 2  # the admins' notice and the welcome
    services.erase_user(joined.user, actor=SYSTEM)
    assert Notification.objects.count() == 0
