"""API schemas of the risk app."""

from ninja import Field, ModelSchema, Schema

from oretrace.risk.models import Edition


class EditionOut(ModelSchema):
    previous_id: int | None = Field(None, description="The edition of the same list dated before.")

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
            "warnings",
            "created_at",
        ]


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
