"""The risk register and its Step-3 plans (OECD Guidance, Step 3).

An organisation keeps one ``RiskEntry`` per risk it has identified: what it is about (a
facility, a supplier, a lot, or several), its Annex II or labour category, how it was
identified, and its status, whose every change is kept (``RiskStatusChange``). A risk it
manages has a ``RiskPlan``: the strategy, measures with their owners, indicators, and a review
date at most six months after each decision. Every decision on a plan (adopted, strategy
changed, reviewed, closed) is a ``PlanDecision`` row, never changed afterwards, and a record
of the transparency log (``risk.register.records``); escalations to senior management are
kept beside them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from oretrace.core.models import Country, OrgOwnedModel, TimeStampedModel, optional_link
from oretrace.declarations.models import Supplier
from oretrace.registry.models import Facility
from oretrace.risk.models.flags import RedFlag
from oretrace.risk.models.scores import Score
from oretrace.traceability.models import Lot

if TYPE_CHECKING:
    from django.db.models.expressions import Combinable

    from oretrace.core.models import Membership
from oretrace.risk.choices import (
    DecisionKind,
    MeasureStatus,
    PlanStatus,
    PlanStrategy,
    RiskCategory,
    RiskLevel,
    RiskOrigin,
    RiskStatus,
)


def _member(
    related_name: str = "+", *, optional: bool = False
) -> models.ForeignKey[Membership | Combinable | None, Membership | None]:
    """A member who did something on the row (empty for the system)."""
    return models.ForeignKey(
        "core.Membership",
        on_delete=models.PROTECT,
        related_name=related_name,
        null=optional,
        blank=optional,
    )


class RiskEntry(OrgOwnedModel):
    """One identified risk of the organisation's supply chain."""

    title = models.CharField(max_length=200)
    category = models.CharField(max_length=20, choices=RiskCategory.choices)
    level = models.CharField(max_length=10, choices=RiskLevel.choices, default=RiskLevel.HIGH)
    facility = optional_link(Facility, related_name="risk_entries")
    supplier = optional_link(Supplier, related_name="risk_entries")
    lot = optional_link(Lot, related_name="risk_entries")
    country = optional_link(
        Country, "Where the risk lies (the facility's or supplier's country unless given)."
    )
    region_code = models.CharField(
        max_length=10, blank=True, help_text="ISO 3166-2 region, when the risk is in one."
    )
    origin = models.CharField(max_length=10, choices=RiskOrigin.choices)
    red_flag = optional_link(
        RedFlag, "The red flag that raised the risk, when one did.", related_name="risk_entries"
    )
    score = optional_link(
        Score, "The risk score that raised the risk, when one did.", related_name="risk_entries"
    )
    origin_reference = models.CharField(
        max_length=100,
        blank=True,
        help_text="What raised it: the red flag's or the score's id (empty by hand).",
    )
    reason = models.TextField(
        blank=True, help_text="Why it was entered by hand, or what the flag or score said."
    )
    identified_on = models.DateField()
    status = models.CharField(max_length=10, choices=RiskStatus.choices, default=RiskStatus.OPEN)

    class Meta:
        ordering = ["-identified_on", "-id"]
        verbose_name_plural = "risk entries"
        indexes = [
            models.Index(fields=["organisation", "status"], name="risk_entry_org_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(facility__isnull=False)
                | models.Q(supplier__isnull=False)
                | models.Q(lot__isnull=False),
                name="risk_entry_has_subject",
            ),
        ]

    def __str__(self) -> str:
        return f"R-{self.pk}: {self.title}"


class RiskStatusChange(models.Model):
    """A change of an entry's status: the register's history (and its monthly trends)."""

    entry = models.ForeignKey(RiskEntry, on_delete=models.CASCADE, related_name="history")
    status = models.CharField(max_length=10, choices=RiskStatus.choices)
    previous = models.CharField(max_length=10, choices=RiskStatus.choices, blank=True)
    changed_on = models.DateField()
    changed_by = _member(optional=True)
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["changed_on", "id"]

    def __str__(self) -> str:
        return f"{self.previous or '-'} → {self.status} ({self.changed_on})"


class RiskPlan(OrgOwnedModel):
    """The Step-3 risk management plan of one register entry."""

    entry = models.OneToOneField(RiskEntry, on_delete=models.PROTECT, related_name="plan")
    strategy = models.CharField(max_length=10, choices=PlanStrategy.choices)
    status = models.CharField(max_length=10, choices=PlanStatus.choices, default=PlanStatus.ADOPTED)
    summary = models.TextField(blank=True, help_text="What the plan aims at, in a few lines.")
    decided_on = models.DateField(help_text="The date of the last decision on the plan.")
    review_on = models.DateField(
        help_text="When the plan is next reviewed: at most six months after the decision."
    )
    assessments = models.ManyToManyField(
        "assessments.Assessment",
        blank=True,
        related_name="risk_plans",
        help_text="Improvement plans (assessments) the plan relies on.",
    )
    actions = models.ManyToManyField(
        "assessments.ImprovementAction",
        blank=True,
        related_name="risk_plans",
        help_text="Improvement actions the plan relies on.",
    )
    corrective_actions = models.JSONField(
        default=list,
        blank=True,
        help_text="References of audits' corrective actions (the audits app links them).",
    )

    class Meta:
        ordering = ["review_on", "id"]

    def __str__(self) -> str:
        return f"Plan for R-{self.entry_id}"


class Measure(TimeStampedModel):
    """A measure of a plan: what is done, by whom (a member), by when."""

    plan = models.ForeignKey(RiskPlan, on_delete=models.CASCADE, related_name="measures")
    what = models.CharField(max_length=300)
    owner = _member("risk_measures")
    due_on = models.DateField()
    status = models.CharField(
        max_length=10, choices=MeasureStatus.choices, default=MeasureStatus.OPEN
    )

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.what


class Indicator(TimeStampedModel):
    """A measurable indicator of a plan's progress: its target and its current value."""

    plan = models.ForeignKey(RiskPlan, on_delete=models.CASCADE, related_name="indicators")
    what = models.CharField(max_length=300)
    unit = models.CharField(max_length=40, blank=True)
    target = models.DecimalField(max_digits=14, decimal_places=2)
    current = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.what


class PlanDecision(models.Model):
    """One decision on a plan; written once, and committed to the transparency log."""

    plan = models.ForeignKey(RiskPlan, on_delete=models.PROTECT, related_name="decisions")
    kind = models.CharField(max_length=10, choices=DecisionKind.choices)
    strategy = models.CharField(max_length=10, choices=PlanStrategy.choices)
    previous_strategy = models.CharField(max_length=10, choices=PlanStrategy.choices, blank=True)
    decided_on = models.DateField()
    next_review_on = models.DateField(null=True, blank=True, help_text="Empty once closed.")
    outcome = models.TextField(blank=True, help_text="What was found or decided, in words.")
    decided_by = _member(optional=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["decided_on", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.decided_on})"


class Escalation(models.Model):
    """A plan brought to senior management: to whom, when, and what they decided."""

    plan = models.ForeignKey(RiskPlan, on_delete=models.CASCADE, related_name="escalations")
    escalated_to = models.CharField(
        max_length=200, help_text="Who in senior management (a name or a position)."
    )
    escalated_on = models.DateField()
    decision = models.TextField(help_text="What senior management decided.")
    recorded_by = _member(optional=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["escalated_on", "id"]

    def __str__(self) -> str:
        return f"{self.escalated_to} ({self.escalated_on})"
