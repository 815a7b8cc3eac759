"""Pages of the traceability app: captured events and the capture form."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

import segno
from django.contrib import messages
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from oretrace.core.models import Membership
from oretrace.core.tenancy import get_for_member
from oretrace.ledger import queries as ledger_queries
from oretrace.traceability import queries, recording, services, trace
from oretrace.traceability.exceptions import CaptureRejected, TraceabilityError
from oretrace.traceability.forms import (
    CaptureForm,
    CollectionForm,
    EventFilterForm,
    ProcessingForm,
    ReceiptForm,
    ShipmentForm,
)
from oretrace.traceability.locations import facilities_at
from oretrace.traceability.models import EpcisEvent, Lot
from oretrace.traceability.permissions import can_capture_events
from oretrace.traceability.records import EVENT_RECORD
from oretrace.traceability.templatetags.custody import lot_number, step_name, unit_name
from oretrace.web.exports import Column, ListExport, pdf_download
from oretrace.web.views import member_required, requires

ORIGIN_TYPE_LABELS = {
    trace.ARTISANAL: gettext_lazy("Artisanal mining"),
    trace.INDUSTRIAL: gettext_lazy("Industrial mining"),
    trace.COLLECTION: gettext_lazy("Collection point"),
    trace.RECYCLED: gettext_lazy("Recycled"),
    trace.UNKNOWN: gettext_lazy("Unknown"),
}
PICTURE_LABELS = {
    queries.LOT: gettext_lazy("This lot"),
    queries.INTERMEDIATE: gettext_lazy("Intermediate lot (sorting, processing, shipment)"),
    **ORIGIN_TYPE_LABELS,
}


def _events_export(member: Membership) -> ListExport:
    """The custody events as the list shows them: places by the facility's name."""
    sites: dict[str, str] = {}

    def where(event: EpcisEvent) -> str:
        place = event.biz_location or event.read_point
        if place and place not in sites:
            site = facilities_at({place}, member.organisation_id).get(place)
            sites[place] = f"{site.name} ({site.country_id})" if site else place
        return sites.get(place, "")

    def kind(event: EpcisEvent) -> str:
        shown = event.get_event_type_display()
        return f"{shown} ({event.action})" if event.action else shown

    return ListExport(
        "custody-events",
        (
            Column(gettext_lazy("When"), lambda e: e.event_time),
            Column(gettext_lazy("Type"), kind),
            Column(
                gettext_lazy("Business step"), lambda e: step_name(e.biz_step) if e.biz_step else ""
            ),
            Column(gettext_lazy("Where"), where),
            Column(gettext_lazy("Event hash"), lambda e: e.hash_id),
        ),
    )


def _quantity(lot: Lot) -> str:
    if lot.other_quantity is not None and not lot.quantity_kg:
        return f"{lot.other_quantity.normalize():f} {unit_name(lot.other_unit)}"
    return f"{lot.quantity_kg.normalize():f} kg" if lot.quantity_kg is not None else ""


def _remaining(lot: Lot) -> str:
    if lot.other_quantity is not None and not lot.quantity_kg:
        return ""
    return f"{lot.remaining_kg.normalize():f} kg" if lot.remaining_kg is not None else ""


LOTS_EXPORT = ListExport(
    "lots",
    (
        Column(gettext_lazy("Lot"), lambda lot: lot_number(lot.code)),
        Column(gettext_lazy("Identifier"), lambda lot: lot.code),
        Column(
            gettext_lazy("Facility"),
            lambda lot: lot.facility.name if lot.facility else lot.location,
        ),
        Column(gettext_lazy("Quantity"), _quantity),
        Column(gettext_lazy("Remaining"), _remaining),
        Column(gettext_lazy("Flags"), lambda lot: getattr(lot, "flag_count", 0) or ""),
    ),
)


@member_required
def event_list(request: HttpRequest, member: Membership) -> HttpResponse:
    form = EventFilterForm(request.GET or None)
    params = form.query() if form.is_valid() else {}
    try:
        events = queries.filter_events(member, params).order_by("-event_time", "-id")
    except TraceabilityError as exc:  # an identifier pattern the query refuses
        form.add_error("MATCH_anyEPC", str(exc))
        events = queries.filter_events(member, {}).order_by("-event_time", "-id")
    if (download := _events_export(member).response(request, events)) is not None:
        return download
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    places = {e.biz_location or e.read_point for e in page.object_list}
    return render(
        request,
        "traceability/event_list.html",
        {
            "page": page,
            "form": form,
            "filtered": bool(params),
            "sites": facilities_at(places - {""}, member.organisation_id),
        },
    )


