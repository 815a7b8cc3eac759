"""Vocabularies of the facility registry."""

from django.db import models
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _


class FacilityKind(models.TextChoices):
    MINE = "mine", _("Mine")
    ASM_SITE = "asm_site", _("Artisanal (ASM) site")
    COLLECTION_POINT = "collection_point", _("Collection point or depot")
    PROCESSING_UNIT = "processing_unit", _("Mica processing unit")
    TRADER = "trader", _("Trader / exporter")
    SMELTER = "smelter", _("Smelter / refiner")
    COMPONENT_MAKER = "component_maker", _("Component maker")
    MANUFACTURER = "manufacturer", _("Manufacturer")
    BRAND = "brand", _("Brand")


class NameKind(models.TextChoices):
    PRIMARY = "primary", _("Name")
    TRANSLITERATION = "transliteration", _("Transliteration")
    STANDARD = "standard", _("RMI standard name")
    ALIAS = "alias", _("Alias")
    FORMER = "former", _("Former name")
    ABBREVIATION = "abbreviation", _("Abbreviation")


class IdentifierScheme(models.TextChoices):
    RMI_CID = "rmi_cid", _("RMI smelter ID (CID)")
    CFSI_LEGACY = "cfsi_legacy", _("CFSI smelter ID (before 2015)")
    OPEN_SUPPLY_HUB = "osh", _("Open Supply Hub ID")
    LEI = "lei", _("LEI")
    GLN = "gln", _("GS1 GLN")
    MINING_LICENCE = "mining_licence", _("National mining licence")
    OTHER = "other", _("Other scheme")


class CoordinatePrecision(models.TextChoices):
    EXACT = "exact", _("Exact (GPS, < 50 m)")
    SITE = "site", _("Site (< 1 km)")
    LOCALITY = "locality", _("Village or locality")
    DISTRICT = "district", _("District")


class AssuranceScheme(models.TextChoices):
    RMAP = "rmap", _("RMI RMAP")
    LBMA = "lbma", _("LBMA Good Delivery / Responsible Gold")
    RJC = "rjc", _("RJC Chain of Custody")
    ITSCI = "itsci", _("ITSCI")
    INITIATIVE = "initiative", _("Initiative membership")
    ORETRACE_AUDIT = "oretrace_audit", _("oretrace audit")


# RMAP statuses as the RMI lists and exports write them. The vocabulary stays open: a status
# not in this list is stored as written and shown as is (`status_label`).
RMAP_STATUSES = (
    gettext_noop("Conformant"),
    gettext_noop("Active"),
    gettext_noop("Non-conformant"),
    gettext_noop("Cross-recognized"),
    gettext_noop("Suspended"),
    gettext_noop("In communication"),
    gettext_noop("Outreach required"),
    gettext_noop("Communication suspended"),
    gettext_noop("Unable to proceed"),
)
# Statuses of other schemes that oretrace itself writes (an initiative's membership register).
OTHER_STATUSES = (gettext_noop("Member"),)
_KNOWN_STATUSES = {status.casefold(): status for status in (*RMAP_STATUSES, *OTHER_STATUSES)}


def status_label(status: str) -> str:
    """An assurance status as the reader says it; a status of another vocabulary as written."""
    known = _KNOWN_STATUSES.get(status.casefold())
    return gettext(known) if known else status


# Where a facility, name, identifier or status comes from (``source``): mostly a document
# named as written (a reference list, a file), and a few origins oretrace itself writes, stored
# as these codes or English texts and shown in the reader's language (`source_label`).
SOURCE_LABELS = {
    "demo": _("demonstration data"),
    "entered on the facility page": _("entered on the facility page"),
    "entered by a user": _("entered by a user"),
    "entered through the API": _("entered through the API"),
}


def source_label(source: str) -> str:
    """A source in the reader's language when oretrace wrote it; a document's name as written."""
    known = SOURCE_LABELS.get(source)
    return str(known) if known is not None else source


class ReviewStatus(models.TextChoices):
    OPEN = "open", _("Needs review")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", _("Rejected")
    CREATED = "created", _("New facility created")
    MATCHED = "matched", _("Matched automatically")


class MatchOutcome(models.TextChoices):
    AUTO = "auto", _("Matched")
    REVIEW = "review", _("Needs review")
    NONE = "none", _("No match")
