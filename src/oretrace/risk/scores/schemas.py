"""API schemas of risk scores."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from ninja import Field, Schema


class ScoreOut(Schema):
    id: int
    subject: str = Field(..., description="facility, supplier or lot.")
    subject_id: int | None = Field(None, description="The facility's, supplier's or lot's id.")
    as_of: date = Field(..., description="The inputs are taken as they stood on this date.")
    total: Decimal = Field(..., description="0 to 100; the breakdown's values sum to it.")
    level: str
    methodology: str = Field(..., description="Code and version, e.g. oretrace-2026.1.")
    editions: dict[str, int | None] = Field(
        ..., description="The edition of each reference list used, by kind."
    )
    fingerprint: str = Field(..., description="SHA-256 of every input.")

    @staticmethod
    def resolve_methodology(obj: Any) -> str:
        return str(obj.methodology.key)


class ScoreDetail(ScoreOut):
    breakdown: list[dict[str, Any]] = Field(
        ...,
        description="Each contribution: category, indicator, source, state, points, share, "
        "value (the values sum to the total) and evidence as [text, edition id, reference].",
    )


class ScoreFilter(Schema):
    subject: str = Field("", description="Only scores of facilities, suppliers or lots.")
    level: str = Field("", description="Only scores of this level, e.g. 'high'.")
    facility_id: int | None = Field(None, description="Every score of one facility.")
    supplier_id: int | None = Field(None, description="Every score of one supplier.")
