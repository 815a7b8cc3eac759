"""Read-only admin of the traceability app."""

from oretrace.core.admin import read_only
from oretrace.traceability.models import CustodyFlag, EpcisCapture, EpcisEvent, Lot

read_only(
    EpcisCapture,
    ["id", "organisation", "event_count", "new_count", "schema_checked", "created_at"],
    search=["sha256"],
)
read_only(
    EpcisEvent,
    ["hash_id", "organisation", "event_type", "event_time", "biz_step"],
    filters=["event_type"],
    search=["hash_id", "declared_id", "biz_location", "read_point"],
)
read_only(
    Lot,
    ["code", "organisation", "facility", "quantity_kg", "remaining_kg", "recycled"],
    filters=["kind", "recycled"],
    search=["code", "location"],
)
read_only(
    CustodyFlag,
    ["kind", "organisation", "lot", "facility", "expected_kg", "actual_kg"],
    filters=["kind"],
    search=["message"],
)
