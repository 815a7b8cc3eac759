"""API routes of the core app: me, organisations, memberships, jobs, reference data, change log,
personal tokens. Thin: reads go through tenancy scoping, writes through services."""

from typing import Any

from django.apps import apps
from django.db.models import Model, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from oretrace.core import queries, services
from oretrace.core.exceptions import OretraceError
from oretrace.core.jobs import cancel_job, get_kind, start_job
from oretrace.core.models import (
    ApiToken,
    ChangeLogEntry,
    Country,
    Job,
    Membership,
    Mineral,
    Organisation,
    Subdivision,
)
from oretrace.core.pagination import Pagination
from oretrace.core.requests import AuthenticatedRequest
from oretrace.core.schemas import (
    ChangeOut,
    CountryOut,
    JobIn,
    JobOut,
    MembershipIn,
    MembershipOut,
    MembershipPatch,
    MeOut,
    MineralOut,
    OrganisationOut,
    OrganisationPatch,
    SubdivisionOut,
    TokenCreated,
    TokenIn,
    TokenOut,
)
from oretrace.core.tenancy import get_for_member, visible

router = Router()


# --- me ------------------------------------------------------------------------------------
@router.get("/me", response=MeOut, tags=["people"], summary="Who is acting, and where")
def me(request: AuthenticatedRequest) -> dict[str, Any]:
    member = request.auth
    memberships = Membership.objects.active().filter(user=member.user).select_related("user")
    return {
        "email": member.user.email,
        "full_name": member.user.full_name,
        "current": member,
        "memberships": list(memberships),
    }


# --- organisations -------------------------------------------------------------------------
@router.get("/organisations", response=list[OrganisationOut], tags=["organisations"])
@paginate(Pagination)
def list_organisations(request: AuthenticatedRequest) -> QuerySet[Organisation]:
    """Organisations the acting user belongs to."""
    return Organisation.objects.for_member(request.auth).order_by("legal_name")


@router.get("/organisations/{org_id}", response=OrganisationOut, tags=["organisations"])
def get_organisation(request: AuthenticatedRequest, org_id: int) -> Organisation:
    return get_for_member(Organisation.objects.all(), request.auth, pk=org_id)


@router.patch("/organisations/{org_id}", response=OrganisationOut, tags=["organisations"])
def patch_organisation(
    request: AuthenticatedRequest, org_id: int, payload: OrganisationPatch
) -> Organisation:
    """Change an organisation's details (administrators of that organisation only)."""
    member = request.auth
    org = get_for_member(Organisation.objects.all(), member, pk=org_id)
    acting = member if member.organisation_id == org.pk else _membership_in(member, org)
    return services.update_organisation(org, actor=acting, **payload.dict(exclude_unset=True))


def _membership_in(member: Membership, org: Organisation) -> Membership:
    return Membership.objects.active().get(user_id=member.user_id, organisation=org)


# --- memberships ---------------------------------------------------------------------------
@router.get("/memberships", response=list[MembershipOut], tags=["people"])
@paginate(Pagination)
def list_memberships(request: AuthenticatedRequest) -> QuerySet[Membership]:
    """Members of the acting organisation."""
    return visible(Membership.objects.select_related("user"), request.auth).order_by("user__email")


@router.get("/memberships/{membership_id}", response=MembershipOut, tags=["people"])
def get_membership(request: AuthenticatedRequest, membership_id: int) -> Membership:
    return get_for_member(Membership.objects.select_related("user"), request.auth, pk=membership_id)


@router.post("/memberships", response={201: MembershipOut}, tags=["people"])
def create_membership(request: AuthenticatedRequest, payload: MembershipIn) -> Status[Membership]:
    """Add a person to the acting organisation (administrators only)."""
    member = request.auth
    membership = services.invite_member(
        member.organisation,
        email=payload.email,
        roles=payload.roles,
        full_name=payload.full_name,
        actor=member,
    )
    return Status(201, membership)


@router.patch("/memberships/{membership_id}", response=MembershipOut, tags=["people"])
def patch_membership(
    request: AuthenticatedRequest, membership_id: int, payload: MembershipPatch
) -> Membership:
    member = request.auth
    target = get_for_member(
        Membership.objects.select_related("user", "organisation"), member, pk=membership_id
    )
    return services.set_member_roles(
        target, roles=payload.roles, is_active=payload.is_active, actor=member
    )


# --- jobs ----------------------------------------------------------------------------------
class JobFilter(Schema):
    status: str | None = None
    kind: str | None = None


@router.get("/jobs", response=list[JobOut], tags=["jobs"])
@paginate(Pagination)
def list_jobs(request: AuthenticatedRequest, filters: Query[JobFilter]) -> QuerySet[Job]:
    jobs = visible(Job.objects.all(), request.auth)
    if filters.status:
        jobs = jobs.filter(status=filters.status)
    if filters.kind:
        jobs = jobs.filter(kind=filters.kind)
    return jobs


