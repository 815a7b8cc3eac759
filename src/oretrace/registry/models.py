"""The facility registry: facilities, their names in every script, identifiers, assurance
status history, reference-list listings and imports, and the match review queue."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.db.models import Q

from oretrace.core.models import (
    Job,
    OptionalLink,
    OrgOwnedModel,
    Subdivision,
    TimeStampedModel,
    optional_link,
    optional_organisation,
    optional_user,
)
from oretrace.core.tenancy import scope_to_member
from oretrace.registry.choices import (
    AssuranceScheme,
    CoordinatePrecision,
    FacilityKind,
    IdentifierScheme,
    NameKind,
    ReviewStatus,
)

if TYPE_CHECKING:
    from oretrace.core.models import Membership


class FacilityQuerySet(models.QuerySet["Facility"]):
    def for_member(self, member: Membership) -> FacilityQuerySet:
        """Reference facilities, the member's organisation's own, and those shared with it."""
        return scope_to_member(self, member, public=Q(organisation__isnull=True))

    def live(self) -> FacilityQuerySet:
        """Facilities that were not merged into another."""
        return self.filter(merged_into__isnull=True)


class Facility(TimeStampedModel):
    """A place in a supply chain: a mine, a collection point, a processor, a smelter, a factory.

    Reference facilities (``organisation`` empty) come from reference lists and are visible to
    everyone; a facility an organisation records is private to it unless shared with a grant.
    """

    organisation = optional_organisation(
        "Owner; empty for a reference facility.",
        related_name="facilities",
    )
    created_by = optional_user()
    kind = models.CharField(max_length=30, choices=FacilityKind.choices)
    name = models.CharField(max_length=300, help_text="The name in its own script.")
    name_latin = models.CharField(
        max_length=300, blank=True, help_text="The name in Latin script (transliteration)."
    )
    country = models.ForeignKey("core.Country", on_delete=models.PROTECT, related_name="facilities")
    subdivision = optional_link(Subdivision, related_name="facilities")
    street = models.CharField(max_length=300, blank=True)
    city = models.CharField(max_length=200, blank=True)
    region = models.CharField(
        max_length=200, blank=True, help_text="State or province as written in the source."
    )
    latitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(max_digits=9, decimal_places=6, null=True, blank=True)
    coordinate_precision = models.CharField(
        max_length=10, choices=CoordinatePrecision.choices, blank=True
    )
    operator = optional_organisation(
        "The organisation that runs it.",
        related_name="operated_facilities",
        on_delete=models.SET_NULL,
    )
    minerals = models.ManyToManyField("core.Mineral", related_name="facilities", blank=True)
    merged_into: OptionalLink[Facility] = optional_link(
        "self",
        "Set when this facility was a duplicate: the survivor it was merged into.",
        related_name="merged_from",
    )

    objects = FacilityQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "facilities"
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(latitude__gte=-90, latitude__lte=90, longitude__gte=-180, longitude__lte=180),
                name="facility_coordinates_in_range",
            ),
            models.CheckConstraint(
                condition=~Q(merged_into=models.F("pk")), name="facility_not_merged_into_itself"
            ),
        ]
        indexes = [models.Index(fields=["country", "kind"], name="facility_country_kind_idx")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_reference(self) -> bool:
        return self.organisation_id is None

    @property
    def has_coordinates(self) -> bool:
        return self.latitude is not None and self.longitude is not None


class FacilityPartQuerySet[M: models.Model](models.QuerySet[M]):
    """Rows that belong to a facility (names, identifiers, listings …)."""

    def for_member(self, member: Membership) -> Self:
        """Rows of the facilities the member may see."""
        return self.filter(facility__in=Facility.objects.for_member(member))


class FacilityNameQuerySet(FacilityPartQuerySet["FacilityName"]):
    def for_member(self, member: Membership) -> Self:
        """Public names of visible facilities, and the member's organisation's own aliases."""
        visible = self.filter(facility__in=Facility.objects.for_member(member))
        return visible.filter(
            Q(organisation__isnull=True) | Q(organisation_id=member.organisation_id)
        )


class FacilityName(models.Model):
    """One name of a facility: its own, a transliteration, an alias, a former name …

    A name an organisation confirmed in its review queue is its own alias (``organisation``
    set): it matches for that organisation, and a reference facility stays as curated.
    """

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="names")
    organisation = optional_organisation(
        "Set for an alias only this organisation uses; empty for a public name.",
        on_delete=models.CASCADE,
    )
    name = models.CharField(max_length=300)
    normalised = models.CharField(
        max_length=300,
        db_index=True,
        help_text="The matching engine's normal form, kept for exact look-ups and search.",
    )
    kind = models.CharField(max_length=20, choices=NameKind.choices, default=NameKind.ALIAS)
    language = models.CharField(max_length=10, blank=True, help_text="BCP 47 tag, if known.")
    source = models.CharField(max_length=200, help_text="Where the name comes from.")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FacilityNameQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["facility", "name"],
                condition=Q(organisation__isnull=True),
                name="facility_name_unique",
            ),
            models.UniqueConstraint(
                fields=["facility", "name", "organisation"], name="facility_org_alias_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FacilityIdentifier(models.Model):
    """An identifier of a facility in one scheme; unique within its scheme."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="identifiers")
    scheme = models.CharField(max_length=20, choices=IdentifierScheme.choices)
    value = models.CharField(max_length=100)
    source = models.CharField(max_length=200)
    organisation = optional_organisation(
        "The facility's owner (empty for a reference facility), kept here so that "
        "an identifier is unique among the reference facilities and within each organisation.",
        on_delete=models.CASCADE,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FacilityPartQuerySet.as_manager()

    class Meta:
        ordering = ["scheme", "value"]
        constraints = [
            # One reference facility per identifier; and one per identifier in each
            # organisation's own registry (an organisation's copy of a reference list).
            models.UniqueConstraint(
                fields=["scheme", "value"],
                condition=Q(organisation__isnull=True),
                name="identifier_unique_in_scheme",
            ),
            models.UniqueConstraint(
                fields=["scheme", "value", "organisation"],
                condition=Q(organisation__isnull=False),
                name="identifier_unique_per_owner",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()} {self.value}"


class AssuranceStatusQuerySet(models.QuerySet["AssuranceStatus"]):
    def for_member(self, member: Membership) -> AssuranceStatusQuerySet:
        """Statuses from reference lists, and those the member's organisation recorded."""
        return self.filter(facility__in=Facility.objects.for_member(member)).filter(
            Q(organisation__isnull=True) | Q(organisation_id=member.organisation_id)
        )


class AssuranceStatus(models.Model):
    """One entry of a facility's assurance history in one scheme (RMAP, LBMA, RJC, ITSCI …).

    Entries are only added. The current status of a scheme is the entry with the latest
    effective date (see ``queries.current_statuses``); it is never stored a second time.
    """

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="statuses")
    scheme = models.CharField(max_length=20, choices=AssuranceScheme.choices)
    status = models.CharField(max_length=80, help_text="As the scheme writes it; open vocabulary.")
    effective_on = models.DateField()
    last_audit_on = models.DateField(null=True, blank=True)
    valid_until = models.DateField(null=True, blank=True, help_text="End of cycle or expiry.")
    cycle = models.CharField(max_length=40, blank=True, help_text="e.g. '1 year', '2024-2025'.")
    next_audit_on = models.DateField(
        null=True, blank=True, help_text="When the next audit is due (an oretrace audit's closure)."
    )
    source = models.CharField(max_length=300, help_text="The document this entry comes from.")
    organisation = optional_organisation(
        "Who recorded it; empty when it comes from a reference list.",
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    objects = AssuranceStatusQuerySet.as_manager()

    class Meta:
        ordering = ["scheme", "-effective_on", "-id"]
        verbose_name_plural = "assurance statuses"
        indexes = [
            models.Index(fields=["facility", "scheme", "effective_on"], name="status_history_idx")
        ]

    def __str__(self) -> str:
        return f"{self.get_scheme_display()}: {self.status} since {self.effective_on}"


class ReferenceImport(OrgOwnedModel):
    """One reference file imported into the registry (a Smelter Look-up, a facility list).

    A shared import (``shared``, by a platform curator) feeds the reference facilities every
    organisation sees; an organisation's own import (by its administrator) feeds facilities
    private to that organisation. See ``registry.services.reference_lists``.
    """

    filename = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64)
    shared = models.BooleanField(
        default=True,
        help_text="Imported by a platform curator into the shared reference registry; "
        "otherwise an organisation's own list, for its own use only.",
    )
    list_key = models.CharField(
        max_length=80, help_text="Which list the file is a snapshot of, e.g. 'smelter-lookup:CMRT'."
    )
    source = models.CharField(max_length=200)
    version = models.CharField(
        max_length=20, blank=True, help_text="Template version of the snapshot, e.g. '6.5'."
    )
    is_older = models.BooleanField(
        default=False,
        help_text="A newer snapshot of the same list was imported before: this one only added "
        "what was missing, and changed or delisted nothing.",
    )
    job = optional_link(Job, on_delete=models.SET_NULL)
    counts = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    complete = models.BooleanField(
        default=True,
        help_text="Every step of the import committed. The facilities are written in steps of "
        "their own transaction each; an import that stopped halfway is taken up again by the "
        "next run of its job or by an upload of the same file.",
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["sha256"], condition=Q(shared=True), name="reference_import_shared_once"
            ),
            models.UniqueConstraint(
                fields=["sha256", "organisation"],
                condition=Q(shared=False),
                name="reference_import_own_once",
            ),
        ]

    def __str__(self) -> str:
        return self.filename


