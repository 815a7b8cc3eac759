"""Audits: one audit of one facility under one programme version, from planning to closure.

The audit belongs to the audit body that runs it (``organisation``); the auditee and the
programme's owner (an initiative or a buyer that commissioned it) see it too, named on the
row. Every move of its status is an ``AuditStep`` (who, when, from what) and a change-log
entry; the closure's outcome and cycle are stored on the row and committed to the ledger.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

from oretrace.audits.choices import AuditStatus, AuditType, ReviewDecision
from oretrace.core.models import OrgOwnedModel, OrgOwnedQuerySet
from oretrace.core.tenancy import scope_to_member

if TYPE_CHECKING:
    from oretrace.core.models import Membership


class AuditQuerySet(OrgOwnedQuerySet["Audit"]):
    def for_member(self, member: Membership) -> AuditQuerySet:
        """Audits the member's organisation runs, undergoes or owns the programme of, and
        those shared with it. Nobody else sees an audit. An unannounced audit is hidden from
        the organisation it audits until the auditors are on site (its fieldwork starts)."""
        org = member.organisation_id
        announced = ~Q(audit_type=AuditType.UNANNOUNCED, status=AuditStatus.PLANNED)
        undergone = Q(auditee_id=org) & announced
        return scope_to_member(self, member, public=undergone | Q(programme_owner_id=org))


class Audit(OrgOwnedModel):
    """An audit of a facility against a programme version, run by an audit body."""

    programme = models.ForeignKey(
        "audits.ProgrammeVersion", on_delete=models.PROTECT, related_name="audits"
    )
    standard = models.ForeignKey(
        "assessments.Standard",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audits",
        help_text="The standard version whose criteria the checklist holds.",
    )
    audit_type = models.CharField(max_length=20, choices=AuditType.choices)
    auditee = models.ForeignKey(
        "core.Organisation", on_delete=models.PROTECT, related_name="audits_received"
    )
    facility = models.ForeignKey(
        "registry.Facility", on_delete=models.PROTECT, related_name="audits"
    )
    programme_owner = models.ForeignKey(
        "core.Organisation",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="audits_commissioned",
        help_text="The initiative or buyer running the programme: it sees the audit and "
        "answers the auditee's support requests.",
    )
    lead_auditor = models.ForeignKey(
        "core.Membership", on_delete=models.PROTECT, related_name="audits_led"
    )
    team = models.ManyToManyField(
        "core.Membership", blank=True, related_name="audits_joined", help_text="Other auditors."
    )
    scope = models.TextField(help_text="What the audit covers: sites, processes, period.")
    planned_start = models.DateField()
    planned_end = models.DateField()
    status = models.CharField(
        max_length=15, choices=AuditStatus.choices, default=AuditStatus.PLANNED
    )
    report_on = models.DateField(null=True, blank=True, help_text="When the report was issued.")
    plan_due_on = models.DateField(
        null=True, blank=True, help_text="The corrective action plan's deadline (programme rule)."
    )
    cap_round = models.PositiveSmallIntegerField(
        default=1, help_text="The round of the corrective action plan (2 after a send-back …)."
    )
    decided_on = models.DateField(null=True, blank=True, help_text="When the audit closed.")
    score = models.DecimalField(
        max_digits=5,
        decimal_places=1,
        null=True,
        blank=True,
        help_text="The audit's score in percent, in a programme that grades by score.",
    )
    outcome = models.CharField(max_length=20, blank=True, help_text="The programme's grade.")
    conformant = models.BooleanField(null=True, blank=True)
    outcome_reasons = models.JSONField(default=list, blank=True)
    valid_until = models.DateField(null=True, blank=True)
    next_audit_due = models.DateField(null=True, blank=True)
    next_audit_type = models.CharField(max_length=20, choices=AuditType.choices, blank=True)
    result_sha256 = models.CharField(
        max_length=64, blank=True, help_text="SHA-256 of the findings the result was decided on."
    )
    status_entry = models.ForeignKey(
        "registry.AssuranceStatus",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="The facility's assurance status the closure wrote.",
    )

    objects = AuditQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-planned_start", "-id"]
        indexes = [models.Index(fields=["auditee", "status"], name="audit_auditee_status")]
        constraints = [
            models.CheckConstraint(
                condition=Q(planned_end__gte=models.F("planned_start")),
                name="audit_planned_dates_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"A-{self.pk} {self.programme.code} — {self.facility}"


class AuditPartQuerySet[M_T: models.Model](models.QuerySet[M_T]):
    def for_member(self, member: Membership) -> AuditPartQuerySet[M_T]:
        """Rows of the audits the member may see."""
        return self.filter(audit__in=Audit.objects.for_member(member))


class AuditStep(models.Model):
    """One move of an audit's status: from what, to what, who, when, and a note."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="steps")
    status = models.CharField(max_length=15, choices=AuditStatus.choices)
    previous = models.CharField(max_length=15, choices=AuditStatus.choices, blank=True)
    at = models.DateTimeField()
    by = models.ForeignKey(
        "core.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(blank=True)

    objects = AuditPartQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.previous or '-'} → {self.status}"


class CapReview(models.Model):
    """The auditor's decision on one round of the corrective action plan."""

    audit = models.ForeignKey(Audit, on_delete=models.CASCADE, related_name="reviews")
    round = models.PositiveSmallIntegerField()
    decision = models.CharField(max_length=10, choices=ReviewDecision.choices)
    note = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        "core.Membership", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField()

    objects = AuditPartQuerySet.as_manager()

    class Meta:
        ordering = ["round", "id"]
        constraints = [
            models.UniqueConstraint(fields=["audit", "round"], name="cap_review_round_unique")
        ]

    def __str__(self) -> str:
        return f"round {self.round}: {self.decision}"
