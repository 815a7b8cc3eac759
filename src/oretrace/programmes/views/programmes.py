"""Pages of the programmes app.

Every member of the owning organisation (and of an organisation it shared the programme with,
such as a donor) reads the programme, its villages, their monitoring and the indicators
computed from the cases; compliance officers and case workers set it up and record visits.
Children's cases are pages for case workers only: to anyone else a case does not exist (404).
"""

from __future__ import annotations

from typing import Any

from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation

from oretrace.core.models import Membership
from oretrace.core.requests import AuthenticatedRequest
from oretrace.core.tenancy import get_for_member, scope_to_member
from oretrace.ledger.queries import public_url
from oretrace.programmes import catalogue, disclosure, forms, queries
from oretrace.programmes.choices import IloArea
from oretrace.programmes.list_exports import (
    FIGURES_EXPORT,
    OFFERS_EXPORT,
    PROGRAMMES_EXPORT,
    REPORTS_EXPORT,
)
from oretrace.programmes.models import ChildCase, Programme, Village
from oretrace.programmes.permissions import (
    can_handle_child_cases,
    can_issue_reports,
    can_offer_support,
    can_run_programmes,
)
from oretrace.programmes.records import RECORD as REPORT_RECORD
from oretrace.programmes.services import cases as case_services
from oretrace.programmes.services import monitoring, setup
from oretrace.programmes.services import reports as report_services
from oretrace.programmes.services import support as support_services
from oretrace.programmes.services.setup import NEARBY_KINDS
from oretrace.registry.models import Facility
from oretrace.traceability.queries import lots_for
from oretrace.web.views import (
    errors_as_messages,
    errors_on_form,
    member_required,
    requires,
    sent_form,
)


@member_required
def programme_list(request: AuthenticatedRequest, member: Membership) -> HttpResponse:
    found = (
        queries.programmes_for(member)
        .select_related("organisation")
        .annotate(village_count=Count("villages"))
        .order_by("name", "pk")
    )
    if (download := PROGRAMMES_EXPORT.response(request, found)) is not None:
        return download
    return render(
        request,
        "programmes/programme_list.html",
        {
            "programmes": found,
            "may_run": can_run_programmes(member),
        },
    )


@member_required
@requires(can_run_programmes)
def programme_new(request: AuthenticatedRequest, member: Membership) -> HttpResponse:
    form = forms.ProgrammeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_on_form(form):
            programme = setup.create_programme(actor=member, **form.cleaned_data)
            return redirect("programmes:programme", programme_id=programme.pk)
    return render(request, "programmes/programme_new.html", {"form": form})


def _setup_forms(programme: Programme, data: Any, do: str) -> dict[str, Any]:
    language = translation.get_language() or "en"

    def bound(name: str) -> Any:
        return data if do == name else None

    return {
        "village": forms.VillageForm(bound("village"), prefix="village"),
        "target": forms.TargetForm(
            bound("target"),
            prefix="target",
            indicator_set=catalogue.latest(programme.indicator_set),
            language=language,
        ),
        "period": forms.PeriodForm(bound("period"), prefix="period"),
    }


@member_required
@requires(can_run_programmes)
def programme_detail(
    request: AuthenticatedRequest, member: Membership, programme_id: int
) -> HttpResponse:
    """A programme: its villages, targets, periods and trends; setting it up."""
    programme = queries.programme_for(member, programme_id)
    do = sent_form(request)
    setup_forms = _setup_forms(programme, request.POST, do)
    form = setup_forms.get(do)
    if form is not None and form.is_valid():
        with errors_on_form(form) as tried:
            if do == "village":
                setup.add_village(programme, actor=member, **form.cleaned_data)
            elif do == "target":
                setup.set_target(programme, actor=member, **form.cleaned_data)
            else:
                setup.add_period(programme, actor=member, **form.cleaned_data)
        if not tried.error:
            return redirect("programmes:programme", programme_id=programme.pk)
    language = translation.get_language() or "en"
    indicator_set = catalogue.latest(programme.indicator_set)
    areas = dict(IloArea.choices)
    return render(
        request,
        "programmes/programme_detail.html",
        {
            "programme": programme,
            "areas": [areas[a] for a in programme.areas if a in areas],
            "indicator_set": indicator_set,
            "set_title": indicator_set.title(language) if indicator_set else "",
            "villages": programme.villages.prefetch_related("facilities"),
            "targets": programme.targets.all(),
            "periods": programme.periods.all(),
            "trends": queries.trends(programme, language=language),
            "forms": setup_forms,
            "may_run": can_run_programmes(member)
            and member.organisation_id == programme.organisation_id,
            "may_handle_cases": can_handle_child_cases(member),
        },
    )


