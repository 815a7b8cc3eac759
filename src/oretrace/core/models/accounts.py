"""What the account pages remember about requests: password-reset requests, for their rate limit."""

from __future__ import annotations

from django.db import models
from django.utils import timezone


class PasswordResetRequest(models.Model):
    """One request for a password-reset mail, kept for the rate limit's window (then pruned).

    The e-mail address is kept only as a SHA-256 of its lower-cased form: enough to count the
    requests for one account, without a list of addresses people typed.
    """

    requested_at = models.DateTimeField(default=timezone.now, db_index=True)
    email_hash = models.CharField(max_length=64, db_index=True)
    address = models.GenericIPAddressField(null=True, blank=True, db_index=True)
    sent = models.BooleanField(help_text="False when the rate limit held the mail back.")

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"password reset {self.requested_at:%Y-%m-%d %H:%M} from {self.address or '?'}"
