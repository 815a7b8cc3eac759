"""API schemas of the declarations app."""

from datetime import date, datetime
from typing import Any

from ninja import Field, Schema

from oretrace.declarations.models import Declaration, ImportBatch


class SupplierIn(Schema):
    name: str = Field(max_length=300)
    reference: str = Field("", max_length=80)
    email: str = ""
    contact_name: str = Field("", max_length=200)
    country: str = Field("", description="ISO 3166-1 alpha-2")


class SupplierOut(Schema):
    id: int
    name: str
    reference: str
    email: str
    contact_name: str
    country: str | None = Field(None, alias="country_id")


class BatchFileOut(Schema):
    filename: str
    outcome: str = Field(description="pending, imported, duplicate or refused")
    message: str
    declaration_id: int | None = None
    errors: int = 0
    warnings: int = 0
    flags: int = 0


class BatchOut(Schema):
    id: int
    job_id: int | None
    job_status: str | None = None
    progress: int | None = None
    source: str
    supplier_id: int | None
    created_at: datetime
    files: list[BatchFileOut]

    @staticmethod
    def resolve_job_status(obj: ImportBatch) -> str | None:
        return obj.job.status if obj.job is not None else None

    @staticmethod
    def resolve_progress(obj: ImportBatch) -> int | None:
        return obj.job.progress if obj.job is not None else None


class IssueOut(Schema):
    severity: str
    code: str
    message: str
    sheet: str
    cell: str


class DeclarationOut(Schema):
    id: int
    supplier_id: int
    supplier: str
    family: str
    version: str
    filename: str
    sha256: str
    company_name: str
    scope: str
    effective_date: date | None
    reporting_year: int | None
    minerals: list[str]
    status: str
    status_note: str
    error_count: int
    warning_count: int
    flag_count: int
    superseded_by_id: int | None
    fingerprint: str
    created_at: datetime

    @staticmethod
    def resolve_supplier(obj: Declaration) -> str:
        return obj.supplier.name


class SmelterEntryOut(Schema):
    row: int
    metal: str
    smelter_name: str
    lookup_name: str
    country: str
    smelter_id: str
    recycled_scrap: str
    match: str
    score: float | None
    facility_id: int | None
    facility_name: str | None
    assurance_status: str
    review_id: int | None


class DeclarationDetail(DeclarationOut):
    scope_description: str
    language: str
    issues: list[IssueOut]
    answers: list[dict[str, Any]]
    company_answers: list[dict[str, Any]]
    smelters: list[SmelterEntryOut]
    products: list[dict[str, Any]]
    mines: list[dict[str, Any]]


class DecisionIn(Schema):
    status: str = Field(description="accepted, rejected or needs_correction")
    note: str = ""


class RolledSmelterOut(Schema):
    facility_id: int
    name: str
    metal: str
    smelter_id: str
    country: str
    assurance_status: str
    conformant: bool
    suppliers: list[str]


class RollupAnswerOut(Schema):
    question: str
    mineral: str
    answer: str


class RollupOut(Schema):
    family: str
    year: int
    declaration_ids: list[int]
    suppliers_total: int
    suppliers_accepted: int
    suppliers_responded: int
    response_source: str = Field(description="campaigns, or suppliers when no campaign asked")
    response_rate: float
    minerals: list[str]
    conformant_share: float | None
    answers: list[RollupAnswerOut]
    smelters: list[RolledSmelterOut]
    unidentified_rows: int
