"""Models of the declarations app: suppliers, their declarations, and the smelter rows in them.

A declaration keeps everything the supplier's file said as its canonical JSON (``content``,
personal contact fields included: only the owning organisation sees them), plus the columns the
lists, filters and the roll-up need. Declarations are never deleted: a newer one from the same
supplier for the same template and scope supersedes the older, and both stay.
"""

from __future__ import annotations

from typing import Any

from django.db import models

from oretrace.core.models import (
    Country,
    Job,
    OptionalLink,
    OrgOwnedModel,
    optional_link,
    optional_organisation,
)
from oretrace.declarations.choices import (
    CampaignStatus,
    DeclarationStatus,
    Family,
    RequestStatus,
    Severity,
    SmelterMatch,
)
from oretrace.registry.models import Facility, MatchReview

# One finding about a declaration as stored in `Declaration.issues` (JSON): severity, code,
# message, sheet, cell, and for a checker finding its template and params (``findings``).
Issue = dict[str, Any]


class Supplier(OrgOwnedModel):
    """A company that sends declarations to the organisation (a direct supplier)."""

    name = models.CharField(max_length=300)
    reference = models.CharField(max_length=80, blank=True, help_text="The team's own code.")
    email = models.EmailField(blank=True, help_text="Where requests for declarations go.")
    contact_name = models.CharField(max_length=200, blank=True)
    country = optional_link(Country)
    language = models.CharField(
        max_length=10,
        blank=True,
        help_text="The language e-mails to this supplier are written in (a code of LANGUAGES); "
        "empty: the site's default.",
    )
    linked_organisation = optional_organisation(
        "The supplier's own oretrace organisation, when it has one.",
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="supplier_name_unique_per_org"
            )
        ]

    def __str__(self) -> str:
        return self.name


class ImportBatch(OrgOwnedModel):
    """Files uploaded together and imported by one job, with the outcome of each file."""

    job = optional_link(Job, on_delete=models.SET_NULL)
    files = models.JSONField(
        default=list,
        help_text="[{filename, path, outcome, message, declaration_id, errors, warnings, flags}]",
    )
    supplier = optional_link(
        Supplier, "The supplier every file is from, when the uploader said so."
    )
    source = models.CharField(max_length=40, default="web", help_text="web, api, cli, campaign")

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "import batches"

    def __str__(self) -> str:
        return f"import of {len(self.files)} file(s) on {self.created_at:%Y-%m-%d %H:%M}"


