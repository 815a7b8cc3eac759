from django.contrib import admin

from oretrace.core.admin import ReadOnlyAdmin
from oretrace.risk.models import ConflictArea, CountryCode, CountryProfile, Edition, GoodListing


@admin.register(Edition)
class EditionAdmin(ReadOnlyAdmin):
    list_display = ["kind", "label", "edition_date", "retrieved_on", "filename", "created_at"]
    list_filter = ["kind"]
    search_fields = ["label", "filename", "sha256"]


@admin.register(GoodListing)
class GoodListingAdmin(ReadOnlyAdmin):
    list_display = ["good", "country_name", "child_labour", "forced_labour", "edition"]
    list_filter = ["edition"]
    search_fields = ["good", "country_name"]


@admin.register(CountryProfile)
class CountryProfileAdmin(ReadOnlyAdmin):
    list_display = ["country_name", "advancement", "working_children", "edition"]
    list_filter = ["edition"]


@admin.register(ConflictArea)
class ConflictAreaAdmin(ReadOnlyAdmin):
    list_display = ["key", "region_name", "conflict_affected", "high_risk", "edition"]
    list_filter = ["edition"]


@admin.register(CountryCode)
class CountryCodeAdmin(ReadOnlyAdmin):
    list_display = ["alpha2", "alpha3", "numeric", "name", "edition"]
    list_filter = ["edition"]


# --- red flags ---
from oretrace.risk.models import RedFlag  # noqa: E402  (appended section)


@admin.register(RedFlag)
class RedFlagAdmin(ReadOnlyAdmin):
    list_display = ["rule", "severity", "organisation", "evidence_label", "raised_at", "closed_at"]
    list_filter = ["rule", "severity"]
    search_fields = ["key", "evidence_label"]


# --- risk scores ---
from oretrace.risk.models import Methodology, Score  # noqa: E402  (appended section)


@admin.register(Methodology)
class MethodologyAdmin(ReadOnlyAdmin):
    list_display = ["code", "version", "title", "filename", "created_at"]


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdmin):
    list_display = ["subject", "organisation", "as_of", "total", "level", "methodology"]
    list_filter = ["subject", "level", "methodology"]
