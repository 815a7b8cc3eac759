"""Onboarding: organisations signing up (the operator approves), and invitations by e-mail link.

Every write here is a service: it validates, writes and appends the change log in one
transaction, and mails only after commit (through the worker), so a rolled-back change sends
nothing. The operator is a staff user; an operator's decisions are logged as a system actor
named by the operator's pseudonym, since an operator acts for the platform, not for a member.

- ``sign_up`` creates an inactive organisation waiting for approval, with its first
  administrator; ``approve_organisation`` activates it (and only then puts its registration in
  the public log), ``reject_organisation`` keeps it inactive. Either decision is mailed to the
  first administrator in the language the sign-up was made in.
- ``invite`` creates a single-use link that expires (``ORETRACE_INVITATION_DAYS``); the
  invitee sets a name and password on it (or, having an account, joins with it) through
  ``accept_invitation``. ``invite_organisation`` is the operator's way in for an organisation:
  it is created approved and its first administrator is invited.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_noop

from oretrace.core import publication
from oretrace.core.accounts import email_fingerprint
from oretrace.core.actors import SystemActor, pseudonym_of
from oretrace.core.changelog import log_change, update_and_log
from oretrace.core.choices import Approval, ChangeAction, NotificationKind, OrganisationKind, Role
from oretrace.core.exceptions import InvalidTransition, OretraceError, PermissionDenied
from oretrace.core.models import (
    Invitation,
    Membership,
    Organisation,
    SignUpRequest,
    User,
)
from oretrace.core.permissions import can_manage_organisation
from oretrace.core.services import (
    _check_roles,
    _country,
    _unique_slug,
    _validate,
    add_member,
    create_user,
    notifications,
)
from oretrace.core.tokens import hash_secret, new_secret

logger = logging.getLogger("oretrace.accounts")

SIGN_UP = SystemActor("sign-up")


class SignUpThrottled(OretraceError):
    """Too many sign-ups from one address (or for one e-mail address) in the window."""


class InvitationInvalid(OretraceError):
    """An invitation link that is unknown, used, revoked or expired; the message says which."""


def operator_actor(user: User) -> SystemActor:
    """The actor an operator's decision is logged as; refused unless ``user`` is staff."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        raise PermissionDenied("only the platform's operator (a staff user) can do this")
    return SystemActor(f"operator {pseudonym_of(user)}")


def _clean_email(email: str) -> str:
    email = User.objects.normalize_email((email or "").strip()).lower()
    if not email or "@" not in email:
        raise OretraceError("e-mail address: enter a valid e-mail address")
    return email


def _check_password(password: str, user: User | None = None) -> None:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise OretraceError("password: " + " ".join(exc.messages)) from None


# --- sign-up ---------------------------------------------------------------------------------
def _allow_sign_up(email: str, address: str | None) -> None:
    """Count this attempt; refuse (``SignUpThrottled``) past the window's limit.

    Within ``ORETRACE_SIGNUP_WINDOW_MINUTES``, ``ORETRACE_SIGNUP_PER_ADDRESS`` attempts per
    network address are let through, refused forms included (each sign-up mails the
    operators, so this also bounds their mail). One e-mail address signs up once anyway: a
    second sign-up finds its account.
    """
    now = timezone.now()
    window = timedelta(minutes=settings.ORETRACE_SIGNUP_WINDOW_MINUTES)
    SignUpRequest.objects.filter(requested_at__lt=now - timedelta(days=1)).delete()
    recent = SignUpRequest.objects.filter(requested_at__gte=now - window)
    fingerprint = email_fingerprint(email)
    by_address = recent.filter(address=address).count() if address else 0
    allowed = by_address < settings.ORETRACE_SIGNUP_PER_ADDRESS
    # Recorded outside the sign-up's own transaction, so a refused form still counts.
    with transaction.atomic():
        SignUpRequest.objects.create(
            requested_at=now, email_hash=fingerprint, address=address, allowed=allowed
        )
    if not allowed:
        logger.warning("sign-up refused by the rate limit (address %s)", address)
        raise SignUpThrottled(
            f"too many sign-ups from your network in the last "
            f"{settings.ORETRACE_SIGNUP_WINDOW_MINUTES} minutes; try again later"
        )


