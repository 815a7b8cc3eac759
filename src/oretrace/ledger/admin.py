"""Read-only admin views of the ledger (salts are never shown)."""

from django.contrib import admin

from oretrace.core.admin import ReadOnlyAdmin
from oretrace.ledger.models import AuditRun, Checkpoint, Cosignature, Leaf


@admin.register(Leaf)
class LeafAdmin(ReadOnlyAdmin):
    list_display = ["index", "record_type", "record_id", "version", "organisation", "created_at"]
    list_filter = ["record_type", "deleted"]
    search_fields = ["record_id"]
    exclude = ["salt"]


@admin.register(Checkpoint)
class CheckpointAdmin(ReadOnlyAdmin):
    list_display = ["size", "created_at"]


@admin.register(Cosignature)
class CosignatureAdmin(ReadOnlyAdmin):
    list_display = ["checkpoint", "witness", "timestamp"]


@admin.register(AuditRun)
class AuditRunAdmin(ReadOnlyAdmin):
    list_display = ["started_at", "size", "records", "trigger"]
