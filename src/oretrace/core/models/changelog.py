"""The change log: who changed which object, when, and how."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone

from oretrace.core.choices import ChangeAction
from oretrace.core.models.base import optional_organisation

if TYPE_CHECKING:
    from oretrace.core.models.organisations import Membership

# What a sealed value reads as in ``before``/``after``, and what it reads as once erased.
SEALED = "(sealed)"
ERASED = "(erased)"


class ChangeLogQuerySet(models.QuerySet["ChangeLogEntry"]):
    def for_member(self, member: Membership) -> Self:
        """Entries about the member's organisation's rows (use ``for_object`` for one object)."""
        return self.filter(Q(organisation_id=member.organisation_id))

    def for_object(self, obj: models.Model) -> Self:
        ct = ContentType.objects.get_for_model(obj, for_concrete_model=False)
        return self.filter(content_type=ct, object_id=str(obj.pk))


class ChangeLogEntry(models.Model):
    """One change to one object, written by the service that made it, in the same transaction.

    ``before`` and ``after`` are JSON snapshots of the object's fields (``None`` for a creation
    or a deletion respectively). Entries are never edited or deleted.

    Entries are hash-chained: ``hash`` is SHA-256 of the previous entry's hash and this entry's
    content (``core.changelog.entry_hash``), so an entry edited or deleted outside the services
    breaks the chain where it was, and the tamper audit finds it.
    """

    organisation = optional_organisation(
        "Whose record changed; empty for shared reference data.",
    )
    actor = models.ForeignKey(
        "core.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(
        max_length=200, help_text="Who acted, kept even if the user is later removed."
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, related_name="+")
    object_id = models.CharField(max_length=64)
    object_repr = models.CharField(max_length=300)
    action = models.CharField(max_length=10, choices=ChangeAction.choices)
    before = models.JSONField(null=True, blank=True)
    after = models.JSONField(null=True, blank=True)
    at = models.DateTimeField(default=timezone.now, db_index=True)
    prev_hash = models.CharField(
        max_length=64, blank=True, help_text="The previous entry's hash (empty for the first)."
    )
    hash = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of prev_hash and this entry's content."
    )
    # Personal data about the person the entry is about (a user's address, a membership's name),
    # sealed apart so it can be erased without breaking the chain: the chain commits to
    # ``personal_digest`` (SHA-256 of the salt and ``personal``), not to the values.
    subject = models.ForeignKey(
        "core.User",
        on_delete=models.DO_NOTHING,  # chained: a deleted user's key stays
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        help_text="The person whose data is sealed in ``personal``.",
    )
    personal = models.JSONField(
        null=True, blank=True, help_text="The sealed values; emptied when the person is erased."
    )
    personal_salt = models.CharField(max_length=32, blank=True)
    personal_digest = models.CharField(max_length=64, blank=True)

    objects = ChangeLogQuerySet.as_manager()

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name_plural = "change log entries"
        indexes = [models.Index(fields=["content_type", "object_id"], name="changelog_object_idx")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.shown_repr}"

    @property
    def is_erased(self) -> bool:
        return bool(self.personal_digest) and self.personal is None

    @property
    def shown_repr(self) -> str:
        """The object's name as people read it: the sealed one while it exists."""
        if self.personal is not None:
            return str(self.personal.get("object_repr", self.object_repr))
        return f"{self.object_repr} ({ERASED})" if self.is_erased else self.object_repr

    def _shown(self, side: str) -> dict[str, Any] | None:
        stored: dict[str, Any] | None = getattr(self, side)  # "before" or "after" (JSON)
        if stored is None or not self.personal_digest:
            return stored
        sealed = (self.personal or {}).get(side) or {}
        return {
            name: (sealed.get(name, ERASED) if value == SEALED else value)
            for name, value in stored.items()
        }

    @property
    def shown_before(self) -> dict[str, Any] | None:
        return self._shown("before")

    @property
    def shown_after(self) -> dict[str, Any] | None:
        return self._shown("after")

    @property
    def changed_fields(self) -> list[str]:
        """Names of the fields whose values differ between ``before`` and ``after``."""
        before, after = self.shown_before or {}, self.shown_after or {}
        return sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))

    @property
    def differences(self) -> list[tuple[str, object, object]]:
        before, after = self.shown_before or {}, self.shown_after or {}
        return [(name, before.get(name), after.get(name)) for name in self.changed_fields]


class ChangeLogHead(models.Model):
    """The single row appends to the change log lock: how many entries it has, and the last
    one's hash (the chain's head), so entries get their place in the chain one at a time."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    count = models.PositiveBigIntegerField(default=0)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="changeloghead_single")
        ]

    def __str__(self) -> str:
        return f"change log of {self.count} entries"
