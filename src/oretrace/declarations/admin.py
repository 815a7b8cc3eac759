"""Read-only admin views of declarations (changes go through the services)."""

from django.contrib import admin

from oretrace.core.admin import ReadOnlyAdmin
from oretrace.declarations.models import (
    Campaign,
    CampaignRequest,
    Declaration,
    ImportBatch,
    SmelterEntry,
    Supplier,
)


@admin.register(Supplier)
class SupplierAdmin(ReadOnlyAdmin):
    list_display = ["name", "reference", "organisation", "country"]
    search_fields = ["name", "reference"]


@admin.register(Declaration)
class DeclarationAdmin(ReadOnlyAdmin):
    list_display = ["filename", "family", "version", "supplier", "status", "organisation"]
    list_filter = ["family", "status"]
    search_fields = ["filename", "company_name", "sha256"]


@admin.register(SmelterEntry)
class SmelterEntryAdmin(ReadOnlyAdmin):
    list_display = ["declaration", "row", "metal", "smelter_name", "match"]
    list_filter = ["match", "metal"]


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ["id", "organisation", "source", "created_at"]


@admin.register(Campaign)
class CampaignAdmin(ReadOnlyAdmin):
    list_display = ["name", "family", "reporting_year", "status", "organisation"]
    list_filter = ["family", "status"]


@admin.register(CampaignRequest)
class CampaignRequestAdmin(ReadOnlyAdmin):
    list_display = ["campaign", "supplier", "status", "reminder_count", "organisation"]
    list_filter = ["status"]
    exclude = ["token_hash", "token_salt"]