class FacilityListing(models.Model):
    """A facility's presence on one reference list; kept (and marked) when it disappears."""

    facility = models.ForeignKey(Facility, on_delete=models.CASCADE, related_name="listings")
    list_key = models.CharField(max_length=80)
    first_seen = models.ForeignKey(ReferenceImport, on_delete=models.PROTECT, related_name="+")
    last_seen = models.ForeignKey(ReferenceImport, on_delete=models.PROTECT, related_name="+")
    delisted_by = optional_link(
        ReferenceImport, "The first import whose list no longer had this facility."
    )

    objects = FacilityPartQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["facility", "list_key"], name="listing_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.facility} on {self.list_key}"


class MatchReview(OrgOwnedModel):
    """A name the matching engine could not settle alone, waiting for a person's decision."""

    query = models.CharField(max_length=300)
    metal = models.CharField(max_length=40, blank=True)
    country = models.CharField(max_length=2, blank=True)
    identifier = models.CharField(max_length=100, blank=True)
    candidates = models.JSONField(
        default=list,
        help_text="[{facility_id, score, matched_name, other_metal?}], best first.",
    )
    best_score = models.FloatField(
        null=True,
        blank=True,
        help_text="The best candidate's score (kept with the candidates, to filter and sort on).",
    )
    origin = models.CharField(
        max_length=300, blank=True, help_text="Where the name came from, e.g. a declaration row."
    )
    status = models.CharField(
        max_length=10, choices=ReviewStatus.choices, default=ReviewStatus.OPEN
    )
    facility = optional_link(Facility, "The decision, if any.", related_name="reviews")
    decided_by = optional_user()
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["status", "-created_at"]
        indexes = [models.Index(fields=["organisation", "status"], name="review_org_status_idx")]

    def __str__(self) -> str:
        return f"{self.query} ({self.get_status_display()})"

    def set_candidates(self, candidates: list[dict[str, Any]]) -> None:
        """Replace the candidates (best first) and the best score that goes with them."""
        self.candidates = candidates
        self.best_score = candidates[0]["score"] if candidates else None
