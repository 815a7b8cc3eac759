"""Audit programme versions, installed from the programme files (``audits.programmes``).

A row is one version of one programme: its code, version, the rules' fingerprint and the file's
text. A version never changes once installed: an audit pins its version (``Audit.programme``)
and is judged by the rules read back from that text, so a programme edited to a new version
leaves running audits on theirs.
"""

from __future__ import annotations

from django.db import models

from oretrace.core.models import (
    FileVersion,
    FileVersionQuerySet,
    file_version_constraints,
    optional_organisation,
)


class ProgrammeVersion(FileVersion):
    """One version of an audit programme: its rules as data, pinned by its fingerprint."""

    organisation = optional_organisation(
        "Owner; empty for a programme shipped with oretrace (visible to everyone).",
        related_name="audit_programmes",
    )
    standard_code = models.SlugField(
        max_length=80, blank=True, help_text="The assessments standard its criteria come from."
    )
    fingerprint = models.CharField(max_length=64, help_text="SHA-256 of the canonical rules.")
    source = models.TextField(help_text="The programme file as installed (YAML).")

    objects = FileVersionQuerySet.as_manager()

    class Meta(FileVersion.Meta):
        constraints = file_version_constraints("programme")
