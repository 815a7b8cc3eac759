"""Red flags: what the OECD Guidance calls a red flag, raised by a rule of ``risk.flags`` on
records the platform already holds (declarations, custody, assessments, assurance statuses).

A flag belongs to the organisation whose records raised it. It names the rule (``rule``, a
stable code), the subject (a facility, a supplier and/or a lot, and the country or region it is
about), the evidence record (its kind, id and a label), and the risk-data edition that raised
it (the CAHRA list, the DOL List of Goods) when a list is involved. Flags are never deleted:
a recomputation that no longer finds a flag's condition closes it (``closed_at``, and why); a
flag whose condition comes back is a new row that points to the one it follows
(``previous``), so its whole history stays visible. ``key`` names the condition across
recomputations: at most one open flag per organisation and key.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from django.db import models
from django.db.models import Q
from django.utils import timezone

from oretrace.core.models import (
    Country,
    OptionalLink,
    OrgOwnedModel,
    OrgOwnedQuerySet,
    optional_link,
)
from oretrace.declarations.models import Supplier
from oretrace.registry.models import Facility
from oretrace.risk.choices import EvidenceKind, FlagSeverity
from oretrace.risk.models.editions import Edition
from oretrace.traceability.models import Lot


def _end_of(on: date) -> datetime:
    """The first instant after the day ``on`` (in the site's time zone)."""
    return timezone.make_aware(datetime.combine(on + timedelta(days=1), time.min))


class RedFlagQuerySet(OrgOwnedQuerySet["RedFlag"]):
    def open(self) -> RedFlagQuerySet:
        """Flags that still hold."""
        return self.filter(closed_at__isnull=True)

    def open_on(self, on: date) -> RedFlagQuerySet:
        """Flags that were open at the end of the day ``on``: raised by then, closed after."""
        end = _end_of(on)
        return self.filter(raised_at__lt=end).filter(
            Q(closed_at__isnull=True) | Q(closed_at__gte=end)
        )


class RedFlag(OrgOwnedModel):
    """One red flag raised by a rule on one piece of evidence, open or closed."""

    rule = models.CharField(
        max_length=40, help_text="The code of the rule that raised it (risk.flags.RULES)."
    )
    key = models.CharField(
        max_length=300,
        help_text="The condition the flag stands for (rule, subject, evidence), the same "
        "across recomputations.",
    )
    severity = models.CharField(max_length=10, choices=FlagSeverity.choices)
    facility = optional_link(
        Facility,
        "The facility the flag is about (a smelter, a mine, a processing unit).",
        related_name="red_flags",
    )
    supplier = optional_link(
        Supplier, "The supplier whose declaration raised it, if any.", related_name="red_flags"
    )
    lot = optional_link(
        Lot, "The lot the flag is about, when custody raised it.", related_name="red_flags"
    )
    country = optional_link(
        Country, "The country the flag is about (an origin, a transit, a smelter's)."
    )
    region = models.CharField(
        max_length=10, blank=True, help_text="The ISO 3166-2 region, when known."
    )
    evidence_kind = models.CharField(max_length=30, choices=EvidenceKind.choices)
    evidence_id = models.PositiveBigIntegerField(
        null=True, blank=True, help_text="The primary key of the evidence record."
    )
    evidence_label = models.CharField(
        max_length=300, help_text="The evidence as a person reads it (file, row, lot code)."
    )
    params = models.JSONField(
        default=dict,
        blank=True,
        help_text="The values the rule's explanation is filled with (codes, names).",
    )
    edition = optional_link(
        Edition,
        "The risk-data edition that raised it; empty when no list is involved.",
        related_name="red_flags",
    )
    raised_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(
        max_length=300,
        blank=True,
        help_text="Why it was closed: the change after which its condition no longer held.",
    )
    previous: OptionalLink[RedFlag] = optional_link(
        "self", "The earlier flag of the same condition, closed before this one was raised."
    )

    objects = RedFlagQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "key"],
                condition=Q(closed_at__isnull=True),
                name="risk_red_flag_open_once",
            ),
        ]
        indexes = [
            models.Index(fields=["organisation", "closed_at"], name="risk_flag_org_closed"),
            models.Index(fields=["organisation", "rule"], name="risk_flag_org_rule"),
        ]

    def __str__(self) -> str:
        return f"{self.rule}: {self.evidence_label}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
