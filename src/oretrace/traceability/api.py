"""API routes of the traceability app: EPCIS 2.0 capture and query. Thin: services and queries."""

import json
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.core.exceptions import RequestDataTooBig
from django.core.serializers.json import DjangoJSONEncoder
from django.db.models import QuerySet
from django.http import HttpResponse, JsonResponse
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from oretrace.core.pagination import Pagination
from oretrace.core.problems import problem
from oretrace.core.requests import AuthenticatedRequest
from oretrace.core.tenancy import get_for_member, visible
from oretrace.traceability import queries, services, trace
from oretrace.traceability.epcis.output import query_document
from oretrace.traceability.exceptions import CaptureRejected, TraceabilityError
from oretrace.traceability.models import CustodyFlag, EpcisCapture, EpcisEvent, Lot
from oretrace.traceability.schemas import (
    CaptureOut,
    CaptureResult,
    ChainOut,
    EventQueryParams,
    FlagOut,
    LotDetail,
    LotOut,
    TraceOut,
)

router = Router(tags=["traceability"])
_TOKEN_SALT = "oretrace.traceability.epcis-events"  # noqa: S105 (a signing salt, not a secret)
XML_TYPES = ("application/xml", "text/xml")


@router.post(
    "/epcis/capture",
    response={201: CaptureResult},
    summary="Capture an EPCIS document (2.0 JSON/JSON-LD, 1.2 or 2.0 XML)",
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/ld+json": {"schema": {"type": "object"}},
                "application/json": {"schema": {"type": "object"}},
                "application/xml": {"schema": {"type": "string", "format": "binary"}},
                "text/xml": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    },
)
def capture(request: AuthenticatedRequest) -> Status[EpcisCapture] | HttpResponse:
    """Validate an EPCISDocument, store its new events, commit them to the ledger.

    The body is EPCIS 2.0 JSON/JSON-LD, or an EPCIS 1.2 or 2.0 XML ``EPCISDocument``
    (``Content-Type: application/xml`` or ``text/xml``, or any body starting with ``<``); XML is
    read into the EPCIS 2.0 JSON form, so checks and hash IDs are the same for both.
    All or nothing: any invalid event refuses the whole document with a 400 problem whose
    ``errors`` name each event (1-based position), its type, the field and what is wrong. An
    event already captured by your organisation (same CBV 2.0 hash ID) is not stored twice.
    """
    member = request.auth
    try:
        body = request.body
    except RequestDataTooBig:
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0
        return problem(
            request,
            413,
            f"the document is larger than {limit:,} bytes; split it into several documents "
            "(each is captured all or nothing)",
            kind="epcis-capture-rejected",
        )
    try:
        result = services.capture_document(
            body,
            organisation=member.organisation,
            actor=member,
            xml=True if request.content_type in XML_TYPES else None,
        )
    except CaptureRejected as exc:
        return problem(
            request,
            400,
            str(exc),
            kind="epcis-capture-rejected",
            errors=[p.as_dict() for p in exc.problems],
        )
    # the response schema reads the hash IDs beside the capture's own fields
    setattr(result.capture, "event_ids", result.event_ids)  # noqa: B010
    return Status(201, result.capture)


@router.get("/epcis/captures", response=list[CaptureOut], summary="Your EPCIS captures")
@paginate(Pagination)
def list_captures(request: AuthenticatedRequest) -> QuerySet[EpcisCapture]:
    """Documents your organisation captured, newest first."""
    return visible(EpcisCapture.objects.all(), request.auth)


@router.get("/epcis/captures/{int:capture_id}", response=CaptureOut, summary="One capture")
def get_capture(request: AuthenticatedRequest, capture_id: int) -> EpcisCapture:
    return get_for_member(EpcisCapture.objects.all(), request.auth, pk=capture_id)


@router.get(
    "/epcis/events",
    summary="Query EPCIS events",
    response={200: dict},
    openapi_extra={"responses": {200: {"description": "An EPCIS 2.0 EPCISQueryDocument"}}},
)
def query_events(request: AuthenticatedRequest, filters: Query[EventQueryParams]) -> HttpResponse:
    """Events your organisation may see, as an EPCIS 2.0 JSON-LD EPCISQueryDocument.

    Pages follow the EPCIS REST binding: ``perPage`` events, and a ``Link: <…>; rel="next"``
    header carrying ``nextPageToken`` while more events match.
    """
    member = request.auth
    params: dict[str, str] = {
        k: str(v) for k, v in request.GET.items() if k not in ("perPage", "nextPageToken")
    }
    per_page = filters.perPage or settings.ORETRACE_API_PAGE_SIZE
    if per_page > settings.ORETRACE_API_MAX_PAGE_SIZE:
        return problem(
            request,
            400,
            f"perPage: at most {settings.ORETRACE_API_MAX_PAGE_SIZE} events per page",
            kind="rejected",
        )
    after = None
    if filters.nextPageToken:
        try:
            after = int(signing.loads(filters.nextPageToken, salt=_TOKEN_SALT))
        except (signing.BadSignature, ValueError, TypeError):
            return problem(request, 400, "nextPageToken is not valid", kind="rejected")
    try:
        page = queries.event_page(member, params, per_page=per_page, after=after)
    except TraceabilityError as exc:
        return problem(request, 400, str(exc), kind="rejected")
    body = query_document(
        [_as_epcis(e) for e in page.events],
        queries.contexts_of(page.events),
        created=timezone.now(),
    )
    response = HttpResponse(json.dumps(body), content_type="application/ld+json")
    if page.next_after is not None:
        token = signing.dumps(page.next_after, salt=_TOKEN_SALT)
        query = urlencode({**params, "perPage": per_page, "nextPageToken": token})
        response["Link"] = f'<{request.path}?{query}>; rel="next"'
    return response


