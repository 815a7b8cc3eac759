"""Choices of the risk app."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EditionKind(models.TextChoices):
    """Which reference list an edition is of (the values are the readers' kinds)."""

    DOL_GOODS = "dol-goods", _("DOL List of Goods (child and forced labour)")
    DOL_COUNTRIES = "dol-countries", _("DOL country profiles")
    CAHRA = "cahra", _("EU list of conflict-affected and high-risk areas")
    ISO3166 = "iso3166", _("ISO 3166 country codes")


# What each count of an edition means, for people (the keys stay stable for the API).
COUNT_LABELS = {
    "rows": _("rows"),
    "goods": _("goods"),
    "countries": _("countries"),
    "child_labour": _("with child labour"),
    "forced_labour": _("with forced labour"),
    "with_figure": _("with a figure of working children"),
    "regions": _("regions"),
    "conflict_affected": _("conflict-affected regions"),
    "high_risk": _("high-risk regions"),
    "whole_country": _("whole-country designations"),
}
# The compared fields of a diff, and their yes/no values, as a page shows them.
FIELD_LABELS = {
    "sector": _("Sector"),
    "child_labour": _("Child labour"),
    "forced_labour": _("Forced labour"),
    "forced_child_labour": _("Forced child labour"),
    "region": _("Region"),
    "advancement": _("Advancement"),
    "working_children": _("Children working"),
    "goods": _("Goods"),
    "name": _("Name"),
    "conflict_affected": _("Conflict-affected"),
    "high_risk": _("High-risk"),
    "whole_country": _("Whole country"),
    "alpha3": _("Alpha-3"),
    "numeric": _("Numeric"),
}
VALUE_LABELS = {"yes": _("yes"), "no": _("no")}
