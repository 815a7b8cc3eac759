"""API routes of the risk register and its Step-3 plans: the same reads and writes as the
pages, under the same rules. A domain error answers 400 whose detail starts with the field
("review_on: the review must be at most six months after the decision: …"); another
organisation's risk or plan answers 404. Thin: reads in ``queries``, writes in ``services``."""

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from ninja import Query, Router, Status
from ninja.pagination import paginate

from oretrace.core.pagination import Pagination
from oretrace.core.requests import AuthenticatedRequest
from oretrace.risk.models import RiskEntry, RiskPlan
from oretrace.risk.register import queries
from oretrace.risk.register.schemas import (
    CloseIn,
    DecisionOut,
    EntryFilter,
    EntryIn,
    EntryOut,
    EscalationIn,
    EscalationOut,
    IndicatorIn,
    IndicatorOut,
    LinksIn,
    MeasureIn,
    MeasureOut,
    PlanDetail,
    PlanIn,
    PlanOut,
    ReviewIn,
    StatusIn,
    StrategyIn,
)
from oretrace.risk.register.services import entries, plans

router = Router()
TAGS = ["risk register"]


@router.get("/risk/register", response=list[EntryOut], tags=TAGS)
@paginate(Pagination)
def list_register(
    request: AuthenticatedRequest, filters: Query[EntryFilter]
) -> QuerySet[RiskEntry]:
    """The organisation's risk register, newest first, with the page's filters."""
    return queries.entries_for(request.auth, filters.dict())


@router.post("/risk/register", response={201: EntryOut}, tags=TAGS)
def create_entry(request: AuthenticatedRequest, body: EntryIn) -> Status[RiskEntry]:
    """Record an identified risk (compliance officers): what it is about (one of
    ``facility_id``, ``supplier_id``, ``lot_id`` at least), its category, how it was identified
    (``reason`` required when by hand)."""
    member = request.auth
    entry = entries.record_risk(
        actor=member,
        title=body.title,
        category=body.category,
        level=body.level,
        subject=queries.subject_by_ids(member, body.facility_id, body.supplier_id, body.lot_id),
        origin=body.origin,
        origin_reference=body.origin_reference,
        reason=body.reason,
        region_code=body.region_code,
        identified_on=body.identified_on,
    )
    return Status(201, entry)


@router.get("/risk/register/{entry_id}", response=EntryOut, tags=TAGS)
def get_entry(request: AuthenticatedRequest, entry_id: int) -> RiskEntry:
    return queries.entry_for(request.auth, entry_id)


@router.post("/risk/register/{entry_id}/status", response=EntryOut, tags=TAGS)
def change_status(request: AuthenticatedRequest, entry_id: int, body: StatusIn) -> RiskEntry:
    """Open, manage or close a risk by hand (a risk under a plan in force changes with it)."""
    entry = queries.entry_for(request.auth, entry_id)
    return entries.change_status(entry, status=body.status, note=body.note, actor=request.auth)


@router.post("/risk/register/{entry_id}/plan", response={201: PlanDetail}, tags=TAGS)
def adopt_plan(request: AuthenticatedRequest, entry_id: int, body: PlanIn) -> Status[Any]:
    """Adopt the risk's Step-3 plan: strategy, measures, indicators, and the next review at
    most six months after ``decided_on``."""
    member = request.auth
    entry = queries.entry_for(member, entry_id)
    plan = plans.adopt_plan(
        entry,
        actor=member,
        strategy=body.strategy,
        decided_on=body.decided_on,
        review_on=body.review_on,
        summary=body.summary,
        measures=[
            plans.MeasureInput(m.what, queries.owner_by_id(member, m.owner_id), m.due_on)
            for m in body.measures
        ],
        indicators=[
            plans.IndicatorInput(i.what, i.target, i.unit, i.current) for i in body.indicators
        ],
    )
    return Status(201, _detail(plan))


def _detail(plan: RiskPlan) -> dict[str, Any]:
    fields = ("id", "entry_id", "strategy", "status", "summary", "decided_on", "review_on")
    return {
        **{name: getattr(plan, name) for name in fields},
        "measures": list(plan.measures.all()),
        "indicators": list(plan.indicators.all()),
        "decisions": list(plan.decisions.all()),
        "escalations": list(plan.escalations.all()),
        "assessment_ids": list(plan.assessments.values_list("pk", flat=True)),
        "action_ids": list(plan.actions.values_list("pk", flat=True)),
        "corrective_actions": [str(ref) for ref in plan.corrective_actions],
    }


