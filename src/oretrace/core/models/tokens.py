"""Personal API tokens."""

from __future__ import annotations

from typing import Self

from django.db import models
from django.utils import timezone

from oretrace.core.models.base import OptionalLink, optional_link


class ApiTokenQuerySet(models.QuerySet["ApiToken"]):
    def usable(self) -> Self:
        now = timezone.now()
        return (
            self.filter(revoked_at__isnull=True)
            .filter(models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now))
            .filter(
                models.Q(membership__user__password_changed_at__isnull=True)
                | models.Q(created_at__gt=models.F("membership__user__password_changed_at"))
            )
        )

    def for_member(self, member: object) -> Self:
        """A user sees only their own tokens."""
        return self.filter(membership__user_id=member.user_id)  # type: ignore[attr-defined]


class ApiToken(models.Model):
    """A personal token that acts as one membership through the API.

    Only a SHA-256 hash of the secret is stored; the token itself is shown once, at creation.
    The prefix identifies the token in lists and logs without revealing it. A token created
    through the API with another token has that token as its ``parent``: revoking a token
    revokes everything minted from it, at every depth. A token issued before its user's last
    password change is refused (``User.password_changed_at``).
    """

    membership = models.ForeignKey(
        "core.Membership", on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100)
    parent: OptionalLink[ApiToken] = optional_link(
        "self",
        "The token that minted this one through the API; revoked with it.",
        related_name="children",
        on_delete=models.CASCADE,
    )
    prefix = models.CharField(max_length=16, unique=True)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def ended_by_password_change(self) -> bool:
        """True when the user changed their password after this token was issued."""
        changed = self.membership.user.password_changed_at
        return changed is not None and self.created_at <= changed
