"""Writes of Step-3 plans: adopting one, changing its strategy, reviewing it, closing it, its
measures, indicators, links to improvement plans and escalations to senior management.

Each decision on a plan (adopted, strategy changed, reviewed, closed) writes a
``PlanDecision`` and appends it to the transparency log in the same transaction: its facts
are ids, codes and dates only (``risk.register.records``), never a name or a text. A decision
that sets a next review refuses a date more than six months after it (``reviews``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from django.db import transaction

from oretrace.assessments.models import Assessment, ImprovementAction
from oretrace.core.actors import acting_member, actor_user
from oretrace.core.changelog import log_change, update_and_log
from oretrace.core.choices import ChangeAction
from oretrace.core.models import Membership
from oretrace.ledger import services as ledger
from oretrace.risk.choices import (
    DecisionKind,
    MeasureStatus,
    PlanStatus,
    PlanStrategy,
    RiskStatus,
)
from oretrace.risk.exceptions import RegisterError
from oretrace.risk.models import (
    Escalation,
    Indicator,
    Measure,
    PlanDecision,
    RiskEntry,
    RiskPlan,
)
from oretrace.risk.permissions import can_manage_risks
from oretrace.risk.register.reviews import review_problem
from oretrace.risk.register.services.entries import Actor, set_status


@dataclass
class MeasureInput:
    what: str
    owner: Membership
    due_on: date


@dataclass
class IndicatorInput:
    what: str
    target: Decimal | str
    unit: str = ""
    current: Decimal | str | None = None


def _strategy(strategy: str) -> str:
    if strategy not in PlanStrategy.values:
        raise RegisterError(
            "strategy", f"{strategy!r} is not one of {', '.join(PlanStrategy.values)}"
        )
    return strategy


def _review(decided_on: date, review_on: date | None, field: str = "review_on") -> date:
    if review_on is None:
        raise RegisterError(field, "give the date of the next review")
    problem = review_problem(decided_on, review_on)
    if problem:
        raise RegisterError(field, problem)
    return review_on


def _in_force(plan: RiskPlan) -> None:
    if plan.status != PlanStatus.ADOPTED:
        raise RegisterError("plan", "the plan is closed: it takes no more decisions")


def _decide(
    plan: RiskPlan,
    kind: str,
    *,
    actor: Actor,
    decided_on: date,
    next_review_on: date | None,
    outcome: str = "",
    previous_strategy: str = "",
) -> PlanDecision:
    decision = PlanDecision.objects.create(
        plan=plan,
        kind=kind,
        strategy=plan.strategy,
        previous_strategy=previous_strategy,
        decided_on=decided_on,
        next_review_on=next_review_on,
        outcome=outcome.strip(),
        decided_by=acting_member(actor),
    )
    log_change(decision, action=ChangeAction.CREATE, actor=actor, organisation=plan.organisation)
    ledger.append(decision, actor=actor)
    return decision


@transaction.atomic
def adopt_plan(
    entry: RiskEntry,
    *,
    actor: Actor,
    strategy: str,
    decided_on: date,
    review_on: date | None,
    summary: str = "",
    measures: Sequence[MeasureInput] = (),
    indicators: Sequence[IndicatorInput] = (),
) -> RiskPlan:
    """Adopt the Step-3 plan of a register entry: the risk becomes managed."""
    can_manage_risks.require(actor, organisation_id=entry.organisation_id)
    if RiskPlan.objects.filter(entry=entry).exists():
        raise RegisterError("entry", f"the risk R-{entry.pk} has a plan already")
    if entry.status == RiskStatus.CLOSED:
        raise RegisterError("entry", "the risk is closed: reopen it before planning")
    if decided_on < entry.identified_on:
        raise RegisterError(
            "decided_on",
            f"a plan cannot be decided before its risk was identified "
            f"({entry.identified_on.isoformat()})",
        )
    plan = RiskPlan.objects.create(
        organisation=entry.organisation,
        created_by=actor_user(actor),
        entry=entry,
        strategy=_strategy(strategy),
        summary=summary.strip(),
        decided_on=decided_on,
        review_on=_review(decided_on, review_on),
    )
    log_change(plan, action=ChangeAction.CREATE, actor=actor)
    for measure in measures:
        _add_measure(plan, measure, actor)
    for indicator in indicators:
        _add_indicator(plan, indicator, actor)
    _decide(
        plan, DecisionKind.ADOPTED, actor=actor, decided_on=decided_on, next_review_on=review_on
    )
    set_status(entry, RiskStatus.MANAGED, actor=actor, on=decided_on, note="plan adopted")
    return plan


@transaction.atomic
def change_strategy(
    plan: RiskPlan,
    *,
    actor: Actor,
    strategy: str,
    decided_on: date,
    review_on: date | None,
    outcome: str,
) -> PlanDecision:
    """Change the plan's strategy (e.g. from mitigation to suspension), with the reason."""
    can_manage_risks.require(actor, organisation_id=plan.organisation_id)
    _in_force(plan)
    strategy = _strategy(strategy)
    if strategy == plan.strategy:
        raise RegisterError("strategy", f"the plan's strategy is already {strategy}")
    if not outcome.strip():
        raise RegisterError("outcome", "say why the strategy changes")
    _not_before(plan, decided_on)
    previous = plan.strategy
    update_and_log(
        plan,
        actor=actor,
        strategy=strategy,
        decided_on=decided_on,
        review_on=_review(decided_on, review_on),
    )
    return _decide(
        plan,
        DecisionKind.STRATEGY,
        actor=actor,
        decided_on=decided_on,
        next_review_on=review_on,
        outcome=outcome,
        previous_strategy=previous,
    )


