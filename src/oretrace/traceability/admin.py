"""Read-only admin of the traceability app."""

from django.contrib import admin

from oretrace.core.admin import ReadOnlyAdmin
from oretrace.traceability.models import EpcisCapture, EpcisEvent


@admin.register(EpcisCapture)
class EpcisCaptureAdmin(ReadOnlyAdmin):
    list_display = [
        "id",
        "organisation",
        "event_count",
        "new_count",
        "schema_checked",
        "created_at",
    ]
    search_fields = ["sha256"]


@admin.register(EpcisEvent)
class EpcisEventAdmin(ReadOnlyAdmin):
    list_display = ["hash_id", "organisation", "event_type", "event_time", "biz_step"]
    list_filter = ["event_type"]
    search_fields = ["hash_id", "declared_id", "biz_location", "read_point"]
