"""Community programmes in a real Chromium (issue 21): on a 390 px phone, the Mica Workplace
Initiative's case worker records a monitoring visit in a Koderma village and sees its trend,
opens a child's case (the name shows, and the opening is listed) and records the assessment.
The database then holds no child's name in clear (every text column of every table).

Run with ``ORETRACE_BROWSER_TESTS=1 .venv/bin/pytest -m browser tests/browser/test_programmes.py``.
Screenshots: ``artifacts/programme-*.png``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from browser.conftest import assert_fits, tables_holding

pytestmark = pytest.mark.browser

CASE_WORKER = "cases@initiative.example"


def test_a_case_worker_monitors_a_village_and_handles_a_case_on_a_phone(
    oretrace_stack: Any, open_session: Callable[..., Any], artifacts: Path
) -> None:
    from playwright.sync_api import expect

    worker = open_session("case-worker", as_user=CASE_WORKER, phone=True)
    page = worker.page
    worker.goto("/programmes/")
    page.get_by_role("link", name="Child-labour-free mica villages, Koderma and Giridih").click()
    expect(page.locator("figure.trend").first).to_be_visible()
    page.get_by_role("link", name="Dhorkola").first.click()
    expect(page.locator("h1")).to_have_text("Dhorkola")
    trend = page.locator("figure.trend").first
    before = trend.locator("circle").count()
    page.get_by_label("Children aged 6–14 enrolled in school (%)").fill("91")  # noqa: RUF001
    page.get_by_label("Evidence").fill("Register of the Dhorkola primary school, page 12")
    page.get_by_role("button", name="Record the visit").click()
    expect(page.locator("h1")).to_have_text("Dhorkola")
    expect(page.get_by_text("Register of the Dhorkola primary school, page 12")).to_be_visible()
    assert page.locator("figure.trend").first.locator("circle").count() == before + 1
    assert_fits(page, "the village page")
    page.screenshot(path=artifacts / "programme-village.png", full_page=True)

    page.get_by_role("link", name="Child-labour-free mica villages, Koderma and Giridih").click()
    page.get_by_role("link", name="Children's cases").click()
    # the demo's cases (relative to today) include follow-up visits past their due day
    expect(page.locator(".badges")).to_contain_text(re.compile(r"\d+ cases? with a visit overdue"))
    assert "Demo child" not in page.content()  # the list shows references only
    assert_fits(page, "the case list")
    page.screenshot(path=artifacts / "programme-cases.png", full_page=True)
    row = page.locator("table tbody tr", has_text="Identified").first
    reference = row.locator("a").inner_text()
    row.locator("a").click()
    expect(page.locator("h1")).to_contain_text(reference)
    expect(page.locator("dl.facts")).to_contain_text("Demo child ")  # the case worker sees who
    page.get_by_role("button", name="Record the assessment").click()
    expect(page.locator("h1")).to_contain_text("Assessed")
    expect(page.locator("main")).to_contain_text("Ritu Mahato")  # the openings are listed
    assert_fits(page, "the case page")
    page.screenshot(path=artifacts / "programme-case.png", full_page=True)

    page.get_by_role("link", name="Children's cases").first.click()
    page.get_by_role("link", name="Child-labour-free mica villages, Koderma and Giridih").click()
    page.get_by_role("link", name="Indicators computed from the cases").click()
    expect(page.locator("table")).to_contain_text("Whole programme")
    assert "Demo child" not in page.content()
    page.screenshot(path=artifacts / "programme-indicators.png", full_page=True)

    assert tables_holding(oretrace_stack.data_dir / "oretrace.sqlite3", "Demo child") == []
    assert worker.console_errors == []
    assert worker.csp_violations() == []