def _not_before(plan: RiskPlan, decided_on: date) -> None:
    if decided_on < plan.decided_on:
        raise RegisterError(
            "decided_on",
            f"a decision cannot predate the plan's last one ({plan.decided_on.isoformat()})",
        )


@transaction.atomic
def review_plan(
    plan: RiskPlan,
    *,
    actor: Actor,
    reviewed_on: date,
    outcome: str,
    next_review_on: date | None,
    indicator_values: dict[int, Decimal | str | None] | None = None,
) -> PlanDecision:
    """Record a review: what it found, the indicators' current values, and the next review
    (at most six months later)."""
    can_manage_risks.require(actor, organisation_id=plan.organisation_id)
    _in_force(plan)
    if not outcome.strip():
        raise RegisterError("outcome", "say what the review found")
    _not_before(plan, reviewed_on)
    next_review_on = _review(reviewed_on, next_review_on, "next_review_on")
    for indicator_id, value in (indicator_values or {}).items():
        indicator = plan.indicators.filter(pk=indicator_id).first()
        if indicator is None:
            raise RegisterError("indicators", f"the plan has no indicator #{indicator_id}")
        update_and_log(
            indicator,
            actor=actor,
            organisation=plan.organisation,
            current=_number(value, "current", optional=True),
        )
    update_and_log(plan, actor=actor, decided_on=reviewed_on, review_on=next_review_on)
    return _decide(
        plan,
        DecisionKind.REVIEWED,
        actor=actor,
        decided_on=reviewed_on,
        next_review_on=next_review_on,
        outcome=outcome,
    )


@transaction.atomic
def close_plan(plan: RiskPlan, *, actor: Actor, closed_on: date, outcome: str) -> PlanDecision:
    """Close the plan (the risk is resolved, or the business relationship ended): the risk
    is closed with it."""
    can_manage_risks.require(actor, organisation_id=plan.organisation_id)
    _in_force(plan)
    if not outcome.strip():
        raise RegisterError("outcome", "say why the plan is closed")
    _not_before(plan, closed_on)
    update_and_log(plan, actor=actor, status=PlanStatus.CLOSED, decided_on=closed_on)
    decision = _decide(
        plan,
        DecisionKind.CLOSED,
        actor=actor,
        decided_on=closed_on,
        next_review_on=None,
        outcome=outcome,
    )
    set_status(plan.entry, RiskStatus.CLOSED, actor=actor, on=closed_on, note=outcome.strip())
    return decision


# --- measures, indicators, links, escalations ------------------------------------------------


def _owner(plan: RiskPlan, owner: Membership | None) -> Membership:
    if owner is None or owner.organisation_id != plan.organisation_id or not owner.is_active:
        raise RegisterError("owner", "the owner must be an active member of the organisation")
    return owner


def _add_measure(plan: RiskPlan, data: MeasureInput, actor: Actor) -> Measure:
    if not data.what.strip():
        raise RegisterError("what", "say what the measure is")
    if data.due_on is None:
        raise RegisterError("due_on", "give the measure's due date")
    measure = Measure.objects.create(
        plan=plan, what=data.what.strip()[:300], owner=_owner(plan, data.owner), due_on=data.due_on
    )
    log_change(measure, action=ChangeAction.CREATE, actor=actor, organisation=plan.organisation)
    return measure


