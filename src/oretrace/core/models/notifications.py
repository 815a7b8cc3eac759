"""Notifications: one row per recipient, shown in the app and mailed as the person chose."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone

from oretrace.core.choices import NotificationKind
from oretrace.core.models.base import owning_organisation

if TYPE_CHECKING:
    from oretrace.core.models.organisations import Membership


class NotificationQuerySet(models.QuerySet["Notification"]):
    def for_member(self, member: Membership) -> NotificationQuerySet:
        """The member's own notifications in the organisation they act for: a colleague's, or
        their own in another organisation, stay invisible."""
        return self.filter(organisation_id=member.organisation_id, recipient_id=member.user_id)

    def unread(self) -> NotificationQuerySet:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    """Something a person should know, in one organisation they belong to.

    The text is kept as its English message id and the values to put in it, and translated when
    it is read (in the reader's language then, on the page or in the e-mail); the values are
    names and numbers, never sentences. ``key`` marks a notice that must reach a person once
    only (an overdue campaign is noticed once, not every day). ``emailed_at`` is set when an
    e-mail (at once or in a digest) took the row, before it is sent: a row is mailed at most
    once.
    """

    organisation = owning_organisation(db_index=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    message = models.CharField(max_length=300, help_text="English message id (translated).")
    message_plural = models.CharField(
        max_length=300, blank=True, help_text="Plural message id, chosen by values['count']."
    )
    values = models.JSONField(default=dict, blank=True)
    link = models.CharField(max_length=500, blank=True, help_text="Path of the object's page.")
    key = models.CharField(max_length=120, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(
                fields=["organisation", "recipient", "read_at"], name="notification_inbox_idx"
            ),
            models.Index(fields=["recipient", "emailed_at"], name="notification_mail_idx"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "organisation", "key"],
                condition=~models.Q(key=""),
                name="notification_once_per_key",
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} for user {self.recipient_id} ({self.created_at:%Y-%m-%d %H:%M})"


class PeriodicRun(models.Model):
    """When a periodic check last ran (the daily overdue check): the tick runs it once a day."""

    name = models.CharField(max_length=80, unique=True)
    last_run_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.name} at {self.last_run_at:%Y-%m-%d %H:%M}"