@router.get("/jobs/{job_id}", response=JobOut, tags=["jobs"])
def get_job(request: AuthenticatedRequest, job_id: int) -> Job:
    return get_for_member(Job.objects.all(), request.auth, pk=job_id)


@router.post("/jobs", response={202: JobOut}, tags=["jobs"])
def create_job(request: AuthenticatedRequest, payload: JobIn) -> Status[Job]:
    """Start a job of a kind users may start (e.g. ``reference.reload``)."""
    spec = get_kind(payload.kind)
    if not spec.user_startable:
        raise OretraceError(f"jobs of kind {payload.kind!r} are started by the system")
    job = start_job(payload.kind, actor=request.auth, params=payload.params)
    job.refresh_from_db()
    return Status(202, job)


@router.post("/jobs/{job_id}/cancel", response=JobOut, tags=["jobs"])
def cancel(request: AuthenticatedRequest, job_id: int) -> Job:
    member = request.auth
    return cancel_job(get_for_member(Job.objects.all(), member, pk=job_id), actor=member)


# --- reference data ------------------------------------------------------------------------
@router.get("/countries", response=list[CountryOut], tags=["reference"])
@paginate(Pagination)
def list_countries(request: AuthenticatedRequest, q: str = "") -> QuerySet[Country]:
    countries = Country.objects.all()
    return countries.filter(name__icontains=q) if q else countries


@router.get("/countries/{code}", response=CountryOut, tags=["reference"])
def get_country(request: AuthenticatedRequest, code: str) -> Country:
    return get_object_or_404(Country, code=code.upper())


@router.get("/countries/{code}/subdivisions", response=list[SubdivisionOut], tags=["reference"])
@paginate(Pagination)
def list_subdivisions(request: AuthenticatedRequest, code: str) -> QuerySet[Subdivision]:
    country = get_object_or_404(Country, code=code.upper())
    return country.subdivisions.order_by("code")


@router.get("/minerals", response=list[MineralOut], tags=["reference"])
@paginate(Pagination)
def list_minerals(
    request: AuthenticatedRequest, template_family: str | None = None
) -> QuerySet[Mineral]:
    minerals = Mineral.objects.all()
    return minerals.filter(template_family=template_family.upper()) if template_family else minerals


@router.get("/minerals/{code}", response=MineralOut, tags=["reference"])
def get_mineral(request: AuthenticatedRequest, code: str) -> Mineral:
    return get_object_or_404(Mineral, code=code.lower())


# --- change log ----------------------------------------------------------------------------
def object_for_member(app_label: str, model_name: str, object_id: str, member: Membership) -> Model:
    """Find an object by type and id, only if ``member`` may see it; otherwise 404."""
    try:
        model = apps.get_model(app_label, model_name)
    except (LookupError, ValueError):
        raise Http404 from None
    queryset = model._default_manager.all()
    if not hasattr(queryset, "for_member"):
        raise Http404
    try:
        found: Model = visible(queryset, member).get(pk=object_id)
    except (model.DoesNotExist, ValueError):
        raise Http404 from None
    return found


@router.get(
    "/changes/{app_label}/{model_name}/{object_id}",
    response=list[ChangeOut],
    tags=["change log"],
    summary="The change log of one object",
)
@paginate(Pagination)
def list_changes(
    request: AuthenticatedRequest, app_label: str, model_name: str, object_id: str
) -> QuerySet[ChangeLogEntry]:
    obj = object_for_member(app_label, model_name, object_id, request.auth)
    return ChangeLogEntry.objects.for_object(obj).select_related("content_type")


# --- personal API tokens -------------------------------------------------------------------
@router.get("/tokens", response=list[TokenOut], tags=["people"])
@paginate(Pagination)
def list_tokens(request: AuthenticatedRequest) -> QuerySet[ApiToken]:
    """The acting user's own tokens."""
    return queries.tokens_for(request.auth)


@router.post("/tokens", response={201: TokenCreated}, tags=["people"])
def create_token(request: AuthenticatedRequest, payload: TokenIn) -> Status[dict[str, Any]]:
    """Create a token. One created with a token is revoked with it and cannot outlive it.

    ``expires_at`` must be in the future and at most ``ORETRACE_API_TOKEN_MAX_DAYS`` ahead."""
    member = request.auth
    parent = ApiToken.objects.get(pk=member.acting_token_id) if member.acting_token_id else None
    token, secret = services.issue_token(
        member, name=payload.name, expires_at=payload.expires_at, actor=member, parent=parent
    )
    return Status(201, {"token": secret, "details": token})


@router.delete("/tokens/{token_id}", response=TokenOut, tags=["people"])
def revoke_token(request: AuthenticatedRequest, token_id: int) -> ApiToken:
    member = request.auth
    token = get_for_member(ApiToken.objects.select_related("membership"), member, pk=token_id)
    return services.revoke_token(token, actor=member)
