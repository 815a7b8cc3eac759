"""Findings: the auditor's grade on one criterion of the audit's standard, with evidence."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models

from oretrace.audits.choices import FindingGrade
from oretrace.audits.models.audits import Audit, AuditPartQuerySet
from oretrace.audits.models.files import StoredFile
from oretrace.core.models import TimeStampedModel

if TYPE_CHECKING:
    from oretrace.core.models import Membership


class Finding(TimeStampedModel):
    """One criterion's finding: its grade and what the auditor saw; saved as they go."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="findings")
    criterion = models.ForeignKey(
        "assessments.Criterion", on_delete=models.PROTECT, related_name="audit_findings"
    )
    grade = models.CharField(max_length=20, choices=FindingGrade.choices)
    description = models.TextField(blank=True, help_text="What the auditor saw, and where.")
    closure_due_on = models.DateField(
        null=True, blank=True, help_text="When its corrective actions must be closed (programme)."
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = AuditPartQuerySet.as_manager()

    class Meta:
        ordering = ["criterion__section__position", "criterion__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "criterion"], name="finding_per_criterion"),
        ]

    def __str__(self) -> str:
        return f"{self.criterion.code}: {self.get_grade_display()}"


class FindingPartQuerySet[M_T: models.Model](models.QuerySet[M_T]):
    def for_member(self, member: Membership) -> Self:
        return self.filter(finding__audit__in=Audit.objects.for_member(member))


class FindingEvidence(StoredFile):
    """A photo or document the auditor attached to a finding."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="audits/findings/%Y/%m/")

    objects = FindingPartQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "finding evidence"
