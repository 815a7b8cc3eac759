"""Read-only admin views of the ledger (salts are never shown)."""

from oretrace.core.admin import read_only
from oretrace.ledger.models import AuditRun, Checkpoint, Cosignature, Leaf

read_only(
    Leaf,
    ["index", "record_type", "record_id", "version", "organisation", "created_at"],
    filters=["record_type", "deleted"],
    search=["record_id"],
    hide=["salt"],
)
read_only(Checkpoint, ["size", "created_at"])
read_only(Cosignature, ["checkpoint", "witness", "timestamp"])
read_only(AuditRun, ["started_at", "size", "records", "trigger"])
