"""API routes of the audits app, for audit bodies' own systems: programmes, audits and their
findings read; findings recorded (and their evidence attached) through the same services as
the pages. Thin: reads in ``queries``, writes in ``services``.

A service's refusal of a field (``AuditError``) answers 422 naming the field, as a malformed
request does; a refusal by role or side answers 403, and a step the audit's life does not allow
(findings after the fieldwork) 409.
"""

from collections.abc import Iterator
from contextlib import contextmanager

from django.db.models import QuerySet
from ninja import File, Query, Router, Status, UploadedFile
from ninja.errors import ValidationError
from ninja.pagination import paginate

from oretrace.audits import queries
from oretrace.audits.exceptions import AuditError
from oretrace.audits.models import Audit, Finding, FindingEvidence, ProgrammeVersion
from oretrace.audits.schemas import (
    AuditFilter,
    AuditOut,
    EvidenceOut,
    FindingIn,
    FindingOut,
    ProgrammeOut,
)
from oretrace.audits.services import findings as finding_services
from oretrace.core.exceptions import NotFound
from oretrace.core.pagination import Pagination
from oretrace.core.requests import AuthenticatedRequest

router = Router(tags=["audits"])


@contextmanager
def _fields_as_422(where: str = "body.payload") -> Iterator[None]:
    """A service's ``AuditError`` on a field of the request: 422 with its location."""
    try:
        yield
    except AuditError as error:
        location = [*where.split("."), error.field] if error.field else where.split(".")
        message = str(error).removeprefix(f"{error.field}: ")
        raise ValidationError([{"loc": location, "msg": message, "type": "value_error"}]) from None


@router.get("/audit-programmes", response=list[ProgrammeOut])
@paginate(Pagination)
def list_programmes(request: AuthenticatedRequest) -> QuerySet[ProgrammeVersion]:
    """Programme versions: those shipped with oretrace and the organisation's own."""
    return queries.programmes_for(request.auth).order_by("code", "version")


@router.get("/audits", response=list[AuditOut])
@paginate(Pagination)
def list_audits(request: AuthenticatedRequest, filters: Query[AuditFilter]) -> QuerySet[Audit]:
    """The audits the organisation runs, undergoes or owns the programme of, newest first."""
    found = queries.audits_for(request.auth, filters.side).select_related("standard")
    if filters.status:
        found = found.filter(status=filters.status)
    if filters.facility_id is not None:
        found = found.filter(facility_id=filters.facility_id)
    return found


@router.get("/audits/{audit_id}", response=AuditOut)
def get_audit(request: AuthenticatedRequest, audit_id: int) -> Audit:
    """One audit with its outcome, validity and next audit once closed."""
    return queries.audit_for(request.auth, audit_id)


@router.get("/audits/{audit_id}/findings", response=list[FindingOut])
@paginate(Pagination)
def list_findings(request: AuthenticatedRequest, audit_id: int) -> QuerySet[Finding]:
    """The audit's findings in checklist order, with their evidence and corrective actions."""
    audit = queries.audit_for(request.auth, audit_id)
    return queries.findings_for(request.auth, audit_id=audit.pk).prefetch_related(
        "actions__evidence"
    )


@router.post("/audits/{audit_id}/findings", response={200: FindingOut, 201: FindingOut})
def record_finding(
    request: AuthenticatedRequest, audit_id: int, payload: FindingIn
) -> Status[Finding]:
    """Record the finding on one criterion during the fieldwork (the audit body's auditors):
    201 when new, 200 when it changes the criterion's finding."""
    member = request.auth
    audit = queries.audit_for(member, audit_id)
    criterion = queries.criterion_by_code(audit, payload.criterion)
    if criterion is None:
        raise ValidationError(
            [
                {
                    "loc": ["body", "payload", "criterion"],
                    "msg": f"{payload.criterion!r} is not a criterion of the audit's standard",
                    "type": "value_error",
                }
            ]
        )
    existed = queries.finding_of(audit, criterion) is not None
    with _fields_as_422():
        finding = finding_services.record_finding(
            audit, criterion, grade=payload.grade, description=payload.description, actor=member
        )
    return Status(200 if existed else 201, queries.finding_for(member, finding.pk))


@router.post("/audits/{audit_id}/findings/{finding_id}/evidence", response={201: EvidenceOut})
def add_finding_evidence(
    request: AuthenticatedRequest,
    audit_id: int,
    finding_id: int,
    file: File[UploadedFile | None] = None,  # checked below, after the 404
) -> Status[FindingEvidence]:
    """Attach a photo or document (the form field ``file``) to a finding during the fieldwork
    (PDF, JPEG, PNG, WebP)."""
    member = request.auth
    finding = queries.finding_for(member, finding_id)
    if finding.audit_id != audit_id:
        raise NotFound(f"audit A-{audit_id} has no finding {finding_id}")
    if file is None:
        raise ValidationError(
            [{"loc": ["body", "file"], "msg": "attach the file", "type": "missing"}]
        )
    with _fields_as_422("body"):
        stored = finding_services.add_finding_evidence(finding, upload=file, actor=member)
    return Status(201, stored)
