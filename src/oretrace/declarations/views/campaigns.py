"""Pages of campaigns: the list and the form that opens one, the tracking page of a campaign,
the supplier list import, and the public page a supplier's upload link opens (no account).
Thin: reads through tenancy scoping and `queries.campaigns`, writes through `services`."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from oretrace.core.exceptions import OretraceError
from oretrace.core.models import Membership
from oretrace.core.stored_text import StoredText
from oretrace.core.tenancy import get_for_member, visible
from oretrace.core.uploads import read_upload
from oretrace.declarations import list_exports, services, supplier_list
from oretrace.declarations.choices import Family, RequestStatus
from oretrace.declarations.findings import with_text
from oretrace.declarations.models import Campaign, CampaignRequest, Declaration, Supplier
from oretrace.declarations.permissions import can_edit_suppliers, can_run_campaigns
from oretrace.declarations.queries import campaigns as campaign_queries
from oretrace.declarations.services import imports, responses
from oretrace.web.views import chosen_file, errors_as_messages, member_required, requires

# Chart colours per request status (SVG fill attributes: the CSP forbids inline styles).
COLOURS = {
    RequestStatus.REQUESTED: "#9aa5b1",
    RequestStatus.REMINDED: "#f0b429",
    RequestStatus.RECEIVED: "#4098d7",
    RequestStatus.NEEDS_CORRECTION: "#e12d39",
    RequestStatus.ACCEPTED: "#27ab83",
    RequestStatus.DECLINED: "#52606d",
}


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        raise OretraceError(_("%(value)r is not a date (YYYY-MM-DD)") % {"value": value}) from None


def _year(value: str) -> int:
    try:
        return int(value)
    except ValueError:
        raise OretraceError(_("%(value)r is not a year") % {"value": value}) from None


def _int(value: str | None) -> int:
    return int(value) if value and value.isdigit() else 0


def _chosen(member: Membership, values: list[str]) -> list[Supplier]:
    ids = [int(v) for v in values if v.isdigit()]
    return list(visible(Supplier.objects.all(), member).filter(pk__in=ids))


@member_required
@requires(can_run_campaigns)
def campaign_list(request: HttpRequest, member: Membership) -> HttpResponse:
    if request.method == "POST":
        post = request.POST
        with errors_as_messages(request):
            chosen = None if post.get("all") else _chosen(member, post.getlist("suppliers"))
            campaign = services.create_campaign(
                actor=member,
                name=post.get("name", ""),
                family=post.get("family", ""),
                reporting_year=_year(post.get("reporting_year", "")),
                due_date=_date(post.get("due_date", "")),
                message=post.get("message", ""),
                suppliers=chosen,
            )
            sent = campaign.requests.count()
            messages.success(
                request,
                ngettext(
                    "Campaign opened: %(count)s request is being e-mailed.",
                    "Campaign opened: %(count)s requests are being e-mailed.",
                    sent,
                )
                % {"count": sent},
            )
            return redirect("declarations:campaign", campaign_id=campaign.pk)
        return redirect("declarations:campaigns")
    if request.GET.get("export"):
        every = visible(Campaign.objects.all(), member)
        every_rate = [(c, campaign_queries.response_rate(c)) for c in every.iterator()]
        if (download := list_exports.CAMPAIGNS.response(request, every_rate)) is not None:
            return download
    listed = list(visible(Campaign.objects.all(), member)[:200])
    rows = [(c, campaign_queries.response_rate(c)) for c in listed]
    years = sorted({(c.reporting_year, c.family) for c in listed}, reverse=True)
    by_year = [
        (year, family, campaign_queries.year_response_rate(member, family, year))
        for year, family in years
    ]
    return render(
        request,
        "declarations/campaign_list.html",
        {
            "rows": rows,
            "by_year": by_year,
            "families": Family.choices,
            "year": timezone.now().year,
            "suppliers": visible(Supplier.objects.exclude(email=""), member),
            "can_run": can_run_campaigns(member),
        },
    )


def _chart(rate: campaign_queries.ResponseRate) -> list[dict[str, Any]]:
    """Stacked-bar segments of the status counts, in percent of the width."""
    labels = dict(RequestStatus.choices)
    segments, x = [], 0.0
    for status in RequestStatus.values:
        count = rate.counts.get(status, 0)
        width = 100 * count / rate.requested if rate.requested else 0
        segments.append(
            {
                "status": status,
                "label": labels[status],
                "count": count,
                "x": round(x, 3),
                "width": round(width, 3),
                "colour": COLOURS[RequestStatus(status)],
            }
        )
        x += width
    return segments


@member_required
@requires(can_run_campaigns)
def campaign_detail(request: HttpRequest, member: Membership, campaign_id: int) -> HttpResponse:
    campaign = get_for_member(
        Campaign.objects.select_related("owner__user"), member, pk=campaign_id
    )
    if request.method == "POST":
        _act(request, member, campaign)
        return redirect("declarations:campaign", campaign_id=campaign.pk)
    rate = campaign_queries.response_rate(campaign)
    requests = campaign.requests.select_related("supplier", "declaration")
    if (download := list_exports.CAMPAIGN_REQUESTS.response(request, requests)) is not None:
        return download
    asked = {r.supplier_id for r in requests}
    # Declarations that came another way, which the team can record as a supplier's answer.
    candidates: dict[int, list[Declaration]] = {}
    linked = {r.declaration_id for r in requests}
    for d in visible(Declaration.objects.defer("content"), member).filter(
        family=campaign.family, supplier_id__in=asked, superseded_by__isnull=True
    ):
        if d.pk not in linked:
            candidates.setdefault(d.supplier_id, []).append(d)
    rows = [(r, candidates.get(r.supplier_id, [])) for r in requests]
    return render(
        request,
        "declarations/campaign_detail.html",
        {
            "campaign": campaign,
            "rate": rate,
            "chart": _chart(rate),
            "rows": rows,
            "others": [
                s for s in visible(Supplier.objects.exclude(email=""), member) if s.pk not in asked
            ],
            "can_run": can_run_campaigns(member),
            "awaiting": rate.counts["requested"] + rate.counts["reminded"],
        },
    )


def _act(request: HttpRequest, member: Membership, campaign: Campaign) -> None:
    action = request.POST.get("action", "")
    with errors_as_messages(request):
        if action == "remind":
            count = services.send_reminders(campaign, actor=member)
            messages.success(
                request,
                ngettext(
                    "%(count)s reminder is being e-mailed.",
                    "%(count)s reminders are being e-mailed.",
                    count,
                )
                % {"count": count},
            )
        elif action == "close" and request.POST.get("confirm") != "yes":
            messages.error(
                request,
                _("Closing the campaign needs your confirmation: use “Yes, close it” below."),
            )
        elif action == "close":
            services.close_campaign(campaign, actor=member)
            messages.success(request, _("The campaign is closed."))
        elif action == "attach":
            answered = get_for_member(
                campaign.requests.all(), member, pk=_int(request.POST.get("request"))
            )
            declaration = get_for_member(
                Declaration.objects.all(), member, pk=_int(request.POST.get("declaration"))
            )
            services.attach_declaration(answered, declaration=declaration, actor=member)
            messages.success(request, _("The declaration is recorded as the supplier's answer."))
        elif action == "add":
            added = services.add_suppliers(
                campaign,
                suppliers=_chosen(member, request.POST.getlist("suppliers")),
                actor=member,
            )
            messages.success(
                request,
                ngettext(
                    "%(count)s request is being e-mailed.",
                    "%(count)s requests are being e-mailed.",
                    len(added),
                )
                % {"count": len(added)},
            )
        else:
            messages.error(request, _("Unknown action."))


@member_required
@requires(can_edit_suppliers)
def supplier_import(request: HttpRequest, member: Membership) -> HttpResponse:
    if request.method == "POST":
        with errors_as_messages(request):
            upload = chosen_file(request, "file", _("choose a CSV file or an Excel workbook"))
            data = read_upload(upload, limit=supplier_list.MAX_BYTES)
            done = services.import_suppliers(
                data, actor=member, filename=upload.name or "suppliers.csv"
            )
            messages.success(
                request,
                _(
                    "Supplier list imported: %(created)s new, %(updated)s updated, "
                    "%(unchanged)s unchanged."
                )
                % done.as_json(),
            )
            return redirect("declarations:suppliers")
        return redirect("declarations:supplier_import")
    return render(
        request,
        "declarations/campaign_supplier_import.html",
        {"can_edit": can_edit_suppliers(member)},
    )


# --- the public page of an upload link (no account) -------------------------------------------


def _too_large(request: HttpRequest) -> bool:
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return True
    # Room for the form's other fields and the multipart boundaries.
    return length > responses.MAX_RESPONSE_BYTES + 64 * 1024


@never_cache  # the page shows the supplier's files: never kept by a shared cache
@require_http_methods(["GET", "POST"])
def respond(request: HttpRequest, token: str) -> HttpResponse:
    """The page of a supplier's upload link: upload the filled template, or decline."""
    response = _respond(request, token)
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _respond(request: HttpRequest, token: str) -> HttpResponse:
    link = campaign_queries.find_request(token)
    campaign = link.campaign
    context: dict[str, Any] = {
        "link": link,
        "campaign": campaign,
        "organisation": campaign.organisation,
    }
    if not campaign.is_open:
        return render(request, "declarations/campaign_respond_closed.html", context, status=410)
    status = 200
    if request.method == "POST":
        status = _respond_post(request, link, context)
        link.refresh_from_db()
    latest = link.declaration
    context.update(
        {
            "latest": latest,
            "latest_errors": with_text(latest.errors) if latest else [],
            "latest_warnings": with_text(latest.warnings) if latest else [],
            "uploads": [
                {
                    **u,
                    "when": datetime.fromisoformat(u["at"]),
                    "message": StoredText.render(u.get("text"), u["message"]),
                }
                for u in reversed(link.uploads[-20:])
            ],
            "checking": any(u["outcome"] == responses.PENDING for u in link.uploads[-20:]),
            "max_files": responses.MAX_RESPONSE_FILES,
            "max_mb": responses.MAX_RESPONSE_BYTES // (1024 * 1024),
        }
    )
    return render(request, "declarations/campaign_respond.html", context, status=status)


def _respond_post(request: HttpRequest, link: CampaignRequest, context: dict[str, Any]) -> int:
    action = request.POST.get("action", "upload") if not _too_large(request) else "upload"
    try:
        if _too_large(request):
            raise OretraceError(
                _("the upload is larger than %(mb)s MB")
                % {"mb": responses.MAX_RESPONSE_BYTES // (1024 * 1024)}
            )
        if action == "decline":
            responses.decline(link, reason=request.POST.get("reason", ""))
            context["declined"] = True
            return 200
        uploads = request.FILES.getlist("files")
        responses.check_response_limits(link, len(uploads), timezone.now())
        limit = imports.MAX_FILE_BYTES
        # Stored here and parsed by the worker: the page shows the outcome when it is known.
        responses.receive(
            link, [(f.name or "upload.xlsx", read_upload(f, limit=limit)) for f in uploads]
        )
        context["sent"] = len(uploads)
    except OretraceError as exc:
        context["error"] = str(exc)
        return 413 if _too_large(request) else 400
    return 200