def _as_epcis(event: EpcisEvent) -> dict[str, Any]:
    body = dict(event.body)
    body.setdefault("eventID", event.hash_id)
    body["recordTime"] = event.record_time.isoformat().replace("+00:00", "Z")
    return body


@router.get("/custody/lots", response=list[LotOut], summary="Lots")
@paginate(Pagination)
def list_lots(
    request: AuthenticatedRequest, code: str = "", flagged: bool = False
) -> QuerySet[Lot]:
    """Lots your organisation holds (from captured events); ``flagged`` keeps flagged ones."""
    lots = queries.lots_for(request.auth)
    if code:
        lots = lots.filter(code=code)
    if flagged:
        lots = lots.filter(flag_count__gt=0)  # type: ignore[misc]  # annotated in lots_for
    return lots.order_by("-id")


@router.get("/custody/lots/{int:lot_id}", response=LotDetail, summary="One lot")
def get_lot(request: AuthenticatedRequest, lot_id: int) -> Lot:
    """A lot with its mass-balance flags and its shipments and receipts."""
    lot = get_for_member(queries.lots_for(request.auth), request.auth, pk=lot_id)
    lot.flag_list = list(lot.flags.select_related("lot", "event"))  # type: ignore[attr-defined]
    lot.movements_list = list(lot.movements.all())  # type: ignore[attr-defined]
    return lot


@router.get("/custody/lots/{int:lot_id}/upstream", response=TraceOut, summary="Origins of a lot")
def lot_upstream(request: AuthenticatedRequest, lot_id: int) -> HttpResponse:
    """The origin lots (mines, collection points, recycled input) with mass fractions.

    ``fraction`` is the share of the lot's mass from each origin; ``by_country`` and ``by_type``
    add them up by the origin facility's country and by artisanal / industrial / collection
    point / recycled / unknown.
    """
    lot = get_for_member(Lot.objects.all(), request.auth, pk=lot_id)
    return _trace_response(trace.upstream(lot))


@router.get("/custody/lots/{int:lot_id}/chain", response=ChainOut, summary="Custody chain of a lot")
def lot_chain(request: AuthenticatedRequest, lot_id: int) -> HttpResponse:
    """The lots upstream of this one and the custody edges between them, with mass fractions.

    The graph the lot page draws: ``fraction`` is the share of this lot that passed through
    each lot or along each edge (the product of ``share`` along the way, summed over paths).
    At most ``limit`` lots, the nearest first (``truncated`` says when more exist).
    """
    lot = get_for_member(Lot.objects.all(), request.auth, pk=lot_id)
    return JsonResponse(queries.chain_out(lot), encoder=DjangoJSONEncoder)


@router.get(
    "/custody/lots/{int:lot_id}/downstream", response=TraceOut, summary="Products made from a lot"
)
def lot_downstream(request: AuthenticatedRequest, lot_id: int) -> HttpResponse:
    """Every end lot made with material of this lot, with the share of it that came from it."""
    lot = get_for_member(Lot.objects.all(), request.auth, pk=lot_id)
    return _trace_response(trace.downstream([lot]))


@router.get(
    "/custody/facilities/{int:facility_id}/downstream",
    response=TraceOut,
    summary="Products exposed to a mine or collection point",
)
def facility_downstream(
    request: AuthenticatedRequest, facility_id: int
) -> HttpResponse | dict[str, Any]:
    """Every end lot of your organisation made with material from lots of this facility."""
    member = request.auth
    _facility, lots = queries.facility_lots(member, facility_id)
    if not lots:
        return {"lot_id": None, "shares": [], "by_country": {}, "by_type": {}}
    return _trace_response(trace.downstream(lots))


@router.get("/custody/flags", response=list[FlagOut], summary="Mass-balance flags")
@paginate(Pagination)
def list_flags(
    request: AuthenticatedRequest, facility_id: int | None = None
) -> QuerySet[CustodyFlag]:
    """Flags raised on your lots (over-yield, over-shipment, over-consumption, receipt)."""
    flags = queries.flags_for(request.auth)
    if facility_id is not None:
        flags = flags.filter(facility_id=facility_id)
    return flags


def _trace_response(found: trace.Trace) -> HttpResponse:
    """A trace as JSON, written directly: the shares are plain data built by the query, and
    validating hundreds of them through the response schema cost more than the walk (measured:
    ~15 of ~18 ms per trace of 125 origins). The schema (TraceOut) still documents the answer.
    """
    return JsonResponse(queries.shares_out(found), encoder=DjangoJSONEncoder)