class Declaration(OrgOwnedModel):
    """One supplier declaration read from an RMI template file."""

    supplier = models.ForeignKey(Supplier, on_delete=models.PROTECT, related_name="declarations")
    batch = optional_link(ImportBatch, related_name="declarations", on_delete=models.SET_NULL)
    family = models.CharField(max_length=4, choices=Family.choices)
    version = models.CharField(max_length=12)
    language = models.CharField(max_length=20, blank=True)
    filename = models.CharField(max_length=255)
    sha256 = models.CharField(max_length=64)
    size = models.PositiveIntegerField(default=0)
    stored_file = models.CharField(max_length=300, blank=True, help_text="Under MEDIA_ROOT.")
    company_name = models.CharField(max_length=300, blank=True)
    scope = models.CharField(max_length=1, blank=True, help_text="A, B or C; empty if blank.")
    scope_description = models.TextField(blank=True)
    effective_date = models.DateField(null=True, blank=True)
    reporting_year = models.PositiveSmallIntegerField(null=True, blank=True)
    minerals = models.JSONField(default=list, help_text="Mineral codes the declaration covers.")
    content = models.JSONField(help_text="The canonical declaration as read from the file.")
    issues = models.JSONField(
        default=list, help_text="[{severity, code, message, sheet, cell}] in file order."
    )
    error_count = models.PositiveIntegerField(default=0)
    warning_count = models.PositiveIntegerField(default=0)
    flag_count = models.PositiveIntegerField(default=0)
    status = models.CharField(
        max_length=20, choices=DeclarationStatus.choices, default=DeclarationStatus.RECEIVED
    )
    status_note = models.TextField(blank=True)
    superseded_by: OptionalLink[Declaration] = optional_link("self", related_name="supersedes")
    fingerprint = models.CharField(
        max_length=64, help_text="SHA-256 of the canonical declaration without personal data."
    )

    # Never edited after import; the logged sha256 and fingerprint identify it.
    changelog_exclude = ("content", "issues")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "sha256"], name="declaration_file_unique_per_org"
            )
        ]
        indexes = [
            models.Index(
                fields=["organisation", "supplier", "family"], name="declaration_supplier_idx"
            ),
            models.Index(fields=["organisation", "status"], name="declaration_status_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.family} {self.version} from {self.supplier}"

    @property
    def is_current(self) -> bool:
        return self.superseded_by_id is None

    def issues_of(self, severity: str) -> list[Issue]:
        return [i for i in self.issues if i["severity"] == severity]

    @property
    def errors(self) -> list[Issue]:
        return self.issues_of(Severity.ERROR)

    @property
    def warnings(self) -> list[Issue]:
        return self.issues_of(Severity.WARNING)

    @property
    def flags(self) -> list[Issue]:
        return self.issues_of(Severity.FLAG)


class SmelterEntry(models.Model):
    """One row of a declaration's Smelter List, linked to a registry facility when known.

    The row's personal fields (contact name and e-mail) stay in the declaration's content.
    """

    declaration = models.ForeignKey(
        Declaration, on_delete=models.CASCADE, related_name="smelter_entries"
    )
    row = models.PositiveIntegerField(help_text="1-based row of the Smelter List sheet.")
    metal = models.CharField(max_length=40, blank=True)
    metal_text = models.CharField(max_length=100, blank=True)
    lookup_name = models.CharField(max_length=300, blank=True)
    smelter_name = models.CharField(max_length=300, blank=True)
    country = models.CharField(max_length=2, blank=True)
    country_text = models.CharField(max_length=100, blank=True)
    smelter_id = models.CharField(max_length=60, blank=True)
    recycled_scrap = models.CharField(max_length=20, blank=True)
    match = models.CharField(max_length=20, choices=SmelterMatch.choices)
    score = models.FloatField(null=True, blank=True)
    facility = optional_link(
        Facility,
        "Set when the engine matched the row on its own.",
        related_name="declaration_entries",
    )
    review = optional_link(
        MatchReview,
        "The review item; its decision links the row once a person decided.",
        related_name="declaration_entries",
    )

    class Meta:
        ordering = ["declaration", "row"]
        indexes = [models.Index(fields=["facility"], name="smelter_entry_facility_idx")]

    def __str__(self) -> str:
        return f"row {self.row}: {self.name}"

    @property
    def name(self) -> str:
        return self.smelter_name or self.lookup_name

    @property
    def resolved_facility_id(self) -> int | None:
        """The facility the row names: the engine's match, else a reviewer's decision."""
        if self.facility_id is not None:
            return self.facility_id
        if self.review is not None:
            return self.review.facility_id
        return None


class Campaign(OrgOwnedModel):
    """A request for declarations sent to suppliers: one template family and reporting year.

    Each supplier asked gets a `CampaignRequest` with its own upload link.
    """

    name = models.CharField(max_length=200)
    family = models.CharField(max_length=4, choices=Family.choices)
    reporting_year = models.PositiveSmallIntegerField()
    due_date = models.DateField(null=True, blank=True)
    message = models.TextField(blank=True, help_text="Shown to suppliers in the e-mail and page.")
    status = models.CharField(
        max_length=10, choices=CampaignStatus.choices, default=CampaignStatus.OPEN
    )
    owner = models.ForeignKey(
        "core.Membership",
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The member files uploaded through the campaign's links are imported as.",
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.family} {self.reporting_year})"

    @property
    def is_open(self) -> bool:
        return self.status == CampaignStatus.OPEN


class CampaignRequest(OrgOwnedModel):
    """One supplier asked in a campaign, with its secret upload link and where it stands.

    The link's token is never stored: it is derived from ``token_salt`` with the site's
    secret key when an e-mail is written, and only its SHA-256 is kept to recognise it.
    """

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="requests")
    supplier = models.ForeignKey(
        Supplier, on_delete=models.PROTECT, related_name="campaign_requests"
    )
    email = models.EmailField(help_text="Where the request was sent.")
    status = models.CharField(
        max_length=20, choices=RequestStatus.choices, default=RequestStatus.REQUESTED
    )
    token_hash = models.CharField(max_length=64, unique=True)
    token_salt = models.CharField(max_length=64)
    sent_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    reminder_count = models.PositiveSmallIntegerField(default=0)
    responded_at = models.DateTimeField(null=True, blank=True)
    declaration = optional_link(
        Declaration,
        "The latest declaration received through the link.",
        related_name="campaign_requests",
        on_delete=models.SET_NULL,
    )
    decline_reason = models.TextField(blank=True)
    uploads = models.JSONField(
        default=list, help_text="[{at, filename, outcome, message, declaration_id}] newest last."
    )

    class Meta:
        ordering = ["supplier__name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["campaign", "supplier"], name="campaign_request_unique_supplier"
            )
        ]

    def __str__(self) -> str:
        return f"{self.campaign} → {self.supplier}"
