"""Pages of the risk register and its Step-3 plans: the register (filters, pages, trends,
CSV/XLSX), one risk with its history, a plan with its decisions, measures, indicators,
links and escalations, the plans due for review, and the risk map. Thin: reads in
``queries``, writes in ``services``."""

from __future__ import annotations

from typing import Any

from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from oretrace.core.models import Membership
from oretrace.core.requests import AuthenticatedRequest
from oretrace.risk.choices import RiskLevel
from oretrace.risk.exceptions import RegisterError
from oretrace.risk.permissions import can_manage_risks
from oretrace.risk.register import charts, forms, queries, riskmap
from oretrace.risk.register.exports import PLANS_EXPORT, REGISTER_EXPORT
from oretrace.risk.register.reviews import latest_review
from oretrace.risk.register.services import entries, plans
from oretrace.web.views import errors_on_form, member_required, requires, sent_form

PAGE = 25


@member_required
def register(request: AuthenticatedRequest, member: Membership) -> HttpResponse:
    form = forms.RegisterFilterForm(request.GET or None)
    filters = form.cleaned_data if form.is_valid() else {}
    found = queries.entries_for(member, filters)
    if (download := REGISTER_EXPORT.response(request, found)) is not None:
        return download
    months = queries.trends(member)
    columns = charts.stacked(
        [(m.month, {"open": m.open, "managed": m.managed, "closed": m.closed}) for m in months]
    )
    return render(
        request,
        "risk/register/list.html",
        {
            "form": form,
            "page": Paginator(found, PAGE).get_page(request.GET.get("page")),
            "query": request.GET.urlencode(),
            "may_manage": can_manage_risks(member),
            "months": months,
            "columns": columns,
            "chart": charts,
        },
    )


@member_required
@requires(can_manage_risks)
def register_new(request: AuthenticatedRequest, member: Membership) -> HttpResponse:
    form = forms.EntryForm(request.POST or None, member=member, initial=request.GET.dict())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with errors_on_form(form):
            entry = entries.record_risk(
                actor=member,
                title=data["title"],
                category=data["category"],
                level=data["level"],
                subject=entries.Subject(data["facility"], data["supplier"], data["lot"]),
                origin=data["origin"],
                origin_reference=data["origin_reference"],
                reason=data["reason"],
                region_code=data["region_code"],
                identified_on=data["identified_on"],
                score=queries.score_by_id(member, data["score"]),
                red_flag=queries.flag_by_id(member, data["red_flag"]),
            )
            return redirect("risk:entry", entry_id=entry.pk)
    return render(
        request,
        "risk/register/entry_form.html",
        {"form": form},
        status=400 if form.errors else 200,
    )


@member_required
@requires(can_manage_risks)
def entry_detail(request: AuthenticatedRequest, member: Membership, entry_id: int) -> HttpResponse:
    entry = queries.entry_for(member, entry_id)
    form = forms.StatusForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with errors_on_form(form):
            entries.change_status(
                entry,
                status=form.cleaned_data["status"],
                note=form.cleaned_data["note"],
                actor=member,
            )
            return redirect("risk:entry", entry_id=entry.pk)
    return render(
        request,
        "risk/register/entry.html",
        {
            "entry": entry,
            "plan": queries.plan_of(entry),
            "history": entry.history.select_related("changed_by__user"),
            "form": form,
            "may_manage": can_manage_risks(member),
        },
        status=400 if form.errors else 200,
    )


@member_required
@requires(can_manage_risks)
def plan_new(request: AuthenticatedRequest, member: Membership, entry_id: int) -> HttpResponse:
    entry = queries.entry_for(member, entry_id)
    existing = queries.plan_of(entry)
    if existing is not None:
        return redirect("risk:plan", plan_id=existing.pk)
    form = forms.PlanForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with errors_on_form(form):
            plan = plans.adopt_plan(
                entry,
                actor=member,
                strategy=data["strategy"],
                summary=data["summary"],
                decided_on=data["decided_on"],
                review_on=data["review_on"],
                measures=_first_measure(data),
                indicators=_first_indicator(data),
            )
            return redirect("risk:plan", plan_id=plan.pk)
    return render(
        request,
        "risk/register/plan_form.html",
        {"entry": entry, "form": form},
        status=400 if form.errors else 200,
    )


def _first_measure(data: dict[str, Any]) -> list[plans.MeasureInput]:
    if not data.get("measure"):
        return []
    return [plans.MeasureInput(data["measure"], data["owner"], data["due_on"])]


def _first_indicator(data: dict[str, Any]) -> list[plans.IndicatorInput]:
    if not data.get("indicator"):
        return []
    return [plans.IndicatorInput(data["indicator"], data["target"], data["unit"], data["current"])]


