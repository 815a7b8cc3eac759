"""Services of the core app: validation, roles, change log in the same transaction, tokens."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import transaction
from django.utils import timezone

from oretrace.core import services
from oretrace.core.actors import SYSTEM
from oretrace.core.choices import ChangeAction, Role
from oretrace.core.exceptions import OretraceError, PermissionDenied, TokenError
from oretrace.core.models import ApiToken, ChangeLogEntry, Organisation
from oretrace.core.tests.factories import MembershipFactory, UserFactory
from oretrace.core.validators import lei_checksum_ok

pytestmark = pytest.mark.django_db

VALID_LEI = "5493001KJTIIGC8Y1R12"  # a published example LEI with correct check digits


def test_lei_checksum_accepts_real_lei_and_rejects_a_typo():
    assert lei_checksum_ok(VALID_LEI)
    assert not lei_checksum_ok(VALID_LEI[:-1] + "3")


def test_create_organisation_logs_creation_and_makes_creator_admin(member_a):
    # when
    org = services.create_organisation(
        legal_name="Giridih Sorting Unit",
        kind="processor",
        country="in",
        actor=member_a,
        lei=VALID_LEI,
    )
    # then
    entry = ChangeLogEntry.objects.for_object(org).get()
    assert entry.action == ChangeAction.CREATE
    assert entry.after is not None
    assert entry.after["legal_name"] == "Giridih Sorting Unit"
    assert entry.after["country_id"] == "IN"
    assert entry.actor == member_a.user
    assert org.memberships.get().user == member_a.user
    assert org.memberships.get().roles == [Role.ADMIN]


@pytest.mark.parametrize(
    ("details", "message"),
    [
        ({"lei": "5493001KJTIIGC8Y1R13"}, "wrong check digits"),
        ({"lei": "SHORT"}, "18 letters or digits"),
        ({"duns": "12345"}, "exactly 9 digits"),
        ({"colour": "red"}, "unknown organisation fields: colour"),
    ],
)
def test_create_organisation_rejects_bad_identifiers(details, message):
    with pytest.raises(OretraceError, match=message):
        services.create_organisation(
            legal_name="Bad Ids Ltd", kind="brand", country="FR", actor=SYSTEM, **details
        )
    assert not Organisation.objects.filter(legal_name="Bad Ids Ltd").exists()


def test_create_organisation_rejects_unknown_country_and_kind():
    with pytest.raises(OretraceError, match="unknown country code 'XX'"):
        services.create_organisation(legal_name="X", kind="brand", country="XX", actor=SYSTEM)
    with pytest.raises(OretraceError, match="unknown organisation kind 'pirate'"):
        services.create_organisation(legal_name="X", kind="pirate", country="FR", actor=SYSTEM)


def test_update_organisation_records_before_and_after(org_a, member_a):
    services.update_organisation(org_a, website="https://alpha.example", actor=member_a)
    entry = ChangeLogEntry.objects.for_object(org_a).get(action=ChangeAction.UPDATE)
    assert entry.before is not None
    assert entry.after is not None
    assert entry.before["website"] == ""
    assert entry.after["website"] == "https://alpha.example"
    assert entry.changed_fields == ["updated_at", "website"]


def test_update_organisation_needs_admin_of_that_organisation(org_a, viewer_a, member_b):
    with pytest.raises(PermissionDenied):
        services.update_organisation(org_a, website="https://x.example", actor=viewer_a)
    with pytest.raises(PermissionDenied):
        services.update_organisation(org_a, website="https://x.example", actor=member_b)


def test_change_log_rolls_back_with_the_change(org_a, member_a):
    # given a change that fails after being logged
    def change_then_fail():
        with transaction.atomic():
            services.update_organisation(org_a, website="https://gone.example", actor=member_a)
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        change_then_fail()
    # then neither the change nor its entry remains
    org_a.refresh_from_db()
    assert org_a.website == ""
    assert not ChangeLogEntry.objects.for_object(org_a).filter(action=ChangeAction.UPDATE).exists()


def test_add_member_validates_roles_and_duplicates(org_a, member_a):
    user = UserFactory.create()
    with pytest.raises(OretraceError, match="unknown role"):
        services.add_member(org_a, user=user, roles=["king"], actor=member_a)
    membership = services.add_member(org_a, user=user, roles=[Role.VIEWER], actor=member_a)
    assert membership.roles == [Role.VIEWER]
    with pytest.raises(OretraceError, match="already a member"):
        services.add_member(org_a, user=user, roles=[Role.VIEWER], actor=member_a)


def test_non_admin_cannot_add_members(org_a, viewer_a):
    with pytest.raises(PermissionDenied):
        services.add_member(org_a, user=UserFactory.create(), roles=[Role.VIEWER], actor=viewer_a)


def test_last_admin_cannot_be_demoted(member_a):
    with pytest.raises(OretraceError, match="at least one active administrator"):
        services.set_member_roles(member_a, roles=[Role.VIEWER], actor=member_a)
    second = MembershipFactory.create(organisation=member_a.organisation, roles=[Role.ADMIN])
    services.set_member_roles(member_a, roles=[Role.VIEWER], actor=second)
    member_a.refresh_from_db()
    assert member_a.roles == [Role.VIEWER]


def test_create_user_rejects_duplicate_email_case_insensitively():
    services.create_user(email="Asha@Example.org", password="x-long-password-1", actor=SYSTEM)
    with pytest.raises(OretraceError, match="already exists"):
        services.create_user(email="asha@example.ORG", password="x-long-password-1", actor=SYSTEM)


def test_create_user_is_logged_as_its_actors_change_without_the_password(member_a):
    # when
    user = services.create_user(
        email="ravi@example.org",
        password="x-long-password-1",
        actor=member_a,
        organisation=member_a.organisation,
    )
    # then
    entry = ChangeLogEntry.objects.for_object(user).get()
    assert entry.action == ChangeAction.CREATE
    assert entry.actor == member_a.user
    assert entry.organisation == member_a.organisation
    assert entry.shown_after is not None
    assert entry.after is not None
    assert entry.shown_after["email"] == "ravi@example.org"  # sealed apart from the chain
    assert entry.after["email"] == "(sealed)"
    assert "password" not in entry.after


def test_token_is_shown_once_and_stored_hashed(member_a):
    token, secret = services.issue_token(member_a, name="ERP sync", actor=member_a)
    assert secret.startswith(f"ot_{token.prefix}_")
    stored = ApiToken.objects.get(pk=token.pk)
    assert secret not in {stored.token_hash, stored.prefix, stored.name}
    assert services.authenticate_token(secret) == member_a
    entry = ChangeLogEntry.objects.for_object(token).get()
    assert entry.after is not None
    assert "token_hash" not in entry.after


def test_token_records_last_use(member_a):
    token, secret = services.issue_token(member_a, name="t", actor=member_a)
    assert token.last_used_at is None
    services.authenticate_token(secret)
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_revoked_and_expired_tokens_are_refused_with_reason(member_a):
    token, secret = services.issue_token(member_a, name="old script", actor=member_a)
    services.revoke_token(token, actor=member_a)
    with pytest.raises(TokenError, match="'old script' was revoked on"):
        services.authenticate_token(secret)
    t2, secret2 = services.issue_token(
        member_a, name="short", actor=member_a, expires_at=timezone.now() + timedelta(hours=1)
    )
    ApiToken.objects.filter(pk=t2.pk).update(expires_at=timezone.now() - timedelta(days=1))
    with pytest.raises(TokenError, match="'short' expired on"):
        services.authenticate_token(secret2)
    with pytest.raises(TokenError, match="not an oretrace API token"):
        services.authenticate_token("abc")
    with pytest.raises(TokenError, match="unknown API token"):
        services.authenticate_token("ot_deadbeef_nothing")


def test_token_of_deactivated_member_is_refused(member_a):
    other_admin = MembershipFactory.create(organisation=member_a.organisation, roles=[Role.ADMIN])
    _token, secret = services.issue_token(member_a, name="t", actor=member_a)
    services.set_member_roles(member_a, roles=[Role.ADMIN], is_active=False, actor=other_admin)
    with pytest.raises(TokenError, match="inactive membership"):
        services.authenticate_token(secret)


def test_only_the_owner_can_issue_or_revoke_a_personal_token(member_a):
    colleague = MembershipFactory.create(organisation=member_a.organisation, roles=[Role.ADMIN])
    with pytest.raises(PermissionDenied):
        services.issue_token(member_a, name="t", actor=colleague)
    token, _secret = services.issue_token(member_a, name="t", actor=member_a)
    with pytest.raises(PermissionDenied):
        services.revoke_token(token, actor=colleague)


def test_invitation_by_the_system_does_not_name_an_inviter(
    org_a, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_member(
            org_a, email="first.admin@example.org", roles=[Role.ADMIN], actor=SYSTEM
        )
    (mail,) = mailoutbox
    assert mail.body.startswith(f"You have been added to {org_a}")
    assert "/password-reset/" in mail.body


def test_invitation_to_an_existing_user_has_no_password_link(
    org_a, member_a, mailoutbox, django_capture_on_commit_callbacks
):
    existing = UserFactory.create()
    with django_capture_on_commit_callbacks(execute=True):
        services.invite_member(org_a, email=existing.email, roles=[Role.VIEWER], actor=member_a)
    (mail,) = mailoutbox
    assert f"{member_a.user} added you to {org_a}" in mail.body
    assert "/password-reset/" not in mail.body
    assert "/login/" in mail.body


def test_failing_mail_server_does_not_fail_the_invitation(
    org_a, member_a, settings, mailoutbox, django_capture_on_commit_callbacks
):
    # given a mail server that refuses connections
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": 9, "timeout": 1},
        }
    }
    # when the invitation task runs after commit (here at once; in production in the worker)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        membership = services.invite_member(
            org_a, email="new@example.org", roles=[Role.VIEWER], actor=member_a
        )
    # then the task failed on its own and the membership stands
    assert len(callbacks) == 1
    assert mailoutbox == []
    assert org_a.memberships.filter(pk=membership.pk).exists()
