"""The register's and the plans' pages: forms (and their errors on the field), the plan's
actions, the dashboard, the map, the trends, the download, and other organisations."""

from __future__ import annotations

import csv
import io
import re
from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from oretrace.core.tests.fixtures import web_client
from oretrace.declarations.tests.factories import SupplierFactory
from oretrace.registry.tests.factories import FacilityFactory
from oretrace.risk.models import PlanDecision, RiskEntry, RiskPlan
from oretrace.risk.register.reviews import latest_review
from oretrace.risk.register.services import entries, plans
from oretrace.risk.tests.factories import ConflictAreaFactory, EditionFactory
from oretrace.web.tests.test_svg_numbers import svg_number_problems

pytestmark = pytest.mark.django_db


@pytest.fixture
def supplier(org_a):
    return SupplierFactory.create(organisation=org_a, name="Koderma Mica Traders", country_id="IN")


@pytest.fixture
def entry(member_a, supplier):
    return entries.record_risk(
        actor=member_a,
        title="Children at the collection point",
        category="child_labour",
        subject=entries.Subject(supplier=supplier),
        reason="Seen on a visit",
    )


@pytest.fixture
def plan(entry, member_a):
    today = timezone.localdate()
    return plans.adopt_plan(
        entry,
        actor=member_a,
        strategy="mitigate",
        decided_on=today,
        review_on=latest_review(today),
        measures=[plans.MeasureInput("Visit", member_a, today + timedelta(days=30))],
        indicators=[plans.IndicatorInput("Children at work", "0", "children", "3")],
    )


def test_the_register_lists_filters_and_draws_trends(web_a, entry):
    response = web_a.get(reverse("risk:register"))
    html = response.content.decode()
    assert response.status_code == 200
    assert f'R-{entry.pk} <span translate="no">Children at the collection point</span>' in html
    count, problems = svg_number_problems(html)
    assert count >= 1
    assert problems == []
    filtered = web_a.get(reverse("risk:register"), {"status": "closed"}).content.decode()
    assert "Children at the collection point" not in filtered


