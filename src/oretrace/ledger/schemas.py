"""API schemas of the ledger app."""

from __future__ import annotations

import base64
from datetime import datetime

from ninja import Field, Schema


class LeafOut(Schema):
    index: int
    record_type: str
    record_id: str
    version: int
    organisation_id: int
    entry: str = Field(..., description="The 32-byte commitment (the log entry), base64.")
    deleted: bool
    erased: bool
    actor_label: str
    created_at: datetime

    @staticmethod
    def resolve_entry(obj: object) -> str:
        return base64.b64encode(bytes(obj.entry)).decode()  # type: ignore[attr-defined]

    @staticmethod
    def resolve_erased(obj: object) -> bool:
        return obj.erased_at is not None  # type: ignore[attr-defined]


class RecordOut(Schema):
    record_type: str
    record_id: str
    latest: LeafOut
    versions: list[LeafOut]
    bundle_url: str
    public_url: str = Field(..., description="The public verification page (for a QR code).")


class CheckpointOut(Schema):
    origin: str
    size: int
    root: str = Field(..., description="Root hash, base64.")
    signed: str = Field(..., description="The checkpoint note with every signature line.")
    created_at: datetime
    witnesses: list[str]


class ConsistencyOut(Schema):
    old: int
    new: int
    proof: list[str] = Field(..., description="RFC 9162 consistency proof, base64 hashes.")


class AuditStarted(Schema):
    job_id: int
