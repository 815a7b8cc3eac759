"""What the account pages remember about requests: password-reset requests, for their rate limit."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone


class RateLimitedRequest(models.Model):
    """A request a rate limit counts, kept for the limit's window (then pruned).

    The e-mail address is kept only as a SHA-256 of its lower-cased form: enough to count the
    requests for one account, without a list of addresses people typed.
    """

    requested_at = models.DateTimeField(default=timezone.now, db_index=True)
    email_hash = models.CharField(max_length=64, db_index=True)
    address = models.GenericIPAddressField(null=True, blank=True, db_index=True)

    #: What the request was, for ``str()`` (e.g. "password reset").
    what: ClassVar[str] = "request"

    class Meta:
        abstract = True
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.what} {self.requested_at:%Y-%m-%d %H:%M} from {self.address or '?'}"


class PasswordResetRequest(RateLimitedRequest):
    """One request for a password-reset mail, kept for the rate limit's window (then pruned)."""

    sent = models.BooleanField(help_text="False when the rate limit held the mail back.")

    what = "password reset"