@member_required
def plan_list(request: AuthenticatedRequest, member: Membership) -> HttpResponse:
    due = request.GET.get("due") == "1"
    found = queries.plans_for(member, due_by=timezone.localdate() if due else None)
    if (download := PLANS_EXPORT.response(request, found)) is not None:
        return download
    return render(
        request,
        "risk/register/plans.html",
        {
            "page": Paginator(found, PAGE).get_page(request.GET.get("page")),
            "query": request.GET.urlencode(),
            "due": due,
            "today": timezone.localdate(),
        },
    )


# What a POST to a plan's page does: its ``do`` names the form and the service.
PLAN_FORMS: dict[str, Any] = {
    "review": forms.ReviewForm,
    "strategy": forms.StrategyForm,
    "close": forms.CloseForm,
    "measure": forms.MeasureForm,
    "measure_status": forms.MeasureStatusForm,
    "indicator": forms.IndicatorForm,
    "escalate": forms.EscalationForm,
    "link": forms.LinkForm,
}
NEEDS_MEMBER = {"measure", "link"}


def _initial(do: str) -> dict[str, Any]:
    """Today's date in a decision's form, and the latest review date it allows."""
    today = timezone.localdate()
    latest = latest_review(today)
    return {
        "review": {"reviewed_on": today, "next_review_on": latest},
        "strategy": {"decided_on": today, "review_on": latest},
        "close": {"closed_on": today},
        "escalate": {"escalated_on": today},
    }.get(do, {})


def _plan_form(do: str, member: Membership, data: Any = None) -> Any:
    form_class = PLAN_FORMS[do]
    if do in NEEDS_MEMBER:
        return form_class(data, member=member, prefix=do)
    return form_class(data, prefix=do, initial=_initial(do))


def _apply(do: str, plan: Any, member: Membership, data: dict[str, Any]) -> None:
    """Carry out the plan form ``do`` through its service."""
    if do == "review":
        plans.review_plan(plan, actor=member, **data)
    elif do == "strategy":
        plans.change_strategy(plan, actor=member, **data)
    elif do == "close":
        plans.close_plan(plan, actor=member, **data)
    elif do == "measure":
        plans.add_measure(plan, plans.MeasureInput(**data), actor=member)
    elif do == "measure_status":
        measure = plan.measures.filter(pk=data["measure"]).first()
        if measure is None:
            raise RegisterError("measure", "the plan has no such measure")
        plans.set_measure_status(measure, data["status"], actor=member)
    elif do == "indicator":
        plans.add_indicator(plan, plans.IndicatorInput(**data), actor=member)
    elif do == "escalate":
        plans.escalate(plan, actor=member, **data)
    elif do == "link":
        plans.link_improvements(plan, actor=member, **data)


@member_required
@requires(can_manage_risks)
def plan_detail(request: AuthenticatedRequest, member: Membership, plan_id: int) -> HttpResponse:
    plan = queries.plan_for(member, plan_id)
    do = sent_form(request)
    bound = None
    if do in PLAN_FORMS:
        bound = _plan_form(do, member, request.POST)
        if bound.is_valid():
            with errors_on_form(bound):
                _apply(do, plan, member, bound.cleaned_data)
                return redirect("risk:plan", plan_id=plan.pk)
    elif request.method == "POST":
        bound = forms.StatusForm(request.POST)  # an unknown action: say so, change nothing
        bound.add_error(None, f"do: {do!r} is not one of {', '.join(PLAN_FORMS)}")
    plan_forms = {name: _plan_form(name, member) for name in PLAN_FORMS}
    if bound is not None and do in PLAN_FORMS:
        plan_forms[do] = bound
    return render(
        request,
        "risk/register/plan.html",
        {
            "plan": plan,
            "entry": plan.entry,
            "decisions": plan.decisions.select_related("decided_by__user"),
            "measures": plan.measures.select_related("owner__user"),
            "indicators": plan.indicators.all(),
            "escalations": plan.escalations.all(),
            "linked_assessments": plan.assessments.select_related("standard", "supplier"),
            "linked_actions": plan.actions.select_related("criterion"),
            "forms": plan_forms,
            "failed": bound,
            "due": plan.review_on <= timezone.localdate(),
            "may_manage": can_manage_risks(member),
        },
        status=400 if bound is not None else 200,
    )


@member_required
def risk_map(request: AuthenticatedRequest, member: Membership) -> HttpResponse:
    rows, editions = queries.risk_map(member)
    picture = riskmap.draw(
        {row.numeric: (row.code, row.level) for row in rows if row.numeric},
        queries.country_labels(),
    )
    legend = [(riskmap.FILLS[level.value], level.label) for level in RiskLevel]
    return render(
        request,
        "risk/register/map.html",
        {
            "rows": rows,
            "editions": editions,
            "picture": picture,
            "legend": legend,
            "unknown_fill": riskmap.FILLS[""],
            "outside_fill": riskmap.OUTSIDE,
        },
    )
