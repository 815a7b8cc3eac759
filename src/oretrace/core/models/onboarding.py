"""Onboarding: invitations to join an organisation, and the sign-up form's rate limit."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db import models
from django.db.models import Q
from django.utils import timezone

from oretrace.core.models.accounts import RateLimitedRequest
from oretrace.core.models.base import TimeStampedModel, optional_user

if TYPE_CHECKING:
    from oretrace.core.models.organisations import Membership


class InvitationQuerySet(models.QuerySet["Invitation"]):
    def for_member(self, member: Membership) -> Self:
        """Invitations of the member's organisation."""
        return self.filter(organisation_id=member.organisation_id)

    def pending(self) -> Self:
        """Invitations that can still be accepted: not used, not revoked, not expired."""
        return self.filter(
            accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
        )


class Invitation(TimeStampedModel):
    """A single-use, expiring link that lets a person join an organisation with given roles.

    Only the SHA-256 of the link's secret is stored; the secret itself is in the mail alone.
    """

    organisation = models.ForeignKey(
        "core.Organisation", on_delete=models.CASCADE, related_name="invitations"
    )
    email = models.EmailField()
    full_name = models.CharField(max_length=200, blank=True)
    roles = models.JSONField(default=list, help_text="Role codes the invitee will hold.")
    token_hash = models.CharField(max_length=64, unique=True)
    expires_at = models.DateTimeField()
    language = models.CharField(max_length=10, blank=True, help_text="Language of the mail.")
    invited_by = optional_user()
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = optional_user()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["organisation", "email"], name="invitation_org_email_idx")]
        constraints = [
            models.CheckConstraint(
                condition=Q(accepted_at__isnull=True) | Q(revoked_at__isnull=True),
                name="invitation_not_accepted_and_revoked",
            ),
        ]

    def __str__(self) -> str:
        return f"invitation of {self.email} to {self.organisation}"

    @property
    def is_pending(self) -> bool:
        return (
            self.accepted_at is None
            and self.revoked_at is None
            and self.expires_at > timezone.now()
        )


class SignUpRequest(RateLimitedRequest):
    """One sign-up attempt, kept for the rate limit's window (then pruned)."""

    allowed = models.BooleanField(help_text="False when the rate limit refused the attempt.")

    what = "sign-up"
