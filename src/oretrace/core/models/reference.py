"""Reference catalogues shared by every organisation: countries, subdivisions, minerals."""

from __future__ import annotations

import gettext as gettext_module
from functools import cache
from typing import Self

import pycountry
from django.db import models
from django.utils.translation import get_language, gettext, to_locale

from oretrace.core.choices import TemplateFamily


@cache
def _iso3166(language: str) -> gettext_module.NullTranslations:
    return gettext_module.translation(
        "iso3166-1", pycountry.LOCALES_DIR, languages=[to_locale(language)], fallback=True
    )


def country_name(name: str) -> str:
    """A country's ISO 3166 English name in the active language, as pycountry translates it
    (the name as it is when pycountry has no translation)."""
    return _iso3166(get_language() or "en").gettext(name)


class PublicQuerySet[M_T: models.Model](models.QuerySet[M_T]):
    def for_member(self, member: object) -> Self:
        """Reference rows are visible to everyone."""
        return self


class Country(models.Model):
    """An ISO 3166-1 country, loaded from pycountry."""

    code = models.CharField(max_length=2, primary_key=True, help_text="ISO 3166-1 alpha-2.")
    alpha3 = models.CharField(max_length=3, unique=True)
    numeric = models.CharField(max_length=3)
    name = models.CharField(max_length=120)
    official_name = models.CharField(max_length=200, blank=True)

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name in the reader's language (from pycountry's ISO 3166 catalogues)."""
        return country_name(self.name)


class Subdivision(models.Model):
    """An ISO 3166-2 subdivision (state, province, district …) of a country."""

    code = models.CharField(max_length=10, primary_key=True, help_text="ISO 3166-2, e.g. IN-JH.")
    country = models.ForeignKey(Country, on_delete=models.CASCADE, related_name="subdivisions")
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=80)
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="children"
    )

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["country_id", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class Mineral(models.Model):
    """A mineral or metal in scope of due diligence, with the RMI template it is declared in."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=80)
    symbol = models.CharField(max_length=10, blank=True, help_text="Chemical symbol, if any.")
    template_family = models.CharField(max_length=4, choices=TemplateFamily.choices)
    legacy_templates = models.JSONField(
        default=list,
        blank=True,
        help_text="Earlier templates that covered it, e.g. CRT for cobalt.",
    )
    is_3tg = models.BooleanField(default=False, help_text="Tin, tantalum, tungsten or gold.")
    template_label = models.CharField(
        max_length=80, help_text="How the RMI templates spell it, e.g. 'Aluminum'."
    )

    objects = PublicQuerySet.as_manager()

    class Meta:
        ordering = ["template_family", "name"]

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        """The name in the reader's language (the names are in the catalogues:
        ``core.reference.MINERALS``)."""
        return gettext(self.name)