def sign_up(
    *,
    legal_name: str,
    country: str,
    full_name: str,
    email: str,
    password: str,
    kind: str = OrganisationKind.MANUFACTURER,
    language: str = "",
    address: str | None = None,
) -> Organisation:
    """Register an organisation and its first administrator, waiting for the operator.

    The organisation stays inactive (nobody can log in to it) until approved. Refused with a
    message naming the field: an empty name, an unknown country, an e-mail address already
    registered, a password the validators refuse, or too many attempts (``SignUpThrottled``).
    """
    if not settings.ORETRACE_SIGNUP_OPEN:
        raise PermissionDenied("sign-up is closed on this platform; ask its operator to invite you")
    email = _clean_email(email)
    _allow_sign_up(email, address)
    return _register(
        legal_name=legal_name,
        country=country,
        full_name=full_name,
        email=email,
        password=password,
        kind=kind,
        language=language,
    )


@transaction.atomic
def _register(
    *,
    legal_name: str,
    country: str,
    full_name: str,
    email: str,
    password: str,
    kind: str,
    language: str,
) -> Organisation:
    legal_name = " ".join((legal_name or "").split())
    if not legal_name:
        raise OretraceError("organisation name: enter the organisation's legal name")
    if kind not in OrganisationKind.values:
        raise OretraceError(f"kind: unknown organisation kind {kind!r}")
    if not (full_name or "").strip():
        raise OretraceError("name: enter the administrator's name")
    if User.objects.filter(email=email).exists():
        raise OretraceError(
            f"e-mail address: {email} already has an account; log in, or reset its password"
        )
    user = User(email=email, full_name=full_name.strip())
    _check_password(password, user)
    org = Organisation(
        legal_name=legal_name[:300],
        kind=kind,
        country=_country(country or ""),
        slug=_unique_slug(legal_name),
        is_active=False,
        approval=Approval.PENDING,
        language=(language or "")[:10],
    )
    _validate(org)
    org.save()
    log_change(org, action=ChangeAction.CREATE, actor=SIGN_UP, organisation=org)
    user = create_user(
        email=email, password=password, full_name=full_name.strip(), actor=SIGN_UP, organisation=org
    )
    add_member(org, user=user, roles=[Role.ADMIN], actor=SIGN_UP)
    logger.info("sign-up: %s is waiting for approval", org.slug)
    transaction.on_commit(lambda: _enqueue_operator_notice(org.pk))
    return org


def _enqueue_operator_notice(organisation_id: int) -> None:
    from oretrace.core.tasks import notify_operators_task

    notify_operators_task.enqueue(organisation_id)


@transaction.atomic
def approve_organisation(org: Organisation, *, operator: User) -> Organisation:
    """Activate a signed-up organisation; its administrators can log in from now on."""
    actor = operator_actor(operator)
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    if org.approval == Approval.APPROVED:
        raise InvalidTransition(f"{org} is already approved")
    update_and_log(org, actor=actor, approval=Approval.APPROVED, is_active=True)
    publication.publish(org, actor=actor)  # an approved registration becomes a public leaf
    transaction.on_commit(lambda: _enqueue_decision(org.pk))
    notifications.notify(
        org,
        kind=NotificationKind.ONBOARDING,
        message=gettext_noop(
            "%(org)s was approved: invite your colleagues from the organisation page."
        ),
        values={"org": str(org)},
        link=reverse("web:organisation"),
        permission=can_manage_organisation,
        mailed=True,  # the decision is mailed on its own
    )
    return org


@transaction.atomic
def reject_organisation(org: Organisation, *, operator: User) -> Organisation:
    """Refuse a pending sign-up; the organisation stays inactive and its administrator is told."""
    actor = operator_actor(operator)
    org = Organisation.objects.select_for_update().get(pk=org.pk)
    if org.approval != Approval.PENDING:
        raise InvalidTransition(
            f"{org} is {org.get_approval_display().lower()}, not waiting for approval"
        )
    update_and_log(org, actor=actor, approval=Approval.REJECTED, is_active=False)
    transaction.on_commit(lambda: _enqueue_decision(org.pk))
    return org


