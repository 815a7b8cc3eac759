"""Organisations, users, memberships with roles, and grants that share rows across organisations."""

from __future__ import annotations

from typing import Self

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from oretrace.core.choices import Approval, Digest, GrantAccess, OrganisationKind, Role
from oretrace.core.models.base import TimeStampedModel
from oretrace.core.validators import validate_duns, validate_lei


class OrganisationQuerySet(models.QuerySet["Organisation"]):
    def for_member(self, member: Membership) -> Self:
        """Organisations the member's user belongs to (active memberships only)."""
        mine = Membership.objects.filter(user_id=member.user_id, is_active=True)
        return self.filter(pk__in=mine.values("organisation_id"))


class Organisation(TimeStampedModel):
    """A legal entity taking part in a supply chain, an initiative, an auditor or an authority."""

    legal_name = models.CharField(max_length=300)
    short_name = models.CharField(max_length=100, blank=True)
    slug = models.SlugField(max_length=120, unique=True)
    kind = models.CharField(max_length=30, choices=OrganisationKind.choices)
    country = models.ForeignKey(
        "core.Country",
        on_delete=models.PROTECT,
        related_name="organisations",
        help_text="Country of registration.",
    )
    lei = models.CharField(
        "LEI",
        max_length=20,
        blank=True,
        validators=[validate_lei],
        help_text="Legal Entity Identifier (ISO 17442), 20 characters.",
    )
    duns = models.CharField(
        "D-U-N-S",
        max_length=9,
        blank=True,
        validators=[validate_duns],
        help_text="Dun & Bradstreet number, 9 digits.",
    )
    vat_number = models.CharField("VAT number", max_length=30, blank=True)
    national_registration = models.CharField(
        max_length=60,
        blank=True,
        help_text="Company number in the national register (e.g. CIN in India, HRB in Germany).",
    )
    website = models.URLField(blank=True)
    is_active = models.BooleanField(default=True)
    approval = models.CharField(
        max_length=10,
        choices=Approval.choices,
        default=Approval.APPROVED,
        help_text="A signed-up organisation waits (inactive) until the operator approves it.",
    )
    language = models.CharField(
        max_length=10,
        blank=True,
        help_text="The language its sign-up was made in: the decision is mailed in it.",
    )

    objects = OrganisationQuerySet.as_manager()

    # What an administrator may set through the services (and the API shows): who the
    # organisation is, its identifiers, and whether it is active.
    EDITABLE = (
        "legal_name",
        "short_name",
        "kind",
        "country",
        "lei",
        "duns",
        "vat_number",
        "national_registration",
        "website",
        "is_active",
    )

    class Meta:
        ordering = ["legal_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["lei"], condition=~Q(lei=""), name="organisation_lei_unique"
            ),
            models.UniqueConstraint(
                fields=["duns"], condition=~Q(duns=""), name="organisation_duns_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.short_name or self.legal_name

    @property
    def display_name(self) -> str:
        return str(self)


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **extra: object) -> User:
        if not email:
            raise ValueError("a user needs an e-mail address")
        user = self.model(email=self.normalize_email(email).lower(), **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **extra: object) -> User:
        extra.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra)


