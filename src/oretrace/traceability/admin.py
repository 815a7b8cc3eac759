"""Read-only admin of the traceability app."""

from django.contrib import admin

from oretrace.core.admin import ReadOnlyAdmin
from oretrace.traceability.models import CustodyFlag, EpcisCapture, EpcisEvent, Lot


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


@admin.register(Lot)
class LotAdmin(ReadOnlyAdmin):
    list_display = ["code", "organisation", "facility", "quantity_kg", "remaining_kg", "recycled"]
    list_filter = ["kind", "recycled"]
    search_fields = ["code", "location"]


@admin.register(CustodyFlag)
class CustodyFlagAdmin(ReadOnlyAdmin):
    list_display = ["kind", "organisation", "lot", "facility", "expected_kg", "actual_kg"]
    list_filter = ["kind"]
    search_fields = ["message"]
