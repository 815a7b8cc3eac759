"""Onboarding services: sign-up with the operator's approval, invitations by single-use link."""

from datetime import timedelta

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.mail import EmailMessage
from django.utils import timezone

from oretrace.core.choices import Approval, Role
from oretrace.core.exceptions import InvalidTransition, OretraceError, PermissionDenied
from oretrace.core.models import ChangeLogEntry, Invitation, Membership, Organisation, User
from oretrace.core.services import onboarding
from oretrace.core.tests.factories import MembershipFactory, UserFactory
from oretrace.ledger.models import Leaf

pytestmark = pytest.mark.django_db

PASSWORD = "a long and unusual passphrase 42"


def _sign_up(**overrides):
    fields = {
        "legal_name": "Kestrel Components Ltd",
        "country": "GB",
        "full_name": "Asha Rao",
        "email": "asha@kestrel.example",
        "password": PASSWORD,
        "address": "192.0.2.10",
        "language": "fr",
    }
    fields.update(overrides)
    return onboarding.sign_up(**fields)


@pytest.fixture
def operator(db):
    return UserFactory.create(is_staff=True)


def _secret_of(mail: EmailMessage) -> str:
    line = next(x for x in mail.body.splitlines() if "/invitation/" in x)
    return line.rstrip("/").rsplit("/", 1)[1]


# --- sign-up -----------------------------------------------------------------------------------
def test_sign_up_creates_a_pending_organisation_with_its_first_administrator():
    org = _sign_up()
    assert org.approval == Approval.PENDING
    assert not org.is_active
    admin = Membership.objects.get(organisation=org)
    assert admin.roles == [Role.ADMIN]
    assert admin.user.check_password(PASSWORD)
    # nobody can act in it yet, and its registration is not yet a public leaf
    assert not Membership.objects.active().filter(organisation=org).exists()
    assert not Leaf.objects.filter(record_type="core.organisation", record_id=str(org.pk)).exists()
    assert onboarding.pending_sign_up_of(admin.user) == org


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"legal_name": "   "}, "organisation name: enter"),
        ({"country": "XX"}, "unknown country code 'XX'"),
        ({"country": ""}, "unknown country code"),
        ({"full_name": ""}, "name: enter the administrator's name"),
        ({"email": "not-an-address"}, "e-mail address: enter a valid"),
        ({"password": "123"}, "password: "),
        ({"kind": "pirate"}, "kind: unknown organisation kind 'pirate'"),
    ],
)
def test_sign_up_refuses_bad_input_naming_the_field(overrides, message):
    with pytest.raises(OretraceError, match=message):
        _sign_up(**overrides)
    assert not Organisation.objects.exists()
    assert not User.objects.exists()


def test_sign_up_with_a_registered_address_is_refused():
    UserFactory.create(email="asha@kestrel.example")
    with pytest.raises(OretraceError, match="already has an account"):
        _sign_up()
    assert not Organisation.objects.exists()


def test_sign_up_is_throttled_per_address(settings):
    settings.ORETRACE_SIGNUP_PER_ADDRESS = 2
    _sign_up(email="one@example.org", legal_name="One")
    with pytest.raises(OretraceError):
        _sign_up(email="two@example.org", password="x")  # refused, but counted
    with pytest.raises(onboarding.SignUpThrottled, match="too many sign-ups"):
        _sign_up(email="three@example.org", legal_name="Three")
    # another network is not held back
    _sign_up(email="four@example.org", legal_name="Four", address="198.51.100.7")
    assert Organisation.objects.count() == 2


def test_sign_up_may_be_closed(settings):
    settings.ORETRACE_SIGNUP_OPEN = False
    with pytest.raises(PermissionDenied, match="sign-up is closed"):
        _sign_up()