def _number(value: Decimal | str | None, field: str, *, optional: bool = False) -> Decimal | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if optional:
            return None
        raise RegisterError(field, "give a number")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise RegisterError(field, f"{value!r} is not a number") from None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        raise RegisterError(field, f"{value!r} is not a number within range")
    return number


def _required(value: Decimal | str | None, field: str) -> Decimal:
    number = _number(value, field)
    if number is None:  # never: _number refuses an empty value unless optional
        raise RegisterError(field, "give a number")
    return number


def _add_indicator(plan: RiskPlan, data: IndicatorInput, actor: Actor) -> Indicator:
    if not data.what.strip():
        raise RegisterError("what", "say what the indicator measures")
    indicator = Indicator.objects.create(
        plan=plan,
        what=data.what.strip()[:300],
        unit=data.unit.strip()[:40],
        target=_required(data.target, "target"),
        current=_number(data.current, "current", optional=True),
    )
    log_change(indicator, action=ChangeAction.CREATE, actor=actor, organisation=plan.organisation)
    return indicator


@transaction.atomic
def add_measure(plan: RiskPlan, data: MeasureInput, *, actor: Actor) -> Measure:
    """Add a measure to a plan in force: what, its owner (a member), its due date."""
    can_manage_risks.require(actor, organisation_id=plan.organisation_id)
    _in_force(plan)
    return _add_measure(plan, data, actor)


@transaction.atomic
def set_measure_status(measure: Measure, status: str, *, actor: Actor) -> Measure:
    can_manage_risks.require(actor, organisation_id=measure.plan.organisation_id)
    if status not in MeasureStatus.values:
        raise RegisterError("status", f"{status!r} is not one of {', '.join(MeasureStatus.values)}")
    return update_and_log(
        measure, actor=actor, organisation=measure.plan.organisation, status=status
    )


@transaction.atomic
def add_indicator(plan: RiskPlan, data: IndicatorInput, *, actor: Actor) -> Indicator:
    """Add a measurable indicator (what, target, current value) to a plan in force."""
    can_manage_risks.require(actor, organisation_id=plan.organisation_id)
    _in_force(plan)
    return _add_indicator(plan, data, actor)


@transaction.atomic
def link_improvements(
    plan: RiskPlan,
    *,
    actor: Actor,
    assessments: Iterable[Assessment] = (),
    actions: Iterable[ImprovementAction] = (),
) -> RiskPlan:
    """Link improvement plans (assessments the organisation assigned or sees) and their
    actions to the plan."""
    can_manage_risks.require(actor, organisation_id=plan.organisation_id)
    wanted, steps = list(assessments), list(actions)
    if isinstance(actor, Membership):
        seen = set(
            Assessment.objects.for_member(actor)
            .filter(pk__in=[a.pk for a in wanted] + [s.assessment_id for s in steps])
            .values_list("pk", flat=True)
        )
        for assessment in wanted:
            if assessment.pk not in seen:
                raise RegisterError("assessments", f"no assessment #{assessment.pk} you see")
        for step in steps:
            if step.assessment_id not in seen:
                raise RegisterError("actions", f"no improvement action #{step.pk} you see")
    before = {"assessments": list(plan.assessments.values_list("pk", flat=True))}
    plan.assessments.add(*wanted)
    plan.actions.add(*steps)
    log_change(plan, action=ChangeAction.UPDATE, actor=actor, before=before)
    return plan


@transaction.atomic
def escalate(
    plan: RiskPlan, *, actor: Actor, escalated_to: str, escalated_on: date, decision: str
) -> Escalation:
    """Record that the plan went to senior management: to whom, when, what they decided."""
    can_manage_risks.require(actor, organisation_id=plan.organisation_id)
    if not escalated_to.strip():
        raise RegisterError("escalated_to", "say who in senior management took it")
    if not decision.strip():
        raise RegisterError("decision", "say what senior management decided")
    escalation = Escalation.objects.create(
        plan=plan,
        escalated_to=escalated_to.strip()[:200],
        escalated_on=escalated_on,
        decision=decision.strip(),
        recorded_by=acting_member(actor),
    )
    log_change(escalation, action=ChangeAction.CREATE, actor=actor, organisation=plan.organisation)
    return escalation