def test_the_register_downloads_as_csv(web_a, entry, plan):
    response = web_a.get(reverse("risk:register"), {"export": "csv"})
    assert response.status_code == 200
    body = b"".join(response.streaming_content) if response.streaming else response.content
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Risk", "Title", "Category"]
    assert rows[1][:2] == [f"R-{entry.pk}", "Children at the collection point"]
    assert rows[1][-2] == "Continue trading while mitigating"
    xlsx = web_a.get(reverse("risk:register"), {"export": "xlsx", "status": "managed"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_recording_a_risk_on_the_page(web_a, supplier):
    response = web_a.post(
        reverse("risk:register_new"),
        {
            "title": "Bribery at the border",
            "category": "bribery",
            "level": "medium",
            "supplier": supplier.pk,
            "origin": "manual",
            "reason": "An auditor's note",
        },
    )
    entry = RiskEntry.objects.get(title="Bribery at the border")
    assert response.status_code == 302
    assert response["Location"] == reverse("risk:entry", args=[entry.pk])


def test_a_risk_without_reason_is_refused_on_the_page(web_a, supplier):
    response = web_a.post(
        reverse("risk:register_new"),
        {"title": "x", "category": "bribery", "level": "low", "supplier": supplier.pk},
    )
    assert response.status_code == 400
    assert not RiskEntry.objects.exists()
    response = web_a.post(
        reverse("risk:register_new"),
        {
            "title": "x",
            "category": "bribery",
            "level": "low",
            "supplier": supplier.pk,
            "origin": "manual",
        },
    )
    assert response.status_code == 400
    assert "reason: say why this risk is entered by hand" in response.content.decode()


def test_creating_a_plan_refuses_a_review_past_six_months_on_its_field(web_a, entry):
    today = timezone.localdate()
    body = {
        "strategy": "mitigate",
        "decided_on": today.isoformat(),
        "review_on": (latest_review(today) + timedelta(days=1)).isoformat(),
    }
    response = web_a.post(reverse("risk:plan_new", args=[entry.pk]), body)
    html = response.content.decode()
    assert response.status_code == 400
    assert "at most six months after the decision" in html
    assert re.search(r"id_review_on.*?field-error", html, re.DOTALL)
    assert not RiskPlan.objects.exists()


def test_creating_a_plan_on_the_page(web_a, entry, member_a):
    today = timezone.localdate()
    response = web_a.post(
        reverse("risk:plan_new", args=[entry.pk]),
        {
            "strategy": "suspend",
            "decided_on": today.isoformat(),
            "review_on": latest_review(today).isoformat(),
            "measure": "Stop purchases",
            "owner": member_a.pk,
            "due_on": today.isoformat(),
            "indicator": "Purchases",
            "target": "0",
        },
    )
    plan = RiskPlan.objects.get()
    assert response["Location"] == reverse("risk:plan", args=[plan.pk])
    assert plan.measures.get().what == "Stop purchases"
    page = web_a.get(reverse("risk:plan", args=[plan.pk])).content.decode()
    assert "Suspend trading temporarily" in page
    assert web_a.get(reverse("risk:plan_new", args=[entry.pk]))["Location"].endswith(
        f"/plans/{plan.pk}/"
    )


@pytest.mark.parametrize(
    ("do", "body", "check"),
    [
        (
            "escalate",
            {"escalated_to": "COO", "escalated_on": "2026-12-10", "decision": "Go on"},
            lambda plan: plan.escalations.count() == 1,
        ),
        ("indicator", {"what": "Wages paid", "target": "100"}, lambda p: p.indicators.count() == 2),
        (
            "strategy",
            {
                "strategy": "disengage",
                "decided_on": "{today}",
                "review_on": "{soon}",
                "outcome": "x",
            },
            lambda plan: plan.strategy == "disengage",
        ),
        (
            "review",
            {"reviewed_on": "{today}", "outcome": "Fine", "next_review_on": "{soon}"},
            lambda plan: plan.decisions.filter(kind="reviewed").exists(),
        ),
        (
            "close",
            {"closed_on": "{today}", "outcome": "Done"},
            lambda plan: plan.status == "closed" and plan.entry.status == "closed",
        ),
    ],
)
def test_the_plans_actions(web_a, plan, do, body, check):
    today = timezone.localdate()
    values = {"today": today.isoformat(), "soon": (today + timedelta(days=30)).isoformat()}
    data = {f"{do}-{k}": v.format(**values) for k, v in body.items()}
    response = web_a.post(reverse("risk:plan", args=[plan.pk]), {"do": do, **data})
    assert response.status_code == 302, response.content.decode()[:2000]
    plan.refresh_from_db()
    assert check(plan)


def test_a_review_too_late_is_refused_on_the_plans_page(web_a, plan):
    today = timezone.localdate()
    response = web_a.post(
        reverse("risk:plan", args=[plan.pk]),
        {
            "do": "review",
            "review-reviewed_on": today.isoformat(),
            "review-outcome": "ok",
            "review-next_review_on": (today + timedelta(days=200)).isoformat(),
        },
    )
    assert response.status_code == 400
    assert "at most six months" in response.content.decode()
    assert PlanDecision.objects.count() == 1


def test_an_unknown_plan_action_changes_nothing(web_a, plan):
    response = web_a.post(reverse("risk:plan", args=[plan.pk]), {"do": "explode"})
    assert response.status_code == 400
    assert "do: &#x27;explode&#x27; is not one of" in response.content.decode()


def test_the_dashboard_shows_plans_due_for_review(web_a, plan):
    dashboard = reverse("web:dashboard")
    assert "plans-due" not in web_a.get(dashboard).content.decode()
    RiskPlan.objects.filter(pk=plan.pk).update(review_on=timezone.localdate())
    html = web_a.get(dashboard).content.decode()
    assert 'id="plans-due"' in html
    assert reverse("risk:plan", args=[plan.pk]) in html


def test_the_map_shades_the_supply_base_with_a_table(web_a, member_a, org_a):
    FacilityFactory.create(organisation=org_a, country_id="CD")
    cahra = EditionFactory.create(kind="cahra", edition_date=date(2026, 6, 30))
    ConflictAreaFactory.create(edition=cahra, country_code="CD", region_code="CD-NK")
    response = web_a.get(reverse("risk:map"))
    html = response.content.decode()
    assert response.status_code == 200
    count, problems = svg_number_problems(html)
    assert count >= 1
    assert problems == []
    assert 'data-country="CD" data-level="high"' in html
    assert "CD-NK" in html  # the region, in the table
    with translation.override("fr"):
        french = web_a.get(reverse("risk:map"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<title>Inde</title>" in french  # the outlines' names in the reader's language
    assert "<title>India</title>" not in french
    assert 'id="risk-countries"' in html


def test_another_organisation_sees_nothing(web_b, entry, plan):
    for url in (
        reverse("risk:entry", args=[entry.pk]),
        reverse("risk:plan", args=[plan.pk]),
        reverse("risk:plan_new", args=[entry.pk]),
    ):
        assert web_b.get(url).status_code == 404
    assert (
        "Children at the collection point"
        not in web_b.get(reverse("risk:register")).content.decode()
    )
    assert "Koderma" not in web_b.get(reverse("risk:map")).content.decode()


def test_a_viewer_reads_but_cannot_write(viewer_a, entry, plan):
    client = web_client(viewer_a)
    assert client.get(reverse("risk:plan", args=[plan.pk])).status_code == 200
    response = client.post(reverse("risk:plan", args=[plan.pk]), {"do": "close"})
    assert response.status_code == 403
    assert "keep the risk register" in response.content.decode()


def test_the_menu_marks_the_register_or_the_risk_data_not_both(web_a, plan):
    register = reverse("risk:register")
    editions = reverse("risk:editions")
    for url, current in ((register, register), (reverse("risk:plan", args=[plan.pk]), register)):
        html = web_a.get(url).content.decode()
        assert f'<a href="{current}" aria-current="page">' in html
        assert f'<a href="{editions}" aria-current="page">' not in html
    html = web_a.get(editions).content.decode()
    assert f'<a href="{editions}" aria-current="page">' in html
    assert f'<a href="{register}" aria-current="page">' not in html