class User(AbstractBaseUser, PermissionsMixin):
    """A person who logs in with an e-mail address."""

    email = models.EmailField(_("e-mail address"), unique=True)
    full_name = models.CharField(max_length=200, blank=True)
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(default=False, help_text="May log in to the admin site.")
    date_joined = models.DateTimeField(default=timezone.now)
    password_changed_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the password was last set; API tokens issued before it are refused.",
    )
    language = models.CharField(
        _("language"),
        max_length=10,
        blank=True,
        help_text="The person's language: their e-mails are written in it, and the pages are "
        "shown in it after they log in. Empty: the site's default.",
    )
    digest = models.CharField(
        _("notification e-mails"),
        max_length=10,
        choices=Digest.choices,
        default=Digest.IMMEDIATE,
    )
    last_digest_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the last digest was mailed (or the digest setting changed): the next "
        "one holds what came after, and is due a day or a week later.",
    )

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    # The change log seals these and the user's name apart (``core.changelog.seal``), so that
    # erasing the user empties them there without breaking its chain.
    changelog_personal = ("email", "full_name")

    class Meta:
        ordering = ["email"]

    def __str__(self) -> str:
        return self.full_name or self.email

    def set_password(self, raw_password: str | None) -> None:
        """Set the password; every API token issued before this moment stops working."""
        super().set_password(raw_password)
        self.password_changed_at = timezone.now()

    def set_unusable_password(self) -> None:
        super().set_unusable_password()
        self.password_changed_at = timezone.now()

    def get_full_name(self) -> str:
        return self.full_name or self.email

    @property
    def changelog_subject_id(self) -> int | None:
        return self.pk

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class MembershipQuerySet(models.QuerySet["Membership"]):
    def active(self) -> Self:
        return self.filter(is_active=True, organisation__is_active=True, user__is_active=True)

    def for_member(self, member: Membership) -> Self:
        """Memberships of the member's organisation."""
        return self.filter(organisation_id=member.organisation_id)


class Membership(TimeStampedModel):
    """A user's place in an organisation, with the roles they hold there."""

    user = models.ForeignKey("core.User", on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.CASCADE, related_name="memberships"
    )
    roles = models.JSONField(default=list, help_text="Role codes, see core.choices.Role.")
    is_active = models.BooleanField(default=True)

    objects = MembershipQuerySet.as_manager()

    # The API token a request acts through, when it does (set by token authentication).
    acting_token_id: int | None = None

    class Meta:
        ordering = ["organisation__legal_name", "user__email"]
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="membership_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.organisation}"

    @property
    def changelog_subject_id(self) -> int | None:
        """Its name is the user's: the change log seals it (``core.changelog.seal``)."""
        return self.user_id

    def has_role(self, *roles: str) -> bool:
        """True when the member holds any of ``roles``; administrators hold every role."""
        held = set(self.roles)
        return Role.ADMIN in held or bool(held.intersection(roles))

    @property
    def role_labels(self) -> list[str]:
        labels = dict(Role.choices)
        return [str(labels.get(code, code)) for code in self.roles]


class GrantQuerySet(models.QuerySet["Grant"]):
    def active(self, at: object = None) -> Self:
        moment = at or timezone.now()
        return self.filter(revoked_at__isnull=True).filter(
            Q(expires_at__isnull=True) | Q(expires_at__gt=moment)
        )

    def for_member(self, member: Membership) -> Self:
        """Grants the member's organisation gave or received."""
        org = member.organisation_id
        return self.filter(Q(owner_id=org) | Q(grantee_id=org))


class Grant(TimeStampedModel):
    """An explicit share of one row, or of every row of one type, with another organisation.

    Sharing is never implied by a relationship: a supplier shares a declaration with a customer
    by creating a grant, and revokes it by setting ``revoked_at``.
    """

    owner = models.ForeignKey(
        "core.Organisation", on_delete=models.CASCADE, related_name="grants_given"
    )
    grantee = models.ForeignKey(
        "core.Organisation", on_delete=models.CASCADE, related_name="grants_received"
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The shared row; empty shares every row of the type."
    )
    access = models.CharField(max_length=20, choices=GrantAccess.choices, default=GrantAccess.VIEW)
    note = models.CharField(max_length=300, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = GrantQuerySet.as_manager()

    class Meta:
        indexes = [models.Index(fields=["grantee", "content_type"], name="grant_grantee_type_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(owner=models.F("grantee")), name="grant_not_to_self"
            ),
        ]

    def __str__(self) -> str:
        what = (
            f"{self.content_type.model} #{self.object_id}"
            if self.object_id
            else self.content_type.model
        )
        return f"{self.owner} → {self.grantee}: {what}"
