"""Pages of the traceability app: captured events and the capture form."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from oretrace.core.models import Membership
from oretrace.core.tenancy import get_for_member
from oretrace.traceability import queries, services
from oretrace.traceability.choices import EventType
from oretrace.traceability.exceptions import CaptureRejected, TraceabilityError
from oretrace.traceability.forms import CaptureForm
from oretrace.traceability.models import EpcisEvent
from oretrace.web.views import member_required

PAGE_FILTERS = ("eventType", "EQ_bizStep", "MATCH_anyEPC")


@member_required
def event_list(request: HttpRequest, member: Membership) -> HttpResponse:
    params = {k: request.GET[k] for k in PAGE_FILTERS if request.GET.get(k)}
    try:
        events = queries.filter_events(member, params).order_by("-event_time", "-id")
    except TraceabilityError as exc:
        messages.error(request, str(exc))
        events = queries.filter_events(member, {}).order_by("-event_time", "-id")
        params = {}
    page = Paginator(events, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "traceability/event_list.html",
        {"page": page, "params": params, "event_types": EventType.choices},
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
            known = result.capture.event_count - stored
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