def _nearby(member: Membership, village: Village) -> list[tuple[int, str]]:
    found = scope_to_member(Facility.objects.filter(kind__in=NEARBY_KINDS), member).exclude(
        pk__in=village.facilities.values("pk")
    )
    if village.country_id:
        found = found.filter(country_id=village.country_id)
    return [(f.pk, f.name_latin or f.name) for f in found.order_by("name")[:200]]


@member_required
@requires(can_run_programmes)
def village_detail(
    request: AuthenticatedRequest, member: Membership, village_id: int
) -> HttpResponse:
    """A village: its facilities, trends and monitoring visits; recording a visit."""
    village = queries.village_for(member, village_id)
    programme = village.programme
    language = translation.get_language() or "en"
    indicator_set = catalogue.latest(programme.indicator_set)
    do = sent_form(request)
    link = forms.LinkFacilityForm(
        request.POST if do == "link" else None, prefix="link", facilities=_nearby(member, village)
    )
    visit = (
        forms.VisitForm(
            request.POST if do == "visit" else None,
            prefix="visit",
            indicator_set=indicator_set,
            language=language,
            initial={"visited_on": timezone.localdate()},
        )
        if indicator_set
        else None
    )
    if do == "link" and link.is_valid():
        with errors_on_form(link) as tried:
            facility = scope_to_member(Facility.objects.all(), member).get(
                pk=int(link.cleaned_data["facility"])
            )
            setup.link_facility(village, facility, actor=member)
        if not tried.error:
            return redirect("programmes:village", village_id=village.pk)
    if do == "visit" and visit is not None and visit.is_valid():
        with errors_on_form(visit) as tried:
            monitoring.record_visit(village, actor=member, **visit.visit())
        if not tried.error:
            return redirect("programmes:village", village_id=village.pk)
    visits = [(v, queries.indicator_set_of(v)) for v in queries.visits_of(village)[:30]]
    return render(
        request,
        "programmes/village_detail.html",
        {
            "village": village,
            "programme": programme,
            "facilities": village.facilities.all(),
            "trends": queries.trends(programme, village=village, language=language),
            "visits": visits,
            "follow_ups": queries.follow_ups_in(member, village),
            "language": language[:2],
            "link": link,
            "visit_form": visit,
            "may_run": can_run_programmes(member)
            and member.organisation_id == village.organisation_id,
        },
    )


@member_required
def indicators(
    request: AuthenticatedRequest, member: Membership, programme_id: int
) -> HttpResponse:
    """The indicators computed from the programme's cases, by village and period; no case data."""
    programme = queries.programme_for(member, programme_id)
    rows = queries.figure_rows(programme)
    return FIGURES_EXPORT.download_or_page(
        request, rows, "programmes/indicators.html", {"programme": programme, "rows": rows}
    )


