"""API schemas of the assessments app."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class StandardOut(Schema):
    id: int
    code: str
    version: str
    title: dict[str, str]
    languages: list[str]
    organisation_id: int | None = Field(None, description="Empty for a shipped standard.")


class StandardIn(Schema):
    yaml: str = Field(..., description="The standard's YAML file, as text.")


class AssessmentOut(Schema):
    id: int
    organisation_id: int = Field(..., description="The assigning organisation.")
    supplier_id: int
    facility_id: int | None
    standard_id: int
    standard: str = Field(..., alias="standard.code")
    standard_version: str = Field(..., alias="standard.version")
    due_on: date
    status: str
    submitted_at: datetime | None
    score: Decimal | None
    result: dict[str, Any]


class AssessmentIn(Schema):
    standard_id: int
    facility_id: int = Field(..., description="A facility the supplier records or runs.")
    due_on: date
    message: str = ""


class AnswerIn(Schema):
    value: str = Field("", description="yes/no/partly/na, a number, YYYY-MM-DD, text or a choice.")
    note: str | None = None


class AnswerOut(Schema):
    question: str = Field(..., alias="question.code")
    value: Any
    note: str
    updated_at: datetime


class NoteIn(Schema):
    note: str


class GapOut(Schema):
    criterion: str
    severity: str
    outcome: str
    training: list[str]


class ActionOut(Schema):
    id: int
    criterion: str = Field(..., alias="criterion.code")
    severity: str
    steps: str
    owner_name: str
    due_on: date
    status: str


class TrainingModuleOut(Schema):
    id: int
    organisation_id: int | None
    title: str
    summary: str
    language: str
    format: str
    url: str
    standard_code: str
    criterion_codes: list[str]


class TrainingModuleIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    language: str = Field(..., min_length=2, max_length=10, description="e.g. 'hi'")
    format: str = Field(..., description="document, video, slides, course, audio or poster")
    url: str = Field(..., description="Link to the material.")
    summary: str = ""
    standard_code: str
    criterion_codes: list[str] = Field(..., min_length=1)
