"""Corrective actions: how the auditee answers a finding, in rounds, with evidence; and the
support the auditee asks the programme's owner for.

An action may point to the auditee's improvement action on the same criterion (from a
self-assessment, ``assessments.ImprovementAction``): the two are one piece of work seen from
the programme's side (the audit) and the supplier's (its improvement plan), see
docs/user-guide/audits.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models

from oretrace.assessments.choices import SupportKind, SupportStatus
from oretrace.audits.choices import ActionStatus
from oretrace.audits.models.audits import Audit
from oretrace.audits.models.files import StoredFile
from oretrace.audits.models.findings import Finding, FindingPartQuerySet
from oretrace.core.models import TimeStampedModel

if TYPE_CHECKING:
    from oretrace.core.models import Membership


class CorrectiveAction(TimeStampedModel):
    """One action answering a finding: what, who carries it, by when, in which round."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="actions")
    round = models.PositiveSmallIntegerField(help_text="The plan's round it was added in.")
    what = models.TextField()
    root_cause = models.TextField(blank=True, help_text="Why the gap arose, as the auditee sees.")
    owner_name = models.CharField(max_length=200, help_text="Who at the auditee carries it.")
    due_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    done_at = models.DateTimeField(null=True, blank=True)
    verified_at = models.DateTimeField(null=True, blank=True)
    improvement = models.ForeignKey(
        "assessments.ImprovementAction",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="corrective_actions",
        help_text="The auditee's improvement action on the same criterion, if it has one.",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = FindingPartQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["status", "due_on"], name="audit_action_due")]

    def __str__(self) -> str:
        return f"{self.finding.criterion.code}: {self.what[:60]}"


class ActionPartQuerySet[M_T: models.Model](models.QuerySet[M_T]):
    def for_member(self, member: Membership) -> Self:
        return self.filter(action__finding__audit__in=Audit.objects.for_member(member))


class ActionEvidence(StoredFile):
    """A file the auditee attached to show an action done (a photo, a register, a receipt)."""

    action = models.ForeignKey(CorrectiveAction, on_delete=models.CASCADE, related_name="evidence")
    file = models.FileField(upload_to="audits/actions/%Y/%m/")

    objects = ActionPartQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "action evidence"


class SupportRequest(TimeStampedModel):
    """The auditee's request to the programme's owner for help closing a finding."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="support_requests")
    kind = models.CharField(max_length=12, choices=SupportKind.choices)
    message = models.TextField()
    status = models.CharField(
        max_length=10, choices=SupportStatus.choices, default=SupportStatus.OPEN
    )
    response = models.TextField(blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = FindingPartQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "id"]
        db_table = "audits_supportrequest"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.get_status_display()})"
