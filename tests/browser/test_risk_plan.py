"""A Step-3 plan in a real Chromium (issue 18, "Done means"): Brightline's compliance officer
sees a supplier's high (or extreme) risk score, opens its breakdown, puts the risk on the
register from there and adopts a Step-3 plan whose review is six months after the decision;
a review date one day later is refused on its field. The plan is dated as decided six months
ago (the stack's clock cannot be moved, so the date is set instead): its review falls due
today, and the dashboard shows it with a link to the plan. The risk map then shades the
supplier's country, with its table, on a phone.

Run with ``ORETRACE_BROWSER_TESTS=1 .venv/bin/pytest -m browser tests/browser/test_risk_plan.py``.
Screenshots: ``artifacts/risk-*.png``.
"""

from __future__ import annotations

import calendar
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from browser.conftest import PHONE, assert_fits

pytestmark = pytest.mark.browser

OFFICER = "compliance@brightline.example"
HIGH_LEVELS = ("high", "extreme")


def _months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    return date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def _today(page: Any) -> date:
    """The server's today, as the plan form offers it (its decision date's default)."""
    return date.fromisoformat(page.locator("#id_decided_on").input_value())


def test_a_compliance_officer_plans_a_suppliers_high_risk_and_sees_it_fall_due(
    open_session: Callable[..., Any], artifacts: Path
) -> None:
    from playwright.sync_api import expect

    officer = open_session("risk-plan", as_user=OFFICER)
    page = officer.page

    # A supplier's high risk: the latest scores of suppliers, highest first (the demo's top
    # suppliers are "extreme", the highest of the methodology's levels above "high").
    officer.goto("/risk/scores/?subject=supplier")
    rows = page.locator("table tbody tr")
    expect(rows.first).to_be_visible()
    level_class = rows.first.locator(".score").get_attribute("class") or ""
    level = level_class.rsplit("level-", 1)[-1]
    assert level in HIGH_LEVELS, f"the riskiest supplier's level is {level!r}"
    supplier = rows.first.locator("td").first.locator("a").inner_text()
    rows.first.locator("td").first.locator("a").click()
    expect(page.locator("h1")).to_contain_text(supplier)
    page.screenshot(path=artifacts / "risk-supplier-score.png", full_page=True)

    # Its breakdown: every contribution, adding up to the total.
    page.get_by_role("link", name="Why this score").click()
    expect(page.locator("table.breakdown")).to_be_visible()
    expect(page.locator("table.breakdown tbody tr").first).to_be_visible()
    page.screenshot(path=artifacts / "risk-breakdown.png", full_page=True)

    # Onto the register, from the score.
    page.locator("#score-to-register").click()
    expect(page.locator("h1")).to_have_text("Record a risk")
    expect(page.locator("#id_origin")).to_have_value("score")
    expect(page.locator("#id_level")).to_have_value(level)
    page.get_by_label("Title").fill(f"High risk score of {supplier}")
    page.locator("#id_category").select_option("armed_groups")
    # identified six months ago (the plan below is dated then: see the docstring)
    page.get_by_label("Identified on").fill(_months_before(date.today(), 6).isoformat())  # noqa: DTZ011
    page.get_by_role("button", name="Record the risk").click()
    expect(page.locator("#entry-status")).to_have_text("Open")
    expect(page.locator("main")).to_contain_text("score #")

    # The Step-3 plan: a review one day past six months is refused on its field.
    page.get_by_role("link", name="Create a Step-3 plan").click()
    today = _today(page)
    decided = _months_before(today, 6)
    page.locator("#id_strategy").select_option("mitigate")
    page.locator("#id_decided_on").fill(decided.isoformat())
    page.locator("#id_review_on").fill(date.fromordinal(today.toordinal() + 1).isoformat())
    page.get_by_label("First measure").fill("Ask for the smelters' RMAP audit reports")
    page.locator("#id_owner").select_option(index=1)
    page.locator("#id_due_on").fill(today.isoformat())
    page.get_by_label("First indicator").fill("Tin from conformant smelters")
    page.get_by_label("Target").fill("100")
    page.get_by_label("Unit").fill("%")
    page.get_by_role("button", name="Adopt the plan").click()
    error = page.locator("#id_review_on ~ .field-error")
    expect(error).to_contain_text("at most six months after the decision")
    expect(error).to_contain_text(f"{today.isoformat()} at the latest")
    page.screenshot(path=artifacts / "risk-plan-refused.png", full_page=True)

    # Six months exactly: adopted, the risk is managed, the review is due today.
    page.locator("#id_review_on").fill(today.isoformat())
    page.get_by_role("button", name="Adopt the plan").click()
    expect(page.locator("#plan-strategy")).to_have_text("Continue trading while mitigating")
    expect(page.locator("#plan-review")).to_contain_text(today.isoformat())
    expect(page.locator("#plan-review")).to_contain_text("due for review")
    plan_path = page.url.removeprefix(officer.stack.base_url)
    page.screenshot(path=artifacts / "risk-plan.png", full_page=True)

    # The dashboard lists it among the plans due for review, with a link to it.
    officer.goto("/")
    due = page.locator("#plans-due")
    expect(due).to_be_visible()
    link = due.locator(f'a[href="{plan_path}"]')
    expect(link).to_contain_text(f"High risk score of {supplier}")
    page.screenshot(path=artifacts / "risk-dashboard-due.png", full_page=True)
    link.click()
    expect(page.locator("#form-review")).to_have_attribute("open", "")

    # The register: the new risk, managed, with its next review; the trends below it.
    officer.goto("/risk/register/")
    expect(page.locator("main table").first).to_contain_text(f"High risk score of {supplier}")
    page.screenshot(path=artifacts / "risk-register.png", full_page=True)

    # The map of the supply base, on a phone: shaded countries and the table beside them.
    page.set_viewport_size(PHONE)
    officer.goto("/risk/map/")
    expect(page.locator("svg path[data-level]").first).to_be_attached()
    expect(page.locator("#risk-countries tbody tr").first).to_be_visible()
    assert_fits(page, "the map page on a phone")
    page.screenshot(path=artifacts / "risk-map-phone.png", full_page=True)
    assert officer.csp_violations() == []
    # the refused plan form answered 400 on purpose; nothing else may complain
    unexpected = [e for e in officer.console_errors if "status of 400" not in e]
    assert unexpected == [], officer.console_errors