# --- children's cases ---------------------------------------------------------------------------
@member_required
@requires(can_handle_child_cases)
def case_list(request: AuthenticatedRequest, member: Membership, programme_id: int) -> HttpResponse:
    """A programme's children's cases (case workers only), with due and overdue visits; opening
    a new case."""
    programme = queries.programme_for(member, programme_id)
    if not can_handle_child_cases(member) or programme.organisation_id != member.organisation_id:
        return render(request, "programmes/case_list.html", {"programme": programme})
    villages = [(v.pk, v.name) for v in programme.villages.all()]
    form = forms.IdentifyForm(request.POST or None, villages=villages)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with errors_on_form(form):
            case = case_services.identify(
                programme.villages.get(pk=int(data["village"])),
                actor=member,
                source=data["source"],
                **form.identification(),
            )
            return redirect("programmes:case", child_case_id=case.pk)
    overdue = request.GET.get("overdue") == "1"
    found = queries.cases_for(member, programme=programme, overdue=overdue).distinct()
    return render(
        request,
        "programmes/case_list.html",
        {
            "programme": programme,
            "cases": found[:100],
            "may_handle": True,
            "counts": queries.case_counts(member, programme),
            "overdue": overdue,
            "form": form,
        },
    )


def _case_forms(data: Any, do: str) -> dict[str, Any]:
    def bound(name: str) -> Any:
        return data if do == name else None

    today = {"on": timezone.localdate()}
    return {
        "assess": forms.DayForm(bound("assess"), prefix="assess", initial=today),
        "plan": forms.DayForm(bound("plan"), prefix="plan", initial=today),
        "service": forms.ServiceForm(bound("service"), prefix="service"),
        "follow_up": forms.FollowUpForm(bound("follow_up"), prefix="follow_up"),
        "close": forms.DayForm(bound("close"), prefix="close", initial=today),
    }


def _act(case: ChildCase, member: Membership, do: str, data: dict[str, Any]) -> None:
    if do == "assess":
        case_services.assess(case, actor=member, on=data["on"])
    elif do == "plan":
        case_services.make_plan(case, actor=member, on=data["on"])
    elif do == "service":
        case_services.add_service(case, actor=member, **data)
    elif do == "follow_up":
        case_services.record_follow_up(case, actor=member, **data)
    elif do == "close":
        case_services.close(case, actor=member, on=data["on"])


@member_required
def case_detail(
    request: AuthenticatedRequest, member: Membership, child_case_id: int
) -> HttpResponse:
    """One child's case: who the child is (the opening logged), services, follow-ups, actions."""
    case = queries.case_for(member, child_case_id)
    do = sent_form(request)
    action_forms = _case_forms(request.POST, do)
    form = action_forms.get(do)
    if request.method == "POST" and do == "deliver":
        wanted = request.POST.get("service", "")
        service = case.services.filter(pk=int(wanted)).first() if wanted.isdigit() else None
        if service is None:
            raise Http404
        with errors_as_messages(request):
            case_services.deliver_service(service, actor=member, on=timezone.localdate())
        return redirect("programmes:case", child_case_id=case.pk)
    if form is not None and form.is_valid():
        with errors_as_messages(request) as tried:
            _act(case, member, do, form.cleaned_data)
        if not tried.error:
            return redirect("programmes:case", child_case_id=case.pk)
    identity = case_services.read_identity(case, actor=member)
    case.refresh_from_db()
    today = timezone.localdate()
    return render(
        request,
        "programmes/case_detail.html",
        {
            "case": case,
            "identity": identity,
            "services": case.services.all(),
            "follow_ups": case.follow_ups.all(),
            "today": today,
            "forms": action_forms,
            "reads": queries.reads_of(case),
        },
    )


# --- seen from the product: a lot's trace, offers of support ----------------------------------
@member_required
@requires(can_offer_support)
def lot_programmes(request: AuthenticatedRequest, member: Membership, lot_id: int) -> HttpResponse:
    """The programmes working in the villages around a lot's origins: their villages' latest
    monitoring and figures with small cells kept back (no case), and an offer to fund or join.
    A fragment for the lot's page when htmx asks, else a page of its own."""
    lot = get_for_member(lots_for(member), member, pk=lot_id)
    language = translation.get_language() or "en"
    offer_form = forms.OfferForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        wanted = request.POST.get("programme", "")
        programme = queries.programme_on_trace(lot, int(wanted) if wanted.isdigit() else 0)
        if offer_form.is_valid():
            with errors_on_form(offer_form) as tried:
                support_services.offer_support(
                    programme,
                    actor=member,
                    kind=offer_form.cleaned_data["kind"],
                    message=offer_form.cleaned_data["message"],
                )
            if not tried.error:
                return redirect("programmes:lot", lot_id=lot.pk)
    views = queries.programmes_on_trace(member, lot, language=language)
    template = (
        "programmes/_lot_programmes.html"
        if getattr(request, "htmx", False) and request.method == "GET"
        else "programmes/lot_programmes.html"
    )
    return render(
        request,
        template,
        {
            "lot": lot,
            "views": views,
            "offer_form": offer_form,
            "blank_form": forms.OfferForm(),
            "posted": request.POST.get("programme", "") if request.method == "POST" else "",
            "may_offer": can_offer_support(member),
            "threshold": disclosure.THRESHOLD,
            "hidden": disclosure.HIDDEN,
        },
    )


