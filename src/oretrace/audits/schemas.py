"""API schemas of the audits app: what an audit body's own system reads and sends."""

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal, get_args

from ninja import Field, Schema

from oretrace.audits.choices import AuditStatus, FindingGrade
from oretrace.audits.models import Audit
from oretrace.core.models import Organisation

GradeCode = Literal[
    "major", "minor", "observation", "improvement", "good-practice", "zero-tolerance"
]
assert set(get_args(GradeCode)) == set(FindingGrade.values)  # noqa: S101  (one vocabulary)
StatusCode = Literal["planned", "fieldwork", "report", "cap", "verification", "closed"]
assert set(get_args(StatusCode)) == set(AuditStatus.values)  # noqa: S101


class ProgrammeOut(Schema):
    id: int
    code: str
    version: str
    title: dict[str, str]
    standard_code: str
    fingerprint: str = Field(..., description="SHA-256 of the programme's rules.")
    organisation_id: int | None = Field(None, description="Empty for a shipped programme.")


class PartyOut(Schema):
    id: int
    name: str


class AuditOut(Schema):
    id: int
    reference: str = Field(..., description="A-<id>, as the pages and reports name it.")
    programme: str = Field(..., description="The programme's code.")
    programme_version: str
    programme_fingerprint: str = Field(..., description="SHA-256 of the rules the audit pins.")
    standard_code: str | None = Field(None, description="The checklist's standard.")
    audit_type: str
    status: StatusCode
    organisation: PartyOut = Field(..., description="The audit body that runs it.")
    auditee: PartyOut
    facility: PartyOut
    programme_owner: PartyOut | None
    scope: str
    planned_start: date
    planned_end: date
    report_on: date | None
    plan_due_on: date | None = Field(None, description="The corrective action plan's deadline.")
    cap_round: int
    decided_on: date | None
    score: Decimal | None
    outcome: str = Field(..., description="The programme's grade; empty until closed.")
    conformant: bool | None
    outcome_reasons: list[str]
    valid_until: date | None
    next_audit_due: date | None
    next_audit_type: str
    result_sha256: str = Field(..., description="SHA-256 of the findings the outcome rests on.")

    @staticmethod
    def resolve_reference(audit: Audit) -> str:
        return f"A-{audit.pk}"

    @staticmethod
    def resolve_programme(audit: Audit) -> str:
        return audit.programme.code

    @staticmethod
    def resolve_programme_version(audit: Audit) -> str:
        return audit.programme.version

    @staticmethod
    def resolve_programme_fingerprint(audit: Audit) -> str:
        return audit.programme.fingerprint

    @staticmethod
    def resolve_standard_code(audit: Audit) -> str | None:
        return audit.standard.code if audit.standard else None

    @staticmethod
    def resolve_organisation(audit: Audit) -> dict[str, Any]:
        return _party(audit.organisation)

    @staticmethod
    def resolve_auditee(audit: Audit) -> dict[str, Any]:
        return _party(audit.auditee)

    @staticmethod
    def resolve_facility(audit: Audit) -> dict[str, Any]:
        return {"id": audit.facility_id, "name": audit.facility.name}

    @staticmethod
    def resolve_programme_owner(audit: Audit) -> dict[str, Any] | None:
        owner = audit.programme_owner
        return None if owner is None else _party(owner)


def _party(org: Organisation) -> dict[str, Any]:
    return {"id": org.pk, "name": str(org)}


class EvidenceOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime


class ActionOut(Schema):
    id: int
    round: int
    what: str
    owner_name: str
    due_on: date
    status: str
    verified_at: datetime | None
    evidence: list[EvidenceOut]


class FindingOut(Schema):
    id: int
    audit_id: int
    criterion: str = Field(..., alias="criterion.code")
    requirement: dict[str, str] = Field(..., alias="criterion.requirement")
    grade: GradeCode
    description: str
    closure_due_on: date | None
    evidence: list[EvidenceOut]
    actions: list[ActionOut]
    created_at: datetime
    updated_at: datetime


class FindingIn(Schema):
    criterion: str = Field(
        ..., min_length=1, max_length=40, description="A criterion code of the audit's standard."
    )
    grade: GradeCode
    description: str = Field(
        "",
        max_length=10000,
        description="What was found, and where (not needed for good practice).",
    )


class AuditFilter(Schema):
    side: Literal["body", "auditee", "owner", ""] = Field(
        "", description="Audits the organisation runs, undergoes, or owns the programme of."
    )
    status: StatusCode | Literal[""] = ""
    facility_id: int | None = None