# --- the operator's decision -------------------------------------------------------------------
def test_approval_activates_logs_and_mails_in_the_sign_up_language(
    operator, mailoutbox, django_capture_on_commit_callbacks
):
    org = _sign_up(language="fr")
    mailoutbox.clear()  # the operators' notice
    with django_capture_on_commit_callbacks(execute=True):
        onboarding.approve_organisation(org, operator=operator)
    org.refresh_from_db()
    assert org.is_active
    assert org.approval == Approval.APPROVED
    assert Membership.objects.active().filter(organisation=org).exists()
    assert Leaf.objects.filter(record_type="core.organisation", record_id=str(org.pk)).exists()
    entry = ChangeLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Organisation), object_id=str(org.pk)
    ).first()
    assert entry is not None
    assert entry.actor_label.startswith("operator ")
    assert operator.email not in entry.actor_label  # pseudonymous
    (mail,) = mailoutbox
    assert mail.to == ["asha@kestrel.example"]
    assert "approuvée" in mail.subject or "approuv" in mail.body  # French
    assert "/login/" in mail.body


def test_operators_are_told_of_a_new_sign_up(
    operator, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        _sign_up()
    (mail,) = mailoutbox
    assert mail.to == [operator.email]
    assert "Kestrel Components Ltd" in mail.subject


def test_rejection_keeps_the_organisation_inactive(
    operator, mailoutbox, django_capture_on_commit_callbacks
):
    org = _sign_up(language="en")
    with django_capture_on_commit_callbacks(execute=True):
        onboarding.reject_organisation(org, operator=operator)
    org.refresh_from_db()
    assert org.approval == Approval.REJECTED
    assert not org.is_active
    assert "not approved" in mailoutbox[-1].subject
    with pytest.raises(InvalidTransition, match="not waiting for approval"):
        onboarding.reject_organisation(org, operator=operator)
    # a rejected sign-up may still be approved later (a mistake corrected)
    onboarding.approve_organisation(org, operator=operator)
    with pytest.raises(InvalidTransition, match="already approved"):
        onboarding.approve_organisation(org, operator=operator)


def test_only_staff_decide(member_a):
    org = _sign_up()
    with pytest.raises(PermissionDenied, match="operator"):
        onboarding.approve_organisation(org, operator=member_a.user)
    org.refresh_from_db()
    assert org.approval == Approval.PENDING


def test_operator_invites_an_organisation(operator, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        org, invitation = onboarding.invite_organisation(
            legal_name="Lark Metals", country="DE", email="Boss@Lark.example", operator=operator
        )
    assert org.is_active
    assert org.approval == Approval.APPROVED
    assert invitation.roles == [Role.ADMIN]
    assert invitation.email == "boss@lark.example"
    member = onboarding.accept_invitation(
        _secret_of(mailoutbox[0]), full_name="Lena Lark", password=PASSWORD
    )
    assert member.organisation == org
    assert member.has_role(Role.ADMIN)


# --- invitations -------------------------------------------------------------------------------
def test_invitation_link_works_once(member_a, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, _secret = onboarding.invite(
            member_a.organisation,
            email="New.Colleague@example.org",
            roles=[Role.COMPLIANCE_OFFICER],
            actor=member_a,
            language="fr",
        )
    (mail,) = mailoutbox
    assert mail.to == ["new.colleague@example.org"]
    assert "Rejoindre" in mail.subject or "rejoindre" in mail.body
    secret = _secret_of(mail)
    assert Invitation.objects.get().token_hash != secret  # only its hash is kept
    member = onboarding.accept_invitation(secret, full_name="Noor", password=PASSWORD)
    assert member.roles == [Role.COMPLIANCE_OFFICER]
    assert member.user.check_password(PASSWORD)
    assert member.user.full_name == "Noor"
    invitation.refresh_from_db()
    assert invitation.accepted_by == member.user
    with pytest.raises(onboarding.InvitationInvalid, match="already used"):
        onboarding.accept_invitation(secret, full_name="Noor", password=PASSWORD)


def test_an_expired_or_revoked_or_unknown_link_is_refused_saying_why(member_a):
    invitation, secret = onboarding.invite(
        member_a.organisation, email="x@example.org", roles=[Role.VIEWER], actor=member_a
    )
    with pytest.raises(onboarding.InvitationInvalid, match="not valid"):
        onboarding.invitation_for("guessed")
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(onboarding.InvitationInvalid, match="expired on"):
        onboarding.accept_invitation(secret, full_name="X", password=PASSWORD)
    invitation2, secret2 = onboarding.invite(
        member_a.organisation, email="y@example.org", roles=[Role.VIEWER], actor=member_a
    )
    onboarding.revoke_invitation(invitation2, actor=member_a)
    with pytest.raises(onboarding.InvitationInvalid, match="withdrawn"):
        onboarding.accept_invitation(secret2, full_name="Y", password=PASSWORD)
    with pytest.raises(InvalidTransition):
        onboarding.revoke_invitation(invitation2, actor=member_a)
    assert not User.objects.filter(email__in=["x@example.org", "y@example.org"]).exists()


def test_a_new_invitation_replaces_the_earlier_one(member_a):
    _first, old = onboarding.invite(
        member_a.organisation, email="z@example.org", roles=[Role.VIEWER], actor=member_a
    )
    _second, new = onboarding.invite(
        member_a.organisation, email="z@example.org", roles=[Role.AUDITOR], actor=member_a
    )
    with pytest.raises(onboarding.InvitationInvalid, match="withdrawn"):
        onboarding.invitation_for(old)
    assert onboarding.accept_invitation(new, full_name="Z", password=PASSWORD).roles == [
        Role.AUDITOR
    ]


def test_an_existing_account_joins_when_logged_in_as_the_invited_address(member_a, member_b):
    someone = member_b.user
    _inv, secret = onboarding.invite(
        member_a.organisation, email=someone.email, roles=[Role.AUDITOR], actor=member_a
    )
    # without logging in: told to log in, no second account
    with pytest.raises(OretraceError, match="already has an account"):
        onboarding.accept_invitation(secret, full_name="Other", password=PASSWORD)
    # logged in as someone else: refused
    with pytest.raises(PermissionDenied, match=f"for {someone.email}"):
        onboarding.accept_invitation(secret, user=UserFactory.create())
    member = onboarding.accept_invitation(secret, user=someone)
    assert member.organisation == member_a.organisation
    assert member.user == someone


@pytest.mark.parametrize(
    ("email", "roles", "message"),
    [
        ("", [Role.VIEWER], "e-mail address"),
        ("a@example.org", [], "at least one role"),
        ("a@example.org", ["pirate"], "unknown role"),
    ],
)
def test_bad_invitations_are_refused(member_a, email, roles, message):
    with pytest.raises(OretraceError, match=message):
        onboarding.invite(member_a.organisation, email=email, roles=roles, actor=member_a)
    assert not Invitation.objects.exists()


def test_inviting_a_member_again_is_refused(member_a, viewer_a):
    with pytest.raises(OretraceError, match="already a member"):
        onboarding.invite(
            member_a.organisation, email=viewer_a.user.email, roles=[Role.VIEWER], actor=member_a
        )


def test_only_the_organisations_administrators_invite_and_revoke(member_a, viewer_a, member_b):
    with pytest.raises(PermissionDenied, match="the role administrator"):
        onboarding.invite(
            member_a.organisation, email="v@example.org", roles=[Role.VIEWER], actor=viewer_a
        )
    with pytest.raises(PermissionDenied, match="owning organisation"):
        onboarding.invite(
            member_a.organisation, email="v@example.org", roles=[Role.ADMIN], actor=member_b
        )
    invitation, _secret = onboarding.invite(
        member_a.organisation, email="v@example.org", roles=[Role.VIEWER], actor=member_a
    )
    with pytest.raises(PermissionDenied):
        onboarding.revoke_invitation(invitation, actor=member_b)
    assert invitation.is_pending


def test_every_write_is_in_the_change_log(member_a):
    invitation, secret = onboarding.invite(
        member_a.organisation, email="log@example.org", roles=[Role.VIEWER], actor=member_a
    )
    onboarding.accept_invitation(secret, full_name="Log", password=PASSWORD)
    entries = ChangeLogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(Invitation), object_id=str(invitation.pk)
    )
    assert [e.action for e in entries.order_by("pk")] == ["create", "update"]
    assert MembershipFactory._meta.model.objects.filter(user__email="log@example.org").exists()
