"""Audit programme versions, installed from the programme files (``audits.programmes``).

A row is one version of one programme: its code, version, the rules' fingerprint and the file's
text. A version never changes once installed: an audit pins its version (``Audit.programme``)
and is judged by the rules read back from that text, so a programme edited to a new version
leaves running audits on theirs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db import models
from django.db.models import Q

from oretrace.core.models import TimeStampedModel, optional_organisation
from oretrace.core.tenancy import scope_to_member

if TYPE_CHECKING:
    from oretrace.core.models import Membership


class ProgrammeVersionQuerySet(models.QuerySet["ProgrammeVersion"]):
    def for_member(self, member: Membership) -> Self:
        """Shipped programmes (no owner), the organisation's own, and shared ones."""
        return scope_to_member(self, member, public=Q(organisation__isnull=True))


class ProgrammeVersion(TimeStampedModel):
    """One version of an audit programme: its rules as data, pinned by its fingerprint."""

    organisation = optional_organisation(
        "Owner; empty for a programme shipped with oretrace (visible to everyone).",
        related_name="audit_programmes",
    )
    code = models.SlugField(max_length=80, help_text="Stable code shared by all versions.")
    version = models.CharField(max_length=30)
    title = models.JSONField(default=dict, help_text="Title by language code.")
    standard_code = models.SlugField(
        max_length=80, blank=True, help_text="The assessments standard its criteria come from."
    )
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the canonical rules.")
    source = models.TextField(help_text="The programme file as installed (YAML).")

    objects = ProgrammeVersionQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"],
                condition=Q(organisation__isnull=True),
                name="programme_shipped_version_unique",
            ),
            models.UniqueConstraint(
                fields=["organisation", "code", "version"], name="programme_version_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title.get('en', self.code)} ({self.version})"
