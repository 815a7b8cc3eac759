"""Formalisation and training in a real Chromium (issue 21 §3, §7), on a 390 px phone.

The Mica Workplace Initiative's case worker opens the programme's formalisation figures, finds
the Dhorkola collection centre's licence expired (read from its date), records the renewal and
sees the figure and the registry's facility page follow. Giridih Mica Processing's supplier
sees the initiative's session to come under its improvement action on LAB.6 and asks to send
three people; the case worker sees the request on the session's page and accepts it.

Run with ``ORETRACE_BROWSER_TESTS=1 .venv/bin/pytest -m browser
tests/browser/test_programme_support.py``. Screenshots: ``artifacts/programme-licence*.png``,
``artifacts/programme-training*.png``.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from browser.conftest import assert_fits

pytestmark = pytest.mark.browser

CASE_WORKER = "cases@initiative.example"
SUPPLIER = "supplier@giridih.example"
PROGRAMME = "Child-labour-free mica villages, Koderma and Giridih"


def _assessment_with_open_action(database: Path, code: str) -> int:
    with sqlite3.connect(database) as db:
        row = db.execute(
            "SELECT a.assessment_id FROM assessments_improvementaction a "
            "JOIN assessments_criterion c ON c.id = a.criterion_id "
            "WHERE c.code = ? AND a.status != 'done' ORDER BY a.id",
            [code],
        ).fetchone()
    assert row is not None, f"the demo has no open improvement action on {code}"
    return int(row[0])


def test_licences_and_training_on_a_phone(
    oretrace_stack: Any, open_session: Callable[..., Any], artifacts: Path
) -> None:
    from playwright.sync_api import expect

    worker = open_session("case-worker", as_user=CASE_WORKER, phone=True)
    page = worker.page
    worker.goto("/programmes/")
    page.get_by_role("link", name=PROGRAMME).click()
    page.get_by_role("link", name="Formalisation: licensed mines and collection points").click()
    figures = page.locator("table tbody tr").first
    expect(figures).to_contain_text("33.3")  # one of three licensed today
    assert_fits(page, "the formalisation page")
    page.screenshot(path=artifacts / "programme-licences.png", full_page=True)

    page.get_by_role("link", name="Dhorkola Mica Collection Centre").click()
    expect(page.locator(".licence")).to_contain_text("Expired")
    today = datetime.now(UTC).date() - timedelta(days=1)  # whatever the server's time zone
    page.get_by_label("Status").select_option("granted")
    page.get_by_label("Since").fill(today.isoformat())
    page.get_by_label("Expires").fill((today + timedelta(days=3 * 365)).isoformat())
    page.get_by_label("Issuing authority").fill("District Mining Office, Koderma")
    page.get_by_label("Licence number").fill("JH/KOD/MC/2026/088")
    page.get_by_role("button", name="Record").click()
    expect(page.locator(".licence")).to_contain_text("Granted")
    expect(page.locator("table")).to_contain_text("JH/KOD/MC/2026/088")
    assert_fits(page, "the licence page")
    page.screenshot(path=artifacts / "programme-licence.png", full_page=True)
    page.get_by_role("link", name="Dhorkola Mica Collection Centre").first.click()  # the registry
    expect(page.locator("p.licence")).to_contain_text("JH/KOD/MC/2026/088")
    page.screenshot(path=artifacts / "programme-licence-registry.png", full_page=True)

    # the supplier asks to join the session offered on its improvement action on LAB.6
    database = oretrace_stack.data_dir / "oretrace.sqlite3"
    assessment = _assessment_with_open_action(database, "LAB.6")
    supplier = open_session("supplier", as_user=SUPPLIER, phone=True)
    offered = supplier.page
    supplier.goto(f"/assessments/{assessment}/")
    offer = offered.locator(".training-offers", has_text="Mica dust, masks and first aid").first
    expect(offer).to_be_visible()
    offer.get_by_label("How many people").fill("3")
    offer.get_by_role("button", name="Ask to join").click()
    expect(offered.locator("h1")).to_have_text("Mica dust, masks and first aid")
    expect(offered.locator("main")).to_contain_text("Waiting for an answer")
    assert_fits(offered, "the session page (supplier)")

    # the organiser sees it and accepts
    worker.goto("/programmes/trainings/")
    page.get_by_role("link", name="Mica dust, masks and first aid").click()
    expect(page.locator("main")).to_contain_text("Giridih")
    page.get_by_role("button", name="Accept").click()
    expect(page.locator("main")).to_contain_text("Accepted")
    assert_fits(page, "the session page")
    page.screenshot(path=artifacts / "programme-training.png", full_page=True)
    worker.goto("/programmes/")
    page.get_by_role("link", name=PROGRAMME).click()
    page.get_by_role("link", name="Training: people trained").click()
    expect(page.locator("table tbody tr").first).to_contain_text("30")
    page.screenshot(path=artifacts / "programme-training-figures.png", full_page=True)
