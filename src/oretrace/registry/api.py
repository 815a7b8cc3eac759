"""API routes of the facility registry. Thin: reads through tenancy scoping, writes through
services. Objects another organisation owns answer 404."""

from typing import Any

from django.db.models import QuerySet
from ninja import File, Query, Router, Status, UploadedFile
from ninja.pagination import paginate

from oretrace.core.models import Job
from oretrace.core.pagination import Pagination
from oretrace.core.requests import AuthenticatedRequest
from oretrace.core.tenancy import get_for_member, visible
from oretrace.core.uploads import read_upload
from oretrace.registry import services
from oretrace.registry.matching import MatchResult
from oretrace.registry.models import (
    AssuranceStatus,
    Facility,
    FacilityIdentifier,
    FacilityName,
    MatchReview,
    ReferenceImport,
)
from oretrace.registry.queries import FacilityFilter, reference_imports_for, search_facilities
from oretrace.registry.schemas import (
    ConfirmIn,
    CreateFromReviewIn,
    FacilityDetail,
    FacilityIn,
    FacilityOut,
    FacilityPatch,
    IdentifierIn,
    IdentifierOut,
    ImportOut,
    JobStarted,
    MatchIn,
    MatchResultOut,
    MergeIn,
    NameIn,
    NameOut,
    ReviewOut,
    SplitIn,
    StatusIn,
    StatusOut,
)
from oretrace.registry.services import reference_lists as imports
from oretrace.registry.services import reviews

router = Router(tags=["facilities"])
MAX_UPLOAD_BYTES = imports.MAX_UPLOAD_BYTES


def _facility(request: AuthenticatedRequest, facility_id: int) -> Facility:
    return get_for_member(Facility.objects.all(), request.auth, pk=facility_id)


def _review(request: AuthenticatedRequest, review_id: int) -> MatchReview:
    return get_for_member(MatchReview.objects.all(), request.auth, pk=review_id)


@router.get("/facilities", response=list[FacilityOut])
@paginate(Pagination)
def list_facilities(
    request: AuthenticatedRequest, filters: Query[FacilityFilter]
) -> QuerySet[Facility]:
    """Search by any name in any script, identifier, country, subdivision, mineral, kind or
    current status."""
    return search_facilities(request.auth, filters).prefetch_related("minerals", "identifiers")


@router.post("/facilities", response={201: FacilityDetail})
def create_facility(request: AuthenticatedRequest, payload: FacilityIn) -> Status[Facility]:
    member = request.auth
    data = payload.dict()
    facility = services.create_facility(actor=member, source="entered through the API", **data)
    return Status(201, facility)


@router.get("/facilities/by-identifier/{scheme}/{value}", response=FacilityDetail)
def facility_by_identifier(request: AuthenticatedRequest, scheme: str, value: str) -> Facility:
    """Resolve an identifier (e.g. ``rmi_cid``/``CID001234``); merged facilities resolve to the
    survivor."""
    member = request.auth
    found = services.find_by_identifier(scheme, value, organisation_id=member.organisation_id)
    return get_for_member(Facility.objects.all(), member, pk=found.pk if found else 0)


@router.get("/facilities/{int:facility_id}", response=FacilityDetail)
def get_facility(request: AuthenticatedRequest, facility_id: int) -> Facility:
    return _facility(request, facility_id)


@router.patch("/facilities/{int:facility_id}", response=FacilityDetail)
def patch_facility(
    request: AuthenticatedRequest, facility_id: int, payload: FacilityPatch
) -> Facility:
    return services.update_facility(
        _facility(request, facility_id), actor=request.auth, **payload.dict(exclude_unset=True)
    )


@router.post("/facilities/{int:facility_id}/names", response={201: NameOut})
def add_name(
    request: AuthenticatedRequest, facility_id: int, payload: NameIn
) -> Status[FacilityName]:
    facility = _facility(request, facility_id)
    return Status(201, services.add_name(facility, actor=request.auth, **payload.dict()))


@router.post("/facilities/{int:facility_id}/identifiers", response={201: IdentifierOut})
def add_identifier(
    request: AuthenticatedRequest, facility_id: int, payload: IdentifierIn
) -> Status[FacilityIdentifier]:
    facility = _facility(request, facility_id)
    return Status(201, services.add_identifier(facility, actor=request.auth, **payload.dict()))