@router.get("/risk/plans", response=list[PlanOut], tags=TAGS)
@paginate(Pagination)
def list_plans(request: AuthenticatedRequest, due: bool = False) -> QuerySet[RiskPlan]:
    """The organisation's plans, soonest review first; ``due=true``: only those whose review
    has come."""
    return queries.plans_for(request.auth, due_by=timezone.localdate() if due else None)


@router.get("/risk/plans/{plan_id}", response=PlanDetail, tags=TAGS)
def get_plan(request: AuthenticatedRequest, plan_id: int) -> dict[str, Any]:
    return _detail(queries.plan_for(request.auth, plan_id))


@router.post("/risk/plans/{plan_id}/reviews", response={201: DecisionOut}, tags=TAGS)
def review_plan(request: AuthenticatedRequest, plan_id: int, body: ReviewIn) -> Status[Any]:
    """Record a review: what it found, indicators' current values, the next review date."""
    plan = queries.plan_for(request.auth, plan_id)
    decision = plans.review_plan(
        plan,
        actor=request.auth,
        reviewed_on=body.reviewed_on,
        outcome=body.outcome,
        next_review_on=body.next_review_on,
        indicator_values={value.id: value.current for value in body.indicators},
    )
    return Status(201, decision)


@router.post("/risk/plans/{plan_id}/strategy", response={201: DecisionOut}, tags=TAGS)
def change_strategy(request: AuthenticatedRequest, plan_id: int, body: StrategyIn) -> Status[Any]:
    plan = queries.plan_for(request.auth, plan_id)
    return Status(201, plans.change_strategy(plan, actor=request.auth, **body.dict()))


@router.post("/risk/plans/{plan_id}/close", response={201: DecisionOut}, tags=TAGS)
def close_plan(request: AuthenticatedRequest, plan_id: int, body: CloseIn) -> Status[Any]:
    plan = queries.plan_for(request.auth, plan_id)
    return Status(201, plans.close_plan(plan, actor=request.auth, **body.dict()))


@router.post("/risk/plans/{plan_id}/measures", response={201: MeasureOut}, tags=TAGS)
def add_measure(request: AuthenticatedRequest, plan_id: int, body: MeasureIn) -> Status[Any]:
    member = request.auth
    plan = queries.plan_for(member, plan_id)
    owner = queries.owner_by_id(member, body.owner_id)
    data = plans.MeasureInput(body.what, owner, body.due_on)
    return Status(201, plans.add_measure(plan, data, actor=member))


@router.post("/risk/plans/{plan_id}/indicators", response={201: IndicatorOut}, tags=TAGS)
def add_indicator(request: AuthenticatedRequest, plan_id: int, body: IndicatorIn) -> Status[Any]:
    plan = queries.plan_for(request.auth, plan_id)
    data = plans.IndicatorInput(body.what, body.target, body.unit, body.current)
    return Status(201, plans.add_indicator(plan, data, actor=request.auth))


@router.post("/risk/plans/{plan_id}/escalations", response={201: EscalationOut}, tags=TAGS)
def escalate(request: AuthenticatedRequest, plan_id: int, body: EscalationIn) -> Status[Any]:
    """Record an escalation to senior management: to whom, when, what they decided."""
    plan = queries.plan_for(request.auth, plan_id)
    return Status(201, plans.escalate(plan, actor=request.auth, **body.dict()))


@router.post("/risk/plans/{plan_id}/links", response=PlanDetail, tags=TAGS)
def link_improvements(request: AuthenticatedRequest, plan_id: int, body: LinksIn) -> dict[str, Any]:
    """Link improvement plans (assessments) and their actions to the plan."""
    member = request.auth
    plan = queries.plan_for(member, plan_id)
    found, steps = queries.improvements_by_ids(member, body.assessment_ids, body.action_ids)
    plans.link_improvements(plan, actor=member, assessments=found, actions=steps)
    return _detail(plan)