@member_required
def event_detail(request: HttpRequest, member: Membership, event_id: int) -> HttpResponse:
    event = get_for_member(EpcisEvent.objects.select_related("capture"), member, pk=event_id)
    return render(
        request,
        "traceability/event_detail.html",
        {
            "event": event,
            "identifiers": event.identifiers.all(),
            "body": json.dumps(event.body, indent=2, ensure_ascii=False),
        },
    )


@member_required
@requires(can_capture_events)
def capture(request: HttpRequest, member: Membership) -> HttpResponse:
    form = CaptureForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            result = services.capture_document(
                form.cleaned_data["document"], organisation=member.organisation, actor=member
            )
        except CaptureRejected as exc:
            problems = exc.problems
            form.add_error(None, str(exc))
        except TraceabilityError as exc:
            form.add_error(None, str(exc))
        else:
            stored = result.capture.new_count
            known = result.capture.known_count
            messages.success(
                request,
                ngettext(
                    "%(stored)d new event stored (%(known)d already known).",
                    "%(stored)d new events stored (%(known)d already known).",
                    stored,
                )
                % {"stored": stored, "known": known},
            )
            return redirect("traceability:events")
    return render(
        request,
        "traceability/capture.html",
        {"form": form, "problems": problems, "title": _("Capture EPCIS events")},
    )


@member_required
def lot_list(request: HttpRequest, member: Membership) -> HttpResponse:
    lots = queries.lots_for(member).order_by("-id")
    flagged = request.GET.get("flagged") == "1"
    if flagged:
        lots = lots.filter(flag_count__gt=0)  # type: ignore[misc]  # annotated in lots_for
    if (download := LOTS_EXPORT.response(request, lots.select_related("facility"))) is not None:
        return download
    page = Paginator(lots, 50).get_page(request.GET.get("page"))
    return render(request, "traceability/lot_list.html", {"page": page, "flagged": flagged})


@member_required
def lot_detail(request: HttpRequest, member: Membership, lot_id: int) -> HttpResponse:
    lot = get_for_member(queries.lots_for(member), member, pk=lot_id)
    return render(request, "traceability/lot_detail.html", _lot_context(member, lot))


@member_required
def lot_report(request: HttpRequest, member: Membership, lot_id: int) -> HttpResponse:
    """The lot's chain of custody and origins for a customer: a page, or a PDF to send.

    Each custody event carries its public verification link (and QR code): the customer checks
    it against the transparency log without an account and without trusting us.
    """
    lot = get_for_member(queries.lots_for(member), member, pk=lot_id)
    events, more = queries.chain_events(lot, limit=REPORT_EVENTS)
    context = {
        **_lot_context(member, lot),
        "organisation": member.organisation,
        "issued_at": timezone.now(),
        "events": [(event, *_verification(event)) for event in events],
        "sites": facilities_at(
            {e.biz_location or e.read_point for e in events} - {""}, member.organisation_id
        ),
        "more_events": more,
    }
    if request.GET.get("format") != "pdf":
        return render(request, "traceability/lot_report.html", context)
    name = slugify(lot.code.rsplit(":", 1)[-1])[:60] or str(lot.pk)
    return pdf_download(
        request, "traceability/lot_report.html", context, f"chain-of-custody-{name}.pdf"
    )


# Events listed in a lot's report (each with a QR code); past it the report says how many more.
REPORT_EVENTS = 40


def _verification(event: EpcisEvent) -> tuple[str, str]:
    """The event's public verification URL and its QR code (an SVG data URI, drawn here)."""
    url = ledger_queries.public_url(EVENT_RECORD, str(event.pk))
    return url, segno.make(url, error="m").svg_data_uri(scale=2, border=1, dark="#1b1f24")


def _lot_context(member: Membership, lot: Lot) -> dict[str, Any]:
    found = trace.upstream(lot)
    origins = queries.shares_out(found)
    for share in origins["shares"]:
        share["type_label"] = ORIGIN_TYPE_LABELS[share["origin_type"]]
        share["percent"] = _percent(share["fraction"])
    products = queries.shares_out(trace.downstream([lot]))
    for share in products["shares"]:
        share["percent"] = _percent(share["fraction"])
    chain = queries.chain_figure(lot)
    origins_map = queries.origins_figure(found)
    movements = list(lot.movements.select_related("facility", "event"))
    named = facilities_at({m.counterpart for m in movements}, member.organisation_id)
    for movement in movements:
        movement.counterpart_facility = named.get(movement.counterpart)  # type: ignore[attr-defined]
    return {
        "lot": lot,
        "origins": origins,
        "products": [p for p in products["shares"] if p["lot_id"] != lot.pk],
        "flags": lot.flags.select_related("event", "facility"),
        "movements": movements,
        "by_country": [(c, _percent(f)) for c, f in origins["by_country"].items()],
        "by_type": [(ORIGIN_TYPE_LABELS[t], _percent(f)) for t, f in origins["by_type"].items()],
        "chain": chain,
        "chain_legend": [(k, PICTURE_LABELS[k]) for k in chain.kinds],
        "origins_map": origins_map,
        "map_legend": [(k, PICTURE_LABELS[k]) for k in origins_map.kinds],
    }