@member_required
@requires(can_run_programmes)
def offer_detail(request: AuthenticatedRequest, member: Membership, offer_id: int) -> HttpResponse:
    """An offer of support: the buyer sees it and the answer; the programme answers it."""
    offer = queries.offer_for(member, offer_id)
    answering = offer.organisation_id == member.organisation_id
    form = forms.AnswerForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        if not answering:
            raise Http404
        if form.is_valid():
            with errors_on_form(form) as tried:
                support_services.answer_offer(
                    offer,
                    actor=member,
                    accept=form.cleaned_data["decision"] == "accept",
                    answer=form.cleaned_data["answer"],
                )
            if not tried.error:
                return redirect("programmes:offer", offer_id=offer.pk)
    return render(
        request,
        "programmes/offer_detail.html",
        {"offer": offer, "form": form, "may_answer": answering and can_run_programmes(member)},
    )


@member_required
def offer_list(
    request: AuthenticatedRequest, member: Membership, programme_id: int
) -> HttpResponse:
    """The offers of support made to a programme (its organisation only; others see none)."""
    programme = queries.programme_for(member, programme_id)
    offers = queries.offers_to(member, programme)
    if (download := OFFERS_EXPORT.response(request, offers)) is not None:
        return download
    return render(request, "programmes/offer_list.html", {"programme": programme, "offers": offers})


# --- donor reports ------------------------------------------------------------------------------
@member_required
@requires(can_issue_reports)
def report_list(
    request: AuthenticatedRequest, member: Membership, programme_id: int
) -> HttpResponse:
    """A programme's donor reports (its organisation and its donors read them); issuing one for
    a reporting period (the programme's organisation)."""
    programme = queries.programme_for(member, programme_id)
    periods = {p.pk: p for p in programme.periods.all()}
    form = forms.ReportForm(
        request.POST if request.method == "POST" else None,
        periods=[(pk, p.label) for pk, p in periods.items()],
    )
    may_issue = can_issue_reports(member) and member.organisation_id == programme.organisation_id
    if request.method == "POST":
        if not may_issue:
            raise Http404
        if form.is_valid():
            period = periods[int(form.cleaned_data["period"])]
            with errors_on_form(form) as tried:
                issued = report_services.issue_report(
                    programme,
                    actor=member,
                    label=period.label,
                    starts_on=period.starts_on,
                    ends_on=period.ends_on,
                    language=(translation.get_language() or "en")[:2],
                )
            if not tried.error:
                return redirect("programmes:report", report_id=issued.pk)
    if (download := REPORTS_EXPORT.response(request, queries.reports_of(programme))) is not None:
        return download
    reports = [
        (r, public_url(REPORT_RECORD, str(r.pk))) for r in queries.reports_of(programme)[:50]
    ]
    return render(
        request,
        "programmes/report_list.html",
        {"programme": programme, "reports": reports, "form": form, "may_issue": may_issue},
    )


@member_required
def report_file(request: AuthenticatedRequest, member: Membership, report_id: int) -> HttpResponse:
    """A donor report's PDF, the very bytes whose SHA-256 the transparency log holds."""
    issued = queries.report_for(member, report_id)
    response = HttpResponse(bytes(issued.document), content_type="application/pdf")
    name = f"donor-report-{issued.programme_id}-{issued.pk}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