def _enqueue_decision(organisation_id: int) -> None:
    from oretrace.core.tasks import send_sign_up_decision_task

    send_sign_up_decision_task.enqueue(organisation_id)


def pending_sign_up_of(user: User) -> Organisation | None:
    """The organisation ``user`` signed up that still waits (or was refused), if that is all
    they have: the login page then says so instead of 'wrong password'."""
    if Membership.objects.active().filter(user=user).exists():
        return None
    return (
        Organisation.objects.filter(
            memberships__user=user, approval__in=[Approval.PENDING, Approval.REJECTED]
        )
        .order_by("-created_at")
        .first()
    )


# --- invitations -----------------------------------------------------------------------------
def _expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.ORETRACE_INVITATION_DAYS)


def _create_invitation(
    org: Organisation,
    *,
    email: str,
    roles: list[str],
    actor: Membership | SystemActor,
    full_name: str,
    language: str,
) -> tuple[Invitation, str]:
    secret = new_secret()
    invitation = Invitation(
        organisation=org,
        email=email,
        full_name=(full_name or "").strip()[:200],
        roles=roles,
        token_hash=hash_secret(secret),
        expires_at=_expiry(),
        language=(language or "")[:10],
        invited_by=actor.user,
    )
    _validate(invitation)
    invitation.save()
    log_change(invitation, action=ChangeAction.CREATE, actor=actor, organisation=org)
    transaction.on_commit(lambda: _enqueue_invitation(invitation.pk, secret))
    return invitation, secret


def _enqueue_invitation(invitation_id: int, secret: str) -> None:
    from oretrace.core.tasks import send_invitation_link_task

    send_invitation_link_task.enqueue(invitation_id, secret)


@transaction.atomic
def invite(
    org: Organisation,
    *,
    email: str,
    roles: list[str],
    actor: Membership | SystemActor,
    full_name: str = "",
    language: str = "",
) -> tuple[Invitation, str]:
    """Invite a person by e-mail to join ``org`` with ``roles``; returns the invitation and the
    link's secret (mailed; shown to nobody else). An earlier pending invitation of the same
    address is replaced, so only the newest link works."""
    can_manage_organisation.require(actor, organisation_id=org.pk)
    email = _clean_email(email)
    roles = _check_roles(list(roles))
    if Membership.objects.filter(organisation=org, user__email=email).exists():
        raise OretraceError(f"e-mail address: {email} is already a member of {org}")
    for earlier in Invitation.objects.pending().filter(organisation=org, email=email):
        _end(earlier, actor=actor)
    return _create_invitation(
        org, email=email, roles=roles, actor=actor, full_name=full_name, language=language
    )


def _end(invitation: Invitation, *, actor: Membership | SystemActor) -> None:
    update_and_log(
        invitation, actor=actor, organisation=invitation.organisation, revoked_at=timezone.now()
    )


@transaction.atomic
def revoke_invitation(invitation: Invitation, *, actor: Membership | SystemActor) -> Invitation:
    """Withdraw a pending invitation: its link stops working at once."""
    can_manage_organisation.require(actor, organisation_id=invitation.organisation_id)
    if not invitation.is_pending:
        raise InvalidTransition(f"the invitation of {invitation.email} is no longer pending")
    _end(invitation, actor=actor)
    return invitation