@router.post("/facilities/{int:facility_id}/statuses", response={201: StatusOut})
def add_status(
    request: AuthenticatedRequest, facility_id: int, payload: StatusIn
) -> Status[AssuranceStatus]:
    facility = _facility(request, facility_id)
    return Status(201, services.record_status(facility, actor=request.auth, **payload.dict()))


@router.post("/facilities/{int:facility_id}/merge", response=FacilityDetail)
def merge(request: AuthenticatedRequest, facility_id: int, payload: MergeIn) -> Facility:
    """Merge the duplicate given in the body into this facility."""
    survivor = _facility(request, facility_id)
    duplicate = _facility(request, payload.duplicate_id)
    return services.merge_facilities(survivor, duplicate, actor=request.auth)


@router.post("/facilities/{int:facility_id}/split", response={201: FacilityDetail})
def split(request: AuthenticatedRequest, facility_id: int, payload: SplitIn) -> Status[Facility]:
    """Move some names and identifiers of this facility to a new one."""
    new = services.split_facility(
        _facility(request, facility_id), actor=request.auth, **payload.dict()
    )
    return Status(201, new)


@router.post("/facilities/match", response=list[MatchResultOut], tags=["matching"])
def match(request: AuthenticatedRequest, payload: MatchIn) -> list[MatchResult]:
    """Match up to 5,000 names at once: ``auto`` (matched), ``review`` or ``none``."""
    queries = [reviews.NameQuery(**q.dict()) for q in payload.names]
    return reviews.match_names(
        request.auth, queries, queue_reviews=payload.queue_reviews, origin=payload.origin
    )


@router.get("/match-reviews", response=list[ReviewOut], tags=["matching"])
@paginate(Pagination)
def list_reviews(request: AuthenticatedRequest, status: str = "open") -> QuerySet[MatchReview]:
    reviews_ = visible(MatchReview.objects.all(), request.auth)
    return reviews_.filter(status=status) if status else reviews_


@router.get("/match-reviews/{int:review_id}", response=ReviewOut, tags=["matching"])
def get_review(request: AuthenticatedRequest, review_id: int) -> MatchReview:
    return _review(request, review_id)


@router.post("/match-reviews/{int:review_id}/confirm", response=ReviewOut, tags=["matching"])
def confirm_review(
    request: AuthenticatedRequest, review_id: int, payload: ConfirmIn
) -> MatchReview:
    facility = _facility(request, payload.facility_id)
    return reviews.confirm_review(
        _review(request, review_id), facility=facility, actor=request.auth
    )


@router.post("/match-reviews/{int:review_id}/reject", response=ReviewOut, tags=["matching"])
def reject_review(request: AuthenticatedRequest, review_id: int) -> MatchReview:
    return reviews.reject_review(_review(request, review_id), actor=request.auth)


@router.post("/match-reviews/{int:review_id}/create", response=ReviewOut, tags=["matching"])
def create_from_review(
    request: AuthenticatedRequest, review_id: int, payload: CreateFromReviewIn
) -> MatchReview:
    return reviews.create_from_review(
        _review(request, review_id), actor=request.auth, **payload.dict(exclude_none=True)
    )


@router.get("/reference-imports", response=list[ImportOut], tags=["reference imports"])
@paginate(Pagination)
def list_imports(request: AuthenticatedRequest) -> QuerySet[ReferenceImport]:
    return reference_imports_for(request.auth)


@router.post("/reference-imports", response={202: JobStarted}, tags=["reference imports"])
def upload_reference(
    request: AuthenticatedRequest, file: File[UploadedFile]
) -> Status[dict[str, Any]]:
    """Upload a template with a Smelter Look-up sheet, or an RMI facility-list export: a
    curator's goes to the shared registry, an organisation administrator's to the
    organisation's own. The import runs as a job: follow it at ``/api/v1/jobs/{job_id}``."""
    data = read_upload(file, limit=MAX_UPLOAD_BYTES)
    job: Job = imports.start_reference_import(data, file.name or "upload", actor=request.auth)
    return Status(202, {"job_id": job.pk, "status": job.status, "created_at": job.created_at})
