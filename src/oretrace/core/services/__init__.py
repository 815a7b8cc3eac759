"""Every write to organisations, memberships, grants and API tokens goes through here.

Each function validates, writes, and appends the change log in one transaction. The acting
member (or ``SYSTEM``) is always passed explicitly.
"""

from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.text import slugify

from oretrace.core import publication
from oretrace.core.actors import SystemActor, actor_user
from oretrace.core.changelog import (
    ERASED_ENTRIES,
    erase_personal,
    log_change,
    snapshot,
    update_and_log,
)
from oretrace.core.choices import ChangeAction, NotificationKind, OrganisationKind, Role
from oretrace.core.exceptions import OretraceError, PermissionDenied
from oretrace.core.models import (
    ApiToken,
    Country,
    Grant,
    Membership,
    Notification,
    Organisation,
    Pseudonym,
    User,
)
from oretrace.core.permissions import can_manage_organisation, can_share
from oretrace.core.tasks import send_invitation_task

ORGANISATION_FIELDS = frozenset(Organisation.EDITABLE)


def _validate(obj: models.Model, *, exclude: list[str] | None = None) -> None:
    """Run model validation and turn Django's error dict into one readable message."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        details = "; ".join(
            f"{field}: {' '.join(str(m) for m in messages)}"
            for field, messages in exc.message_dict.items()
        )
        raise OretraceError(f"{type(obj).__name__} is not valid — {details}") from None


def _require_admin(actor: Membership | SystemActor, organisation: Organisation) -> None:
    can_manage_organisation.require(actor, organisation_id=organisation.pk)


def _unique_slug(name: str) -> str:
    base = slugify(name)[:100] or "organisation"
    slug, n = base, 1
    while Organisation.objects.filter(slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def _requested_slug(slug: str) -> str:
    if Organisation.objects.filter(slug=slug).exists():
        raise OretraceError(f"the short URL name {slug!r} is taken by another organisation")
    return slug


def _country(value: Country | str) -> Country:
    if isinstance(value, Country):
        return value
    try:
        return Country.objects.get(code=value.upper())
    except Country.DoesNotExist:
        raise OretraceError(
            f"unknown country code {value!r} (expected ISO 3166-1 alpha-2)"
        ) from None


@transaction.atomic
def create_organisation(
    *,
    legal_name: str,
    kind: str,
    country: Country | str,
    actor: Membership | SystemActor,
    slug: str | None = None,
    **details: Any,
) -> Organisation:
    """Register an organisation; the creating user (if any) becomes its administrator.

    ``slug`` (the organisation's short URL name) is derived from its name unless given.
    """
    unknown = set(details) - ORGANISATION_FIELDS
    if unknown:
        raise OretraceError(f"unknown organisation fields: {', '.join(sorted(unknown))}")
    if kind not in OrganisationKind.values:
        raise OretraceError(f"unknown organisation kind {kind!r}")
    org = Organisation(
        legal_name=legal_name.strip(),
        kind=kind,
        country=_country(country),
        slug=_requested_slug(slug)
        if slug
        else _unique_slug(details.get("short_name") or legal_name),
        **details,
    )
    _validate(org)
    org.save()
    log_change(org, action=ChangeAction.CREATE, actor=actor, organisation=org)
    publication.publish(org, actor=actor)  # registration facts become a leaf of the public log
    if not isinstance(actor, SystemActor):
        add_member(org, user=actor.user, roles=[Role.ADMIN], actor=SystemActor("registration"))
    return org


@transaction.atomic
def update_organisation(
    org: Organisation, *, actor: Membership | SystemActor, **changes: Any
) -> Organisation:
    """Change an organisation's details; only its administrators may."""
    _require_admin(actor, org)
    unknown = set(changes) - ORGANISATION_FIELDS
    if unknown:
        raise OretraceError(f"unknown organisation fields: {', '.join(sorted(unknown))}")
    if "country" in changes:
        changes["country"] = _country(changes["country"])
    before = snapshot(org)
    for name, value in changes.items():
        setattr(org, name, value)
    _validate(org)
    org.save()
    log_change(org, action=ChangeAction.UPDATE, actor=actor, before=before)
    publication.publish(org, actor=actor)
    return org


@transaction.atomic
def create_user(
    *,
    email: str,
    password: str | None,
    actor: Membership | SystemActor,
    full_name: str = "",
    organisation: Organisation | None = None,
) -> User:
    """Create a login, logged as the actor's change (under ``organisation`` when one invited
    the person). A user created without a password sets one through an invitation link."""
    email = User.objects.normalize_email(email).lower()
    if User.objects.filter(email=email).exists():
        raise OretraceError(f"a user with the e-mail address {email} already exists")
    user = User(email=email, full_name=full_name)
    _validate(user, exclude=["password"])
    user.set_password(password)
    user.save()
    log_change(user, action=ChangeAction.CREATE, actor=actor, organisation=organisation)
    return user


@transaction.atomic
def make_operator(user: User, *, actor: SystemActor) -> User:
    """Make ``user`` the platform's operator: a staff user, who opens the operator pages
    (sign-ups to approve, organisations to invite). Only a system actor (a command run on the
    server, the demo) may; it grants no permission of the admin site beyond logging in."""
    if not isinstance(actor, SystemActor):
        raise PermissionDenied("only a command run on the server makes a platform operator")
    if not user.is_staff:
        before = snapshot(user)
        user.is_staff = True
        user.save(update_fields=["is_staff"])
        log_change(user, action=ChangeAction.UPDATE, actor=actor, before=before)
    return user


def _check_roles(roles: list[str]) -> list[str]:
    unknown = [r for r in roles if r not in Role.values]
    if unknown:
        raise OretraceError(
            f"unknown role(s) {', '.join(unknown)}; expected any of {', '.join(Role.values)}"
        )
    if not roles:
        raise OretraceError("a membership needs at least one role")
    return sorted(set(roles), key=Role.values.index)


@transaction.atomic
def add_member(
    organisation: Organisation, *, user: User, roles: list[str], actor: Membership | SystemActor
) -> Membership:
    """Give a user a place in an organisation with the given roles."""
    _require_admin(actor, organisation)
    roles = _check_roles(roles)
    if Membership.objects.filter(user=user, organisation=organisation).exists():
        raise OretraceError(f"{user.email} is already a member of {organisation}")
    membership = Membership.objects.create(user=user, organisation=organisation, roles=roles)
    log_change(membership, action=ChangeAction.CREATE, actor=actor, organisation=organisation)
    return membership


@transaction.atomic
def invite_member(
    organisation: Organisation,
    *,
    email: str,
    roles: list[str],
    actor: Membership | SystemActor,
    full_name: str = "",
) -> Membership:
    """Add a person by e-mail address and tell them by e-mail once the change is committed.

    A person without a login gets one without a password, and the e-mail carries a one-time
    link to choose it.
    """
    email = User.objects.normalize_email(email.strip()).lower()
    user = User.objects.filter(email=email).first() or create_user(
        email=email, password=None, full_name=full_name, actor=actor, organisation=organisation
    )
    membership = add_member(organisation, user=user, roles=roles, actor=actor)
    invited_by = "" if isinstance(actor, SystemActor) else str(actor.user)
    # Sent by the worker, so a slow or failing mail server never fails this request.
    transaction.on_commit(
        lambda: send_invitation_task.enqueue(user.pk, organisation.pk, invited_by)
    )
    return membership


@transaction.atomic
def set_member_roles(
    membership: Membership,
    *,
    roles: list[str],
    actor: Membership | SystemActor,
    is_active: bool | None = None,
) -> Membership:
    """Change a member's roles (and optionally deactivate or reactivate them)."""
    _require_admin(actor, membership.organisation)
    before = snapshot(membership)
    membership.roles = _check_roles(roles)
    if is_active is not None:
        membership.is_active = is_active
    _keep_one_admin(membership)
    membership.save()
    log_change(membership, action=ChangeAction.UPDATE, actor=actor, before=before)
    return membership


def _keep_one_admin(changed: Membership) -> None:
    """Refuse a change that would leave the organisation without an active administrator."""
    if changed.is_active and Role.ADMIN in changed.roles:
        return
    others = Membership.objects.active().filter(organisation_id=changed.organisation_id)
    if not any(Role.ADMIN in m.roles for m in others.exclude(pk=changed.pk)):
        raise OretraceError(f"{changed.organisation} must keep at least one active administrator")


@transaction.atomic
def grant_access(
    obj: models.Model | type[models.Model],
    *,
    to: Organisation,
    actor: Membership | SystemActor,
    owner: Organisation | None = None,
    expires_at: datetime | None = None,
    note: str = "",
) -> Grant:
    """Share one row (or, given a model class and an owner, every row of it) with ``to``."""
    if isinstance(obj, type):
        if owner is None:
            raise OretraceError("sharing every row of a type needs the owning organisation")
        content_type, object_id = ContentType.objects.get_for_model(obj), None
    else:
        owner = obj.organisation  # type: ignore[attr-defined]
        content_type, object_id = ContentType.objects.get_for_model(obj), obj.pk
    _require_admin_or_compliance(actor, owner)
    if owner.pk == to.pk:
        raise OretraceError("an organisation cannot share with itself")
    grant = Grant.objects.create(
        owner=owner,
        grantee=to,
        content_type=content_type,
        object_id=object_id,
        expires_at=expires_at,
        note=note,
        created_by=actor_user(actor),
    )
    log_change(grant, action=ChangeAction.CREATE, actor=actor, organisation=owner)
    return grant


@transaction.atomic
def revoke_grant(grant: Grant, *, actor: Membership | SystemActor) -> Grant:
    """End a share; the grantee loses sight of the row at once."""
    _require_admin_or_compliance(actor, grant.owner)
    return update_and_log(grant, actor=actor, organisation=grant.owner, revoked_at=timezone.now())


def _require_admin_or_compliance(actor: Membership | SystemActor, owner: Organisation) -> None:
    can_share.require(actor, organisation_id=owner.pk)


ERASED_DOMAIN = "erased.invalid"


@transaction.atomic
def erase_user(user: User, *, actor: Membership | SystemActor) -> User:
    """Erase a person's personal data; what the logs recorded stays valid and names nobody.

    Ledger leaves and change-log entries name people only by their pseudonym: deleting the
    ``Pseudonym`` row leaves it mapping to nobody, without touching a leaf or an entry. What
    change-log entries say about the person (their address and name, a membership's name) is
    sealed apart from the chain and emptied (``core.changelog.erase_personal``). The
    user row stays (history points at it) with a random address, no name, no usable password
    and no rights; memberships are deactivated and API tokens revoked. Only the platform's
    operator (a system actor, e.g. ``oretrace erase_user``) or a staff user may do this: it
    may leave an organisation without an administrator, which a legal erasure must allow.
    Erasing an erased user changes nothing.
    """
    if not isinstance(actor, SystemActor) and not actor.user.is_staff:
        raise PermissionDenied("only the platform's operator (a staff user) can erase a user")
    if user.email.endswith("@" + ERASED_DOMAIN):
        return user
    tokens = ApiToken.objects.filter(membership__user=user, revoked_at__isnull=True)
    end_tokens(tokens.select_related("membership__organisation"), actor=actor)
    for membership in user.memberships.filter(is_active=True):
        update_and_log(membership, actor=actor, is_active=False)
    Pseudonym.objects.filter(user=user).delete()
    # Their notifications, and the notices that named them to their colleagues.
    Notification.objects.filter(recipient=user).delete()
    Notification.objects.filter(
        kind=NotificationKind.ONBOARDING, values__name=user.get_full_name()
    ).delete()
    emptied = erase_personal(user.pk)
    user.email = f"erased-{secrets.token_hex(8)}@{ERASED_DOMAIN}"
    user.full_name = ""
    user.is_active = user.is_staff = user.is_superuser = False
    user.set_unusable_password()
    user.save()
    user.groups.clear()
    user.user_permissions.clear()
    # No "before": the values it would hold are what is being erased. The entry lists the
    # change-log entries whose sealed personal data was emptied (the chain vouches for it).
    log_change(user, action=ChangeAction.UPDATE, actor=actor, note={ERASED_ENTRIES: emptied})
    return user


# Token services live in their own module; re-exported here so callers have one place to look.
from oretrace.core.tokens import (  # noqa: E402
    authenticate_token,
    end_tokens,
    issue_token,
    revoke_token,
)

__all__ = [
    "add_member",
    "authenticate_token",
    "create_organisation",
    "create_user",
    "erase_user",
    "grant_access",
    "invite_member",
    "issue_token",
    "revoke_grant",
    "revoke_token",
    "set_member_roles",
    "update_organisation",
]