@transaction.atomic
def invite_organisation(
    *,
    legal_name: str,
    country: str,
    email: str,
    operator: User,
    kind: str = OrganisationKind.MANUFACTURER,
    full_name: str = "",
    language: str = "",
) -> tuple[Organisation, Invitation]:
    """The operator's way in: an approved organisation, its first administrator invited."""
    actor = operator_actor(operator)
    legal_name = " ".join((legal_name or "").split())
    if not legal_name:
        raise OretraceError("organisation name: enter the organisation's legal name")
    if kind not in OrganisationKind.values:
        raise OretraceError(f"kind: unknown organisation kind {kind!r}")
    email = _clean_email(email)
    org = Organisation(
        legal_name=legal_name[:300],
        kind=kind,
        country=_country(country or ""),
        slug=_unique_slug(legal_name),
        approval=Approval.APPROVED,
        language=(language or "")[:10],
    )
    _validate(org)
    org.save()
    log_change(org, action=ChangeAction.CREATE, actor=actor, organisation=org)
    publication.publish(org, actor=actor)
    invitation, _secret = _create_invitation(
        org, email=email, roles=[Role.ADMIN], actor=actor, full_name=full_name, language=language
    )
    return org, invitation


def invitation_for(secret: str) -> Invitation:
    """The pending invitation a link's secret opens, or ``InvitationInvalid`` saying why not."""
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=hash_secret(secret or ""))
        .first()
    )
    if invitation is None:
        raise InvitationInvalid("this invitation link is not valid; ask for a new one")
    if invitation.accepted_at is not None:
        raise InvitationInvalid("this invitation was already used; log in instead")
    if invitation.revoked_at is not None:
        raise InvitationInvalid("this invitation was withdrawn; ask for a new one")
    if invitation.expires_at <= timezone.now():
        raise InvitationInvalid(
            f"this invitation expired on {invitation.expires_at:%Y-%m-%d}; ask for a new one"
        )
    if not invitation.organisation.is_active:
        raise InvitationInvalid("the organisation of this invitation is not active")
    return invitation


@transaction.atomic
def accept_invitation(
    secret: str,
    *,
    user: User | None = None,
    full_name: str = "",
    password: str = "",
) -> Membership:
    """Use an invitation link once: join its organisation with its roles.

    A person without an account sets a name and password here (``user`` None); a person with
    an account must be logged in as the invited address (``user``) and simply joins.
    """
    invitation = invitation_for(secret)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_pending:  # another request used it a moment ago
        raise InvitationInvalid("this invitation was already used; log in instead")
    existing = User.objects.filter(email=invitation.email).first()
    if user is not None:
        if user.email.lower() != invitation.email:
            raise PermissionDenied(
                f"this invitation is for {invitation.email}; log out and open the link again"
            )
    elif existing is not None:
        raise OretraceError(
            f"{invitation.email} already has an account: log in with it, then open the link"
        )
    else:
        if not (full_name or "").strip():
            raise OretraceError("name: enter your name")
        candidate = User(email=invitation.email, full_name=full_name.strip())
        _check_password(password, candidate)
        user = create_user(
            email=invitation.email,
            password=password,
            full_name=full_name,
            actor=SIGN_UP,
            organisation=invitation.organisation,
        )
    org = invitation.organisation
    if Membership.objects.filter(organisation=org, user=user).exists():
        raise OretraceError(f"{user.email} is already a member of {org}")
    membership = add_member(org, user=user, roles=list(invitation.roles), actor=SIGN_UP)
    update_and_log(
        invitation, actor=membership, organisation=org, accepted_at=timezone.now(), accepted_by=user
    )
    _tell_of_new_member(membership)
    return membership


def _tell_of_new_member(membership: Membership) -> None:
    """The administrators learn that their invitation was accepted; the new member is
    welcomed (in the app: the link they followed was their e-mail)."""
    org = membership.organisation
    notifications.notify(
        org,
        kind=NotificationKind.ONBOARDING,
        message=gettext_noop("%(name)s accepted the invitation and joined %(org)s."),
        values={"name": membership.user.get_full_name(), "org": str(org)},
        link=reverse("web:organisation"),
        permission=can_manage_organisation,
        exclude=membership.user,
    )
    notifications.notify(
        org,
        kind=NotificationKind.ONBOARDING,
        message=gettext_noop(
            "Welcome to %(org)s. What concerns you appears here; choose how it reaches you by "
            "e-mail on your account page."
        ),
        values={"org": str(org)},
        link=reverse("web:account"),
        users=[membership.user],
        mailed=True,
    )
