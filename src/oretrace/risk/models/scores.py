"""Risk scores: the methodology versions they cite, and each stored score with its breakdown.

A ``Methodology`` row is one version of a methodology file (``risk/methodologies/*.yaml``),
kept whole: scores cite it, and a score can be recomputed on the same version years later. A
``Score`` is one subject's (a facility, a supplier, a product lot) score for one organisation
"as of" a date: the methodology version, the editions of the reference lists in force on that
date, the total and level, the breakdown (each contribution with its source, state, points,
share, value and evidence) and a fingerprint of every input. Scores are written by the
recompute service only; a recompute for the same day and version replaces that day's score.
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from oretrace.core.models import Job, OrgOwnedModel, TimeStampedModel, optional_link
from oretrace.core.models.base import owning_organisation
from oretrace.core.models.reference import PublicQuerySet
from oretrace.declarations.models import Supplier
from oretrace.registry.models import Facility
from oretrace.risk.choices import ScoreSubject
from oretrace.traceability.models import Lot


class Methodology(TimeStampedModel):
    """One version of a scoring methodology, as shipped in the app (shared by everyone)."""

    code = models.CharField(max_length=40)
    version = models.CharField(max_length=20)
    title = models.CharField(max_length=200)
    filename = models.CharField(max_length=200)
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the file, in hex.")
    text = models.TextField(help_text="The methodology file as shipped.")
    spec = models.JSONField(help_text="The methodology as read from the file.")

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["code", "-version"]
        verbose_name_plural = "methodologies"
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="risk_methodology_once"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.version}"

    @property
    def key(self) -> str:
        return f"{self.code}-{self.version}"


class Score(OrgOwnedModel):
    """One subject's risk score for one organisation as of a date, with its breakdown."""

    organisation = owning_organisation(db_index=False)
    subject = models.CharField(max_length=10, choices=ScoreSubject.choices)
    facility = optional_link(  # the (facility, as_of) index below serves it
        Facility, related_name="risk_scores", on_delete=models.CASCADE, db_index=False
    )
    supplier = optional_link(  # the (supplier, as_of) index below serves it
        Supplier, related_name="risk_scores", on_delete=models.CASCADE, db_index=False
    )
    lot = optional_link(  # the (lot, as_of) index below serves it
        Lot, related_name="risk_scores", on_delete=models.CASCADE, db_index=False
    )
    as_of = models.DateField(help_text="The date the inputs are taken as they stood on.")
    methodology = models.ForeignKey(Methodology, on_delete=models.PROTECT, related_name="scores")
    editions = models.JSONField(
        default=dict, help_text="The edition of each reference list used, by kind (id or null)."
    )
    total = models.DecimalField(max_digits=5, decimal_places=2)
    level = models.CharField(max_length=20)
    breakdown = models.JSONField(help_text="Every contribution; their values sum to the total.")
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of every input: equal fingerprints, equal scores."
    )
    job = optional_link(Job, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["-as_of", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(subject="facility", facility__isnull=False, supplier=None, lot=None)
                    | Q(subject="supplier", supplier__isnull=False, facility=None, lot=None)
                    | Q(subject="lot", lot__isnull=False, facility=None, supplier=None)
                ),
                name="risk_score_one_subject",
            ),
        ]
        indexes = [
            models.Index(
                fields=["organisation", "subject", "as_of"], name="risk_score_org_subject_date"
            ),
            models.Index(fields=["facility", "as_of"], name="risk_score_facility_date"),
            # Most scores are facilities': the other subjects' indexes skip them (fewer index
            # writes when 100,000 facility scores are stored).
            models.Index(
                fields=["supplier", "as_of"],
                name="risk_score_supplier_date",
                condition=Q(supplier__isnull=False),
            ),
            models.Index(
                fields=["lot", "as_of"], name="risk_score_lot_date", condition=Q(lot__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_subject_display()} score {self.total} as of {self.as_of}"

    @property
    def subject_id(self) -> int | None:
        return self.facility_id or self.supplier_id or self.lot_id
