"""``/api/v1/risk/register`` and ``/api/v1/risk/plans``: the web's rules through the API,
domain errors as 400 naming the field, other organisations' objects as 404."""

from __future__ import annotations

import json
from datetime import date, timedelta

import pytest

from oretrace.assessments.tests.factories import AssessmentFactory
from oretrace.core.tests.harness import Reach, Tenancy, tenancy_tests
from oretrace.declarations.tests.factories import SupplierFactory
from oretrace.ledger.models import Leaf
from oretrace.risk.models import RiskEntry, RiskPlan
from oretrace.risk.register.api import router
from oretrace.risk.register.reviews import latest_review

pytestmark = pytest.mark.django_db

# Dates from today: a risk is identified the day the test runs, and a plan cannot be decided
# before it.
TODAY = date.today()  # noqa: DTZ011


def _on(days: int) -> str:
    return (TODAY + timedelta(days=days)).isoformat()


# B's requests on A's risk and plan (``objects_of_a`` in conftest.py), with valid bodies.
DAY, LATER = _on(0), _on(26)
PLANS = "/api/v1/risk/plans/{plan}"
CROSS_ORG = {
    "GET /risk/register/{entry_id}": Reach("/api/v1/risk/register/{entry}"),
    "POST /risk/register/{entry_id}/status": Reach(
        "/api/v1/risk/register/{entry}/status", {"status": "closed", "note": "x"}
    ),
    "POST /risk/register/{entry_id}/plan": Reach(
        "/api/v1/risk/register/{entry}/plan",
        {"strategy": "mitigate", "decided_on": DAY, "review_on": LATER},
    ),
    "GET /risk/plans/{plan_id}": Reach(PLANS),
    "POST /risk/plans/{plan_id}/reviews": Reach(
        PLANS + "/reviews", {"reviewed_on": DAY, "outcome": "x", "next_review_on": LATER}
    ),
    "POST /risk/plans/{plan_id}/strategy": Reach(
        PLANS + "/strategy",
        {"strategy": "suspend", "decided_on": DAY, "review_on": LATER, "outcome": "x"},
    ),
    "POST /risk/plans/{plan_id}/close": Reach(PLANS + "/close", {"closed_on": DAY, "outcome": "x"}),
    "POST /risk/plans/{plan_id}/measures": Reach(
        PLANS + "/measures", {"what": "x", "owner_id": 1, "due_on": LATER}
    ),
    "POST /risk/plans/{plan_id}/indicators": Reach(
        PLANS + "/indicators", {"what": "x", "target": "1"}
    ),
    "POST /risk/plans/{plan_id}/escalations": Reach(
        PLANS + "/escalations", {"escalated_to": "x", "escalated_on": DAY, "decision": "x"}
    ),
    "POST /risk/plans/{plan_id}/links": Reach(PLANS + "/links", {"assessment_ids": []}),
}
# The register and the plans lists, and a new risk: the caller's own organisation's.
OWN_SCOPE = {"GET /risk/register", "POST /risk/register", "GET /risk/plans"}
TENANCY = Tenancy(router, cross_org=CROSS_ORG, own_scope=OWN_SCOPE)
test_every_route_is_covered, test_other_organisation_gets_404 = tenancy_tests(TENANCY)


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


@pytest.fixture
def supplier(org_a):
    return SupplierFactory.create(organisation=org_a, name="Koderma Mica Traders")


@pytest.fixture
def entry_id(api_a, supplier):
    response = _post(
        api_a,
        "/api/v1/risk/register",
        {
            "title": "Forced overtime",
            "category": "forced_labour",
            "supplier_id": supplier.pk,
            "reason": "A worker's grievance",
        },
    )
    assert response.status_code == 201, response.content
    return response.json()["id"]


