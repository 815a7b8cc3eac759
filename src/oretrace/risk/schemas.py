"""API schemas of the risk app."""

from collections.abc import Mapping
from typing import Any

from django.utils import translation
from ninja import Field, ModelSchema, Schema

from oretrace.risk.models import Edition


class EditionOut(ModelSchema):
    previous_id: int | None = Field(None, description="The edition of the same list dated before.")
    warnings: list[str] = Field(
        default_factory=list, description="What the import noticed, in English."
    )

    class Meta:
        model = Edition
        fields = [
            "id",
            "kind",
            "publisher",
            "label",
            "edition_date",
            "retrieved_on",
            "filename",
            "sha256",
            "counts",
            "created_at",
        ]

    @staticmethod
    def resolve_warnings(obj: Edition | Mapping[str, Any]) -> list[str]:
        if isinstance(obj, Mapping):  # a detail, built from this schema's own output
            return list(obj.get("warnings", []))
        with translation.override("en"):
            return obj.warning_texts()


class FieldChange(Schema):
    field: str
    before: str
    after: str


class RowChange(Schema):
    key: str
    fields: list[FieldChange]


class DiffOut(Schema):
    added: list[str] = Field(..., description="Keys of the rows new in this edition.")
    removed: list[str] = Field(..., description="Keys of the rows the previous edition had.")
    changed: list[RowChange]


class EditionDetail(EditionOut):
    diff: DiffOut | None = Field(
        None, description="What changed since the previous edition; null for the first."
    )


class ImportStarted(Schema):
    job_id: int | None = Field(None, description="The import's job; follow /api/v1/jobs/{id}.")
    status: str = ""
    already_imported: bool = Field(
        False, description="True when the file is already an edition: nothing changed."
    )
    edition_id: int | None = Field(None, description="The edition the file already is.")


class EditionFilter(Schema):
    kind: str = Field("", description="Only editions of this list, e.g. 'dol-goods'.")


__all__ = ["DiffOut", "EditionDetail", "EditionFilter", "EditionOut", "ImportStarted"]


# --- red flags ---------------------------------------------------------------------------------

from datetime import datetime  # noqa: E402  (appended section)
from typing import Any  # noqa: E402


class FlagEvidence(Schema):
    kind: str = Field(..., description="declaration, smelter-entry, mine-entry, lot, …")
    id: int | None = Field(None, description="The evidence record's id.")
    label: str
    url: str = Field("", description="The record's page, when it has one.")


class FlagOut(Schema):
    """A red flag; its texts in the request's language (``Accept-Language``)."""

    id: int
    rule: str = Field(..., description="The rule's stable code, e.g. 'cahra-origin'.")
    title: str
    detail: str = Field(..., description="What this flag found, in the request's language.")
    guidance: str = Field(..., description="The OECD Guidance passage the rule rests on.")
    severity: str
    open: bool
    raised_at: datetime
    closed_at: datetime | None = None
    closed_reason: list[str] = Field(
        default_factory=list, description="Codes of the changes after which it no longer held."
    )
    facility_id: int | None = None
    supplier_id: int | None = None
    lot_id: int | None = None
    country: str = ""
    region: str = ""
    evidence: FlagEvidence
    params: dict[str, Any]
    edition_id: int | None = Field(None, description="The risk-data edition that raised it.")
    previous_id: int | None = Field(None, description="The earlier flag of the same condition.")

    @staticmethod
    def resolve_title(obj: Any) -> str:
        from oretrace.risk.redflags.texts import flag_text

        return flag_text(obj).title

    @staticmethod
    def resolve_detail(obj: Any) -> str:
        from oretrace.risk.redflags.texts import flag_text

        return flag_text(obj).detail

    @staticmethod
    def resolve_guidance(obj: Any) -> str:
        from oretrace.risk.redflags.texts import flag_text

        return flag_text(obj).guidance

    @staticmethod
    def resolve_open(obj: Any) -> bool:
        return obj.closed_at is None

    @staticmethod
    def resolve_closed_reason(obj: Any) -> list[str]:
        return [code for code in obj.closed_reason.split(",") if code]

    @staticmethod
    def resolve_country(obj: Any) -> str:
        return obj.country_id or ""

    @staticmethod
    def resolve_evidence(obj: Any) -> dict[str, Any]:
        from oretrace.risk.redflags.texts import evidence_url

        return {
            "kind": obj.evidence_kind,
            "id": obj.evidence_id,
            "label": obj.evidence_label,
            "url": evidence_url(obj),
        }
