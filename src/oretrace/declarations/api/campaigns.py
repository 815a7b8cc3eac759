"""API routes of campaigns and the supplier list import. Thin: reads through tenancy scoping,
writes through `services`. Objects another organisation owns answer 404."""

from datetime import date, datetime

from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest
from ninja import Field, File, Router, Schema, Status, UploadedFile
from ninja.pagination import paginate

from oretrace.core.models import Membership
from oretrace.core.pagination import Pagination
from oretrace.core.tenancy import get_for_member, visible
from oretrace.core.uploads import read_upload
from oretrace.declarations import services, supplier_list
from oretrace.declarations.exceptions import DeclarationError
from oretrace.declarations.models import Campaign, CampaignRequest, Declaration, Supplier
from oretrace.declarations.queries import campaigns as campaign_queries

router = Router(tags=["campaigns"])


def _member(request: HttpRequest) -> Membership:
    return request.auth  # type: ignore[attr-defined, return-value]


class CampaignIn(Schema):
    name: str = Field(max_length=200)
    family: str = Field(description="CMRT, EMRT, AMRT or CRT")
    reporting_year: int
    due_date: date | None = None
    message: str = Field("", description="Shown to suppliers in the e-mail and on the page.")
    supplier_ids: list[int] | None = Field(
        None, description="The suppliers to ask; all suppliers with an e-mail when omitted."
    )


class ResponseRateOut(Schema):
    requested: int
    responded: int
    percent: int | None
    q6_answer: str = Field(description="The matching answer to question 6 of the template.")
    counts: dict[str, int]


class CampaignOut(Schema):
    id: int
    name: str
    family: str
    reporting_year: int
    due_date: date | None
    message: str
    status: str
    created_at: datetime
    closed_at: datetime | None
    response_rate: ResponseRateOut

    @staticmethod
    def resolve_response_rate(obj: Campaign) -> dict:
        rate = campaign_queries.response_rate(obj)
        return {
            "requested": rate.requested,
            "responded": rate.responded,
            "percent": rate.percent,
            "q6_answer": rate.q6_answer,
            "counts": rate.counts,
        }


class RequestOut(Schema):
    id: int
    supplier_id: int
    supplier: str
    email: str
    status: str
    sent_at: datetime | None
    reminded_at: datetime | None
    reminder_count: int
    responded_at: datetime | None
    declaration_id: int | None
    decline_reason: str

    @staticmethod
    def resolve_supplier(obj) -> str:
        return obj.supplier.name


class CampaignDetail(CampaignOut):
    requests: list[RequestOut]

    @staticmethod
    def resolve_requests(obj: Campaign) -> list:
        return list(obj.requests.select_related("supplier"))


class SupplierIdsIn(Schema):
    supplier_ids: list[int]


class AttachIn(Schema):
    declaration_id: int


class RemindersOut(Schema):
    reminded: int


class SupplierImportOut(Schema):
    created: int
    updated: int
    unchanged: int


def _suppliers(member: Membership, ids: list[int]) -> list[Supplier]:
    found = {s.pk: s for s in visible(Supplier.objects.all(), member).filter(pk__in=ids)}
    missing = [
        i for i in ids if i not in found or found[i].organisation_id != member.organisation_id
    ]
    if missing:
        raise DeclarationError(f"unknown supplier id(s): {', '.join(str(i) for i in missing)}")
    return [found[i] for i in dict.fromkeys(ids)]


@router.get("/campaigns", response=list[CampaignOut])
@paginate(Pagination)
def list_campaigns(request: HttpRequest) -> QuerySet[Campaign]:
    """The organisation's campaigns, newest first, each with its response rate."""
    requests = CampaignRequest.objects.only("id", "campaign_id", "status")
    return visible(
        Campaign.objects.prefetch_related(Prefetch("requests", queryset=requests)),
        _member(request),
    )


@router.post("/campaigns", response={201: CampaignDetail})
def create_campaign(request: HttpRequest, payload: CampaignIn) -> Status:
    """Open a campaign and e-mail each supplier its upload link (compliance officers)."""
    member = _member(request)
    data = payload.dict()
    ids = data.pop("supplier_ids")
    chosen = None if ids is None else _suppliers(member, ids)
    return Status(201, services.create_campaign(actor=member, suppliers=chosen, **data))


def _campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    return get_for_member(Campaign.objects.all(), _member(request), pk=campaign_id)


@router.get("/campaigns/{int:campaign_id}", response=CampaignDetail)
def get_campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    """A campaign with each supplier's status, dates and reminders."""
    return _campaign(request, campaign_id)


@router.post("/campaigns/{int:campaign_id}/suppliers", response=CampaignDetail)
def add_suppliers(request: HttpRequest, campaign_id: int, payload: SupplierIdsIn) -> Campaign:
    """Ask more suppliers in an open campaign (those already asked are left alone)."""
    member = _member(request)
    campaign = _campaign(request, campaign_id)
    services.add_suppliers(
        campaign, suppliers=_suppliers(member, payload.supplier_ids), actor=member
    )
    return campaign


@router.post(
    "/campaigns/{int:campaign_id}/requests/{int:request_id}/declaration", response=RequestOut
)
def attach_declaration(
    request: HttpRequest, campaign_id: int, request_id: int, payload: AttachIn
) -> CampaignRequest:
    """Record that the supplier answered with a declaration that came another way (e.g. by
    e-mail, imported by the team), so that the request counts as a response."""
    member = _member(request)
    campaign = _campaign(request, campaign_id)
    answered = get_for_member(campaign.requests.select_related("supplier"), member, pk=request_id)
    declaration = get_for_member(Declaration.objects.all(), member, pk=payload.declaration_id)
    return services.attach_declaration(answered, declaration=declaration, actor=member)


@router.post("/campaigns/{int:campaign_id}/reminders", response=RemindersOut)
def send_reminders(request: HttpRequest, campaign_id: int) -> dict:
    """Remind every supplier that has not answered yet."""
    campaign = _campaign(request, campaign_id)
    return {"reminded": services.send_reminders(campaign, actor=_member(request))}


@router.post("/campaigns/{int:campaign_id}/close", response=CampaignDetail)
def close_campaign(request: HttpRequest, campaign_id: int) -> Campaign:
    """Stop taking answers; the upload links then say that the campaign is closed."""
    campaign = _campaign(request, campaign_id)
    return services.close_campaign(campaign, actor=_member(request))


@router.post("/suppliers/import", response=SupplierImportOut)
def import_suppliers(request: HttpRequest, file: File[UploadedFile]) -> dict:
    """Create or update suppliers from a list (name, reference, email, country columns), as CSV
    in any common encoding or as an Excel workbook (first sheet), all or nothing; errors name
    the row and column."""
    data = read_upload(file, limit=supplier_list.MAX_BYTES)
    return services.import_suppliers(
        data, actor=_member(request), filename=file.name or "suppliers.csv"
    ).as_json()
