"""Read-only admin views of declarations (changes go through the services)."""

from oretrace.core.admin import read_only
from oretrace.declarations.models import (
    Campaign,
    CampaignRequest,
    Declaration,
    ImportBatch,
    SmelterEntry,
    Supplier,
)

read_only(Supplier, ["name", "reference", "organisation", "country"], search=["name", "reference"])
read_only(
    Declaration,
    ["filename", "family", "version", "supplier", "status", "organisation"],
    filters=["family", "status"],
    search=["filename", "company_name", "sha256"],
)
read_only(
    SmelterEntry,
    ["declaration", "row", "metal", "smelter_name", "match"],
    filters=["match", "metal"],
)
read_only(ImportBatch, ["id", "organisation", "source", "created_at"])
read_only(
    Campaign,
    ["name", "family", "reporting_year", "status", "organisation"],
    filters=["family", "status"],
)
read_only(
    CampaignRequest,
    ["campaign", "supplier", "status", "reminder_count", "organisation"],
    filters=["status"],
    hide=["token_hash", "token_salt"],
)
