"""Reference risk data as dated editions: one ``Edition`` per imported file, and its rows.

An edition is shared reference data (no organisation owns it; every member reads it), imported
by the platform's operator. Each kind of list has its row model; a row's ``key`` names it
across editions of its kind, so two editions can be compared (``queries.edition_diff``). Rows
are never changed after their edition's import: a newer list is a new edition, and whatever
cites an edition (a red flag, a score) can be replayed on the same rows later.
"""

from __future__ import annotations

from dataclasses import fields
from typing import Any, ClassVar

from django.db import models

from oretrace.core.models import (
    Country,
    Job,
    OptionalLink,
    TimeStampedModel,
    optional_link,
    optional_user,
)
from oretrace.core.models.reference import PublicQuerySet
from oretrace.core.stored_text import StoredText
from oretrace.risk.choices import EditionKind
from oretrace.risk.sources.base import SourceRow
from oretrace.risk.sources.cahra import CahraRow
from oretrace.risk.sources.dol import CountryProfileRow, GoodRow
from oretrace.risk.sources.iso3166 import CountryCodeRow


class Edition(TimeStampedModel):
    """One dated edition of a reference list, as imported from one file."""

    kind = models.CharField(max_length=20, choices=EditionKind.choices)
    publisher = models.CharField(max_length=200)
    label = models.CharField(
        max_length=200, help_text="The edition's name, as its publisher or the importer gives it."
    )
    edition_date = models.DateField(
        help_text="The date the edition stands for (its publication or data date): editions "
        "of a kind are ordered by it."
    )
    retrieved_on = models.DateField(help_text="When the file was taken from its source.")
    filename = models.CharField(max_length=300)
    sha256 = models.CharField(max_length=64, help_text="SHA-256 of the file, in hex.")
    counts = models.JSONField(default=dict, blank=True, help_text="Rows and what they hold.")
    # What the import noticed: each a stored text (``core.stored_text``), shown in the
    # reader's language; an English string in editions imported before texts were stored.
    warnings = models.JSONField(default=list, blank=True)
    previous: OptionalLink[Edition] = optional_link(
        "self", "The edition of the same kind dated just before this one, if any."
    )
    imported_by = optional_user(
        "The operator who imported it (empty for the demo or a system import)."
    )
    job = optional_link(Job, on_delete=models.SET_NULL)

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "-edition_date", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "sha256"], name="risk_edition_file_once"),
        ]
        indexes = [models.Index(fields=["kind", "edition_date"], name="risk_edition_kind_date")]

    def warning_texts(self) -> list[str]:
        """The import's warnings in the active language."""
        return [
            warning if isinstance(warning, str) else StoredText.render(warning, str(warning))
            for warning in self.warnings
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.label} ({self.edition_date:%Y-%m-%d})"

    @property
    def row_model(self) -> type[EditionRow]:
        return ROW_MODELS[self.kind]


class EditionRow(models.Model):
    """A row of an edition: its fields are those of the reader's row (``SOURCE``)."""

    SOURCE: ClassVar[type[Any]]
    key = models.CharField(max_length=400, help_text="Names the row across editions of its kind.")

    objects = PublicQuerySet.as_manager()

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.key

    @classmethod
    def source_fields(cls) -> list[str]:
        return [f.name for f in fields(cls.SOURCE)]

    @classmethod
    def from_source(cls, edition: Edition, row: SourceRow, **extra: Any) -> EditionRow:
        values: dict[str, Any] = {name: getattr(row, name) for name in cls.source_fields()}
        values.update(extra, edition=edition, key=row.key[:400])
        return cls(**values)

    def as_source(self) -> SourceRow:
        row: SourceRow = self.SOURCE(**{name: getattr(self, name) for name in self.source_fields()})
        return row


def key_once(kind: str) -> list[models.BaseConstraint]:
    """A row's key names it once in its edition (``risk_<kind>_key_once``)."""
    return [models.UniqueConstraint(fields=["edition", "key"], name=f"risk_{kind}_key_once")]


class GoodListing(EditionRow):
    """A good produced in a country with child labour, forced labour or both (DOL)."""

    SOURCE = GoodRow
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="goods")
    good = models.CharField(max_length=200)
    sector = models.CharField(max_length=100, blank=True)
    country_name = models.CharField(max_length=200, help_text="As DOL writes it.")
    country = optional_link(Country, "The ISO country DOL's name was matched to, if any.")
    region = models.CharField(max_length=100, blank=True)
    child_labour = models.BooleanField()
    forced_labour = models.BooleanField()
    forced_child_labour = models.BooleanField()

    class Meta:
        ordering = ["good", "country_name"]
        constraints = key_once("good")


class CountryProfile(EditionRow):
    """DOL's profile of a country: its advancement and the share of children working."""

    SOURCE = CountryProfileRow
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="profiles")
    country_name = models.CharField(max_length=200, help_text="As DOL writes it.")
    country = optional_link(Country)
    region = models.CharField(max_length=100, blank=True)
    advancement = models.CharField(max_length=200, blank=True)
    working_children = models.DecimalField(
        max_digits=5,
        decimal_places=4,
        null=True,
        blank=True,
        help_text="Share of children working (0.12 = 12 %); empty when DOL has no figure.",
    )
    age_range = models.CharField(max_length=20, blank=True)
    goods = models.PositiveIntegerField(default=0, help_text="Goods of the List made there.")
    webpage = models.URLField(max_length=300, blank=True)

    class Meta:
        ordering = ["country_name"]
        constraints = key_once("profile")


class ConflictArea(EditionRow):
    """An area on the CAHRA list: an ISO 3166-2 region, or a whole country."""

    SOURCE = CahraRow
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="areas")
    country_code = models.CharField(max_length=2, help_text="ISO 3166-1 alpha-2.")
    country_name = models.CharField(max_length=200, blank=True)
    region_code = models.CharField(
        max_length=10, blank=True, help_text="ISO 3166-2; empty for a whole-country designation."
    )
    region_name = models.CharField(max_length=200, blank=True)
    conflict_affected = models.BooleanField()
    high_risk = models.BooleanField()
    whole_country = models.BooleanField()

    class Meta:
        ordering = ["country_code", "region_code"]
        constraints = key_once("area")


class CountryCode(EditionRow):
    """A country's ISO 3166-1 codes and English name."""

    SOURCE = CountryCodeRow
    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="codes")
    alpha2 = models.CharField(max_length=2)
    alpha3 = models.CharField(max_length=3)
    numeric = models.CharField(max_length=3)
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["alpha2"]
        constraints = key_once("code")


ROW_MODELS: dict[str, type[EditionRow]] = {
    EditionKind.DOL_GOODS: GoodListing,
    EditionKind.DOL_COUNTRIES: CountryProfile,
    EditionKind.CAHRA: ConflictArea,
    EditionKind.ISO3166: CountryCode,
}