def _percent(fraction: float) -> str:
    return f"{fraction * 100:.1f}"


# --- recording custody on a form (recording.py builds and captures the events) ---------------

# From a valid form's data: the event to capture and the code of the lot it concerns.
_RecordForm = CollectionForm | ProcessingForm | ShipmentForm | ReceiptForm
Builder = Callable[[dict[str, Any], Membership], tuple[dict[str, Any], str]]


@member_required
def record(request: HttpRequest, member: Membership) -> HttpResponse:
    return render(
        request,
        "traceability/record.html",
        {"can_record": can_capture_events(member)},
    )


def _recorded(request: HttpRequest, result: recording.Recorded) -> HttpResponse:
    if result.new:
        messages.success(request, _("Recorded. The event is in the custody history."))
    else:
        messages.info(request, _("This was recorded before; nothing was stored twice."))
    for flag in result.flags:
        messages.error(request, _("Mass-balance flag: %(message)s") % {"message": flag.message})
    return redirect("traceability:lot", result.lot.pk)


def _record_page(
    request: HttpRequest,
    member: Membership,
    form_class: type[_RecordForm],
    title: str,
    build: Builder,
) -> HttpResponse:
    form = form_class(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():  # numbering a new lot and recording it are one step
                event, code = build(form.cleaned_data, member)
                result = recording.record(event, lot_code=code, member=member)
            return _recorded(request, result)
        except CaptureRejected as exc:
            form.add_error(None, "; ".join(str(p) for p in exc.problems) or str(exc))
        except TraceabilityError as exc:
            form.add_error(None, str(exc))
    return render(request, "traceability/record_form.html", {"form": form, "title": title})


def _new_code(member: Membership, number: str, when: datetime) -> str:
    return recording.lot_uri(
        member.organisation, number or recording.next_lot_number(member.organisation, when)
    )


def _collection(data: dict[str, Any], member: Membership) -> tuple[dict[str, Any], str]:
    code = _new_code(member, data["lot"], data["when"])
    event = recording.collection_event(
        facility=data["facility"],
        when=data["when"],
        lot=code,
        amount=data["quantity"],
        unit=data["unit"],
        recycled=data["recycled"],
    )
    return event, code


def _processing(data: dict[str, Any], member: Membership) -> tuple[dict[str, Any], str]:
    code = _new_code(member, data["output_lot"], data["when"])
    event = recording.processing_event(
        facility=data["facility"],
        when=data["when"],
        process=data["process"],
        inputs=data["inputs"],
        output=code,
        amount=data["output_quantity"],
        unit=data["output_unit"],
    )
    return event, code


def _shipment(data: dict[str, Any], member: Membership) -> tuple[dict[str, Any], str]:
    lot = data["lot"]
    event = recording.shipment_event(
        lot=lot,
        amount=data["quantity"] if data["quantity"] is not None else lot.remaining_kg,
        origin=data["origin"],
        destination=data["destination"],
        when=data["when"],
    )
    return event, lot.code


def _receipt(data: dict[str, Any], member: Membership) -> tuple[dict[str, Any], str]:
    shipment = data["shipment"]
    event = recording.receipt_event(
        shipment=shipment, amount=data["quantity"], facility=data["facility"], when=data["when"]
    )
    return event, shipment.lot.code


# Each "record" page: its form, its title and how it builds the EPCIS event from the form.
_RECORD_PAGES: dict[str, tuple[type[_RecordForm], Promise, Builder]] = {
    "collection": (CollectionForm, gettext_lazy("Record a collection"), _collection),
    "processing": (ProcessingForm, gettext_lazy("Record processing"), _processing),
    "shipment": (ShipmentForm, gettext_lazy("Record a shipment"), _shipment),
    "receipt": (ReceiptForm, gettext_lazy("Record a receipt"), _receipt),
}

RECORD_KINDS = tuple(_RECORD_PAGES)


@member_required
@requires(can_capture_events)
def record_event(request: HttpRequest, member: Membership, kind: str) -> HttpResponse:
    """One of the "record" pages (``kind``: collection, processing, shipment or receipt)."""
    form_class, title, build = _RECORD_PAGES[kind]
    return _record_page(request, member, form_class, str(title), build)
