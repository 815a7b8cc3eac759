"""The risk register and Step-3 plans: the six-month rule, strategy changes, reviews,
escalations, the status history, and the ledger records of plan decisions (ids and dates,
never a name or a text)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from functools import partial

import orjson
import pytest

from oretrace.core.choices import Role
from oretrace.core.exceptions import PermissionDenied
from oretrace.core.models import ChangeLogEntry, Notification
from oretrace.core.tests.factories import MembershipFactory
from oretrace.declarations.tests.factories import SupplierFactory
from oretrace.ledger.models import Leaf
from oretrace.ledger.services import facts_of
from oretrace.registry.tests.factories import FacilityFactory
from oretrace.risk.choices import DecisionKind, PlanStatus, RiskStatus
from oretrace.risk.exceptions import RegisterError
from oretrace.risk.models import PlanDecision, RiskStatusChange
from oretrace.risk.register import queries
from oretrace.risk.register.notices import plans_due_for_review
from oretrace.risk.register.reviews import add_months, latest_review, review_problem
from oretrace.risk.register.services import entries, plans
from oretrace.risk.register.services.entries import Subject

pytestmark = pytest.mark.django_db
DECIDED = date(2026, 12, 6)


@pytest.fixture
def officer(org_a):
    member = MembershipFactory.create(organisation=org_a, roles=[Role.COMPLIANCE_OFFICER])
    member.user.full_name = "Priya Officer-Secretname"
    member.user.save()
    return member


@pytest.fixture
def entry(officer, org_a):
    supplier = SupplierFactory.create(organisation=org_a, name="Koderma Mica Traders")
    return entries.record_risk(
        actor=officer,
        title="Child labour at mica collection",
        category="child_labour",
        subject=Subject(supplier=supplier),
        reason="Seen on a site visit",
        identified_on=date(2026, 11, 1),
    )


def _adopt(entry, officer, **changes):
    values = {
        "strategy": "mitigate",
        "decided_on": DECIDED,
        "review_on": date(2027, 6, 6),
        "measures": [plans.MeasureInput("Visit the collection points", officer, date(2027, 1, 31))],
        "indicators": [plans.IndicatorInput("Children found at work", "0", "children", "4")],
    }
    return plans.adopt_plan(entry, actor=officer, **{**values, **changes})


# --- the six-month rule ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2026, 12, 6), date(2027, 6, 6)),
        (date(2026, 8, 31), date(2027, 2, 28)),
        (date(2027, 8, 31), date(2028, 2, 29)),
        (date(2026, 1, 15), date(2026, 7, 15)),
    ],
)
def test_the_latest_review_is_six_calendar_months_later(day, expected):
    assert latest_review(day) == expected


def test_add_months_goes_back_across_a_year():
    assert add_months(date(2026, 2, 28), -3) == date(2025, 11, 28)


def test_review_problem_names_the_latest_date():
    assert review_problem(DECIDED, date(2027, 6, 6)) is None
    assert "2027-06-06 at the latest, not 2027-06-07" in str(
        review_problem(DECIDED, date(2027, 6, 7))
    )
    assert "after the decision" in str(review_problem(DECIDED, DECIDED))


def test_a_plan_with_a_review_past_six_months_is_refused(entry, officer):
    with pytest.raises(RegisterError, match=r"review_on: .*2027-06-06 at the latest") as caught:
        _adopt(entry, officer, review_on=date(2027, 6, 7))
    assert caught.value.field == "review_on"
    assert PlanDecision.objects.count() == 0
    entry.refresh_from_db()
    assert entry.status == RiskStatus.OPEN


# --- the register ----------------------------------------------------------------------------


def _our_supplier(org_a, org_b):
    return Subject(supplier=SupplierFactory.create(organisation=org_a))


@pytest.mark.parametrize(
    ("who", "subject", "reason", "refusal", "says"),
    [
        ("officer", _our_supplier, "", RegisterError, "reason: say why"),
        ("officer", lambda a, b: Subject(), "r", RegisterError, "subject: name the facility"),
        (
            "officer",
            lambda a, b: Subject(facility=FacilityFactory.create(organisation=b)),
            "r",
            RegisterError,
            "facility: no facility",
        ),
        ("viewer_a", _our_supplier, "r", PermissionDenied, "keep the risk register"),
    ],
    ids=["no reason by hand", "no subject", "another's facility", "a viewer"],
)
def test_a_risk_is_refused_without_reason_seen_subject_or_role(
    request, org_a, org_b, who, subject, reason, refusal, says
):
    with pytest.raises(refusal, match=says):
        entries.record_risk(
            actor=request.getfixturevalue(who),
            title="x",
            category="bribery",
            subject=subject(org_a, org_b),
            reason=reason,
        )


def test_a_risk_takes_its_subjects_country(officer, org_a):
    facility = FacilityFactory.create(organisation=org_a, country_id="CD")
    entry = entries.record_risk(
        actor=officer,
        title="Armed group taxation",
        category="armed_groups",
        subject=Subject(facility=facility),
        origin="red_flag",
        origin_reference="red flag #4",
        region_code="cd-nk",
    )
    assert (entry.country_id, entry.region_code) == ("CD", "CD-NK")
    assert list(entry.history.values_list("status", flat=True)) == ["open"]
    assert ChangeLogEntry.objects.filter(object_id=str(entry.pk)).exists()


def test_managed_needs_a_plan_and_closing_needs_a_reason(entry, officer):
    with pytest.raises(RegisterError, match="status: a risk is managed under a plan"):
        entries.change_status(entry, status="managed", actor=officer)
    with pytest.raises(RegisterError, match="note: say why"):
        entries.change_status(entry, status="closed", actor=officer)
    entries.change_status(entry, status="closed", actor=officer, note="supplier left")
    entries.change_status(entry, status="open", actor=officer, note="back")
    assert list(entry.history.values_list("previous", "status")) == [
        ("", "open"),
        ("open", "closed"),
        ("closed", "open"),
    ]


# --- plans -----------------------------------------------------------------------------------


def test_adopting_a_plan_manages_the_risk_and_writes_a_ledger_record(entry, officer):
    plan = _adopt(entry, officer)
    entry.refresh_from_db()
    assert entry.status == RiskStatus.MANAGED
    assert plan.measures.get().owner == officer
    assert plan.indicators.get().target == Decimal("0")
    decision = plan.decisions.get()
    assert decision.kind == DecisionKind.ADOPTED
    leaf = Leaf.objects.get(record_type="risk.plandecision", record_id=str(decision.pk))
    assert leaf.organisation_id == entry.organisation_id
    assert facts_of(leaf) == {
        "plan": plan.pk,
        "risk": entry.pk,
        "kind": "adopted",
        "strategy": "mitigate",
        "previous_strategy": "",
        "decided_on": "2026-12-06",
        "next_review_on": "2027-06-06",
    }


def test_a_risk_has_one_plan(entry, officer):
    _adopt(entry, officer)
    with pytest.raises(RegisterError, match=r"entry: the risk R-.* has a plan already"):
        _adopt(entry, officer)


def test_changing_strategy_keeps_both_and_the_reason(entry, officer):
    plan = _adopt(entry, officer)
    change = partial(
        plans.change_strategy,
        plan,
        actor=officer,
        decided_on=date(2027, 1, 10),
        review_on=date(2027, 3, 1),
    )
    with pytest.raises(RegisterError, match="strategy: the plan's strategy is already"):
        change(strategy="mitigate", outcome="x")
    with pytest.raises(RegisterError, match="strategy: 'stop' is not one of"):
        change(strategy="stop", outcome="x")
    decision = change(strategy="suspend", outcome="No progress in the first month")
    plan.refresh_from_db()
    assert (plan.strategy, plan.review_on) == ("suspend", date(2027, 3, 1))
    assert (decision.previous_strategy, decision.strategy) == ("mitigate", "suspend")


def test_a_review_records_the_outcome_indicators_and_next_date(entry, officer):
    plan = _adopt(entry, officer)
    indicator = plan.indicators.get()
    review = partial(plans.review_plan, plan, actor=officer, reviewed_on=date(2027, 6, 1))
    with pytest.raises(RegisterError, match=r"next_review_on: .*2027-12-01 at the latest"):
        review(outcome="Better", next_review_on=date(2027, 12, 2))
    with pytest.raises(RegisterError, match="current: 'many' is not a number"):
        review(
            outcome="Better",
            next_review_on=date(2027, 12, 1),
            indicator_values={indicator.pk: "many"},
        )
    decision = review(
        outcome="Two children still at work",
        next_review_on=date(2027, 12, 1),
        indicator_values={indicator.pk: "2"},
    )
    plan.refresh_from_db()
    indicator.refresh_from_db()
    assert plan.review_on == date(2027, 12, 1)
    assert indicator.current == Decimal("2")
    assert decision.outcome == "Two children still at work"


def test_closing_a_plan_closes_the_risk_and_ends_its_decisions(entry, officer):
    plan = _adopt(entry, officer)
    plans.close_plan(plan, actor=officer, closed_on=date(2027, 2, 1), outcome="Remediated")
    plan.refresh_from_db()
    entry.refresh_from_db()
    assert (plan.status, entry.status) == (PlanStatus.CLOSED, RiskStatus.CLOSED)
    with pytest.raises(RegisterError, match="plan: the plan is closed"):
        plans.review_plan(
            plan,
            actor=officer,
            reviewed_on=date(2027, 3, 1),
            outcome="x",
            next_review_on=date(2027, 4, 1),
        )
    kinds = list(plan.decisions.values_list("kind", flat=True))
    assert kinds == ["adopted", "closed"]


def test_a_decision_cannot_predate_the_last_one(entry, officer):
    plan = _adopt(entry, officer)
    with pytest.raises(RegisterError, match="decided_on: a decision cannot predate"):
        plans.close_plan(plan, actor=officer, closed_on=date(2026, 12, 1), outcome="x")


def test_escalation_is_recorded_with_who_when_and_what(entry, officer):
    plan = _adopt(entry, officer)
    with pytest.raises(RegisterError, match="decision: say what senior management decided"):
        plans.escalate(
            plan, actor=officer, escalated_to="COO", escalated_on=date(2027, 1, 5), decision=" "
        )
    escalation = plans.escalate(
        plan,
        actor=officer,
        escalated_to="Chief operating officer",
        escalated_on=date(2027, 1, 5),
        decision="Suspend if no progress by March",
    )
    assert plan.escalations.get() == escalation
    assert escalation.recorded_by == officer


def test_a_measure_owner_must_be_a_member_of_the_organisation(entry, officer, member_b):
    plan = _adopt(entry, officer)
    with pytest.raises(RegisterError, match="owner: the owner must be an active member"):
        plans.add_measure(plan, plans.MeasureInput("x", member_b, date(2027, 1, 1)), actor=officer)


def test_no_personal_data_enters_the_log(entry, officer):
    plan = _adopt(entry, officer)
    plans.review_plan(
        plan,
        actor=officer,
        reviewed_on=date(2027, 6, 1),
        outcome="Met Priya Officer-Secretname and the supplier",
        next_review_on=date(2027, 12, 1),
    )
    for leaf in Leaf.objects.filter(record_type="risk.plandecision"):
        text = orjson.dumps(facts_of(leaf)).decode()
        assert "Secretname" not in text
        assert officer.user.email not in text
        assert "Met " not in text


# --- due for review --------------------------------------------------------------------------


def test_a_plan_due_for_review_is_told_once(entry, officer, django_capture_on_commit_callbacks):
    plan = _adopt(entry, officer)
    before = datetime(2027, 6, 5, 9, tzinfo=UTC)
    on_the_day = datetime(2027, 6, 6, 9, tzinfo=UTC)
    with django_capture_on_commit_callbacks(execute=True):
        assert plans_due_for_review(before) == 0
        assert plans_due_for_review(on_the_day) == 1
    assert plans_due_for_review(on_the_day) == 0  # told already: not again the next day
    told = Notification.objects.get(recipient=officer.user)
    assert told.link == f"/risk/plans/{plan.pk}/"
    assert queries.plans_for(officer, due_by=date(2027, 6, 6)).get() == plan
    assert not queries.plans_for(officer, due_by=date(2027, 6, 5)).exists()


def test_trends_count_each_status_at_each_months_end(entry, officer):
    _adopt(entry, officer)
    months = queries.trends(officer, months=3, today=date(2027, 1, 15))
    assert [(m.month, m.open, m.managed, m.closed) for m in months] == [
        (date(2026, 11, 1), 1, 0, 0),
        (date(2026, 12, 1), 0, 1, 0),
        (date(2027, 1, 1), 0, 1, 0),
    ]
    assert RiskStatusChange.objects.count() == 2


def test_a_plan_cannot_predate_its_risk(entry, officer):
    with pytest.raises(RegisterError, match=r"decided_on: .*identified \(2026-11-01\)"):
        _adopt(entry, officer, decided_on=date(2026, 10, 31), review_on=date(2027, 1, 31))