@pytest.fixture
def plan_id(api_a, entry_id, member_a):
    response = _post(
        api_a,
        f"/api/v1/risk/register/{entry_id}/plan",
        {
            "strategy": "mitigate",
            "decided_on": DAY,
            "review_on": latest_review(TODAY).isoformat(),
            "measures": [{"what": "Audit hours", "owner_id": member_a.pk, "due_on": _on(56)}],
            "indicators": [{"what": "Hours over 60 a week", "target": "0", "current": "12"}],
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["measures"][0]["owner"] == member_a.pk
    assert body["decisions"][0]["kind"] == "adopted"
    return body["id"]


def test_the_register_lists_and_filters(api_a, entry_id):
    listed = api_a.get("/api/v1/risk/register").json()
    assert [item["id"] for item in listed["items"]] == [entry_id]
    assert api_a.get("/api/v1/risk/register?status=closed").json()["items"] == []
    one = api_a.get(f"/api/v1/risk/register/{entry_id}").json()
    assert (one["status"], one["plan_id"]) == ("open", None)


@pytest.mark.parametrize(
    ("category", "whose", "detail"),
    [
        ("slavery", "ours", "category: 'slavery' is not one of"),
        ("bribery", "another organisation's", "supplier_id: no supplier"),
    ],
)
def test_a_bad_entry_answers_400_naming_the_field(api_a, supplier, org_b, category, whose, detail):
    if whose != "ours":
        supplier = SupplierFactory.create(organisation=org_b)
    response = _post(
        api_a,
        "/api/v1/risk/register",
        {"title": "x", "category": category, "supplier_id": supplier.pk, "reason": "r"},
    )
    assert response.status_code == 400
    assert response.json()["detail"].startswith(detail)
    assert not RiskEntry.objects.exists()


def test_a_review_date_past_six_months_answers_400(api_a, entry_id):
    latest = latest_review(TODAY)
    too_late = latest + timedelta(days=1)
    response = _post(
        api_a,
        f"/api/v1/risk/register/{entry_id}/plan",
        {"strategy": "suspend", "decided_on": DAY, "review_on": too_late.isoformat()},
    )
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "review_on: the review must be at most six months after the decision: "
        f"{latest.isoformat()} at the latest, not {too_late.isoformat()}"
    )
    assert response.json()["field"] == "review_on"
    assert not RiskPlan.objects.exists()


def test_reviews_strategy_escalation_and_closing(api_a, plan_id, org_a):
    plan = api_a.get(f"/api/v1/risk/plans/{plan_id}").json()
    indicator = plan["indicators"][0]["id"]
    review = _post(
        api_a,
        f"/api/v1/risk/plans/{plan_id}/reviews",
        {
            "reviewed_on": _on(85),
            "outcome": "Overtime down",
            "next_review_on": _on(235),
            "indicators": [{"id": indicator, "current": "4"}],
        },
    )
    assert review.status_code == 201, review.content
    strategy = _post(
        api_a,
        f"/api/v1/risk/plans/{plan_id}/strategy",
        {
            "strategy": "suspend",
            "decided_on": _on(116),
            "review_on": _on(206),
            "outcome": "Relapse",
        },
    )
    assert strategy.json()["previous_strategy"] == "mitigate"
    escalation = _post(
        api_a,
        f"/api/v1/risk/plans/{plan_id}/escalations",
        {"escalated_to": "CEO", "escalated_on": _on(117), "decision": "Agreed"},
    )
    assert escalation.status_code == 201
    assessment = AssessmentFactory.create(organisation=org_a)
    linked = _post(
        api_a, f"/api/v1/risk/plans/{plan_id}/links", {"assessment_ids": [assessment.pk]}
    )
    assert linked.json()["assessment_ids"] == [assessment.pk]
    closed = _post(
        api_a,
        f"/api/v1/risk/plans/{plan_id}/close",
        {"closed_on": _on(146), "outcome": "Ended the relationship"},
    )
    assert closed.status_code == 201
    plan = api_a.get(f"/api/v1/risk/plans/{plan_id}").json()
    assert [d["kind"] for d in plan["decisions"]] == ["adopted", "reviewed", "strategy", "closed"]
    assert plan["indicators"][0]["current"] == "4.00"
    assert Leaf.objects.filter(record_type="risk.plandecision").count() == 4


def test_plans_due_for_review(api_a, plan_id):
    assert [p["id"] for p in api_a.get("/api/v1/risk/plans").json()["items"]] == [plan_id]
    due = api_a.get("/api/v1/risk/plans?due=true").json()["items"]
    assert due == []  # its review is six months away


def test_another_organisation_gets_404(api_b, entry_id, plan_id):
    assert api_b.get(f"/api/v1/risk/register/{entry_id}").status_code == 404
    assert api_b.get(f"/api/v1/risk/plans/{plan_id}").status_code == 404
    assert api_b.get("/api/v1/risk/register").json()["items"] == []
    response = _post(
        api_b,
        f"/api/v1/risk/plans/{plan_id}/close",
        {"closed_on": _on(146), "outcome": "x"},
    )
    assert response.status_code == 404
    response = _post(
        api_b, f"/api/v1/risk/register/{entry_id}/status", {"status": "closed", "note": "x"}
    )
    assert response.status_code == 404
