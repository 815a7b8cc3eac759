"""Supplier declarations in a real Chromium against `oretrace serve` + `oretrace worker`: upload
a real CMRT, watch the import job, open the declaration and its red flags, resolve its unknown
smelter in the review queue, and see the row linked.

Needs the real supplier files in ../shared/data (skips when absent).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

FILLED = Path(__file__).resolve().parents[3] / "shared" / "data" / "rmi-templates" / "filled"
JOB_TIMEOUT_MS = 120_000


def _merck() -> Path:
    found = sorted(FILLED.glob("*Merck*.xlsx")) if FILLED.is_dir() else []
    if not found:
        pytest.skip(f"the real supplier CMRTs are not present in {FILLED}")
    return found[0]


def test_upload_a_cmrt_flags_and_review(
    open_session: Callable[[str], Any], artifacts: Path
) -> None:
    from playwright.sync_api import expect

    path = _merck()
    session = open_session("compliance")
    page = session.page
    session.log_in("compliance@aurelia.example")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Declarations").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Supplier declarations")
    page.locator("#files").set_input_files(str(path))
    page.get_by_role("button", name="Import").click()

    # The batch page follows the worker's job live (htmx polling) until the file is imported.
    expect(page.get_by_role("heading", level=1)).to_have_text("Declaration import")
    files = page.locator("#batch-files")
    expect(files.locator("tbody tr").first).to_contain_text("imported", timeout=JOB_TIMEOUT_MS)
    expect(files.locator(".status")).to_have_text("Succeeded", timeout=JOB_TIMEOUT_MS)
    page.screenshot(path=artifacts / "declaration-import.png", full_page=True)

    page.get_by_role("link", name=path.name).click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("CMRT 6.4")
    flags = page.locator("#flags + ul")
    expect(flags).to_contain_text("not a known smelter or refiner")
    row = page.locator("#smelters ~ table tbody tr").first
    expect(row).to_contain_text("not in the registry")
    page.screenshot(path=artifacts / "declaration-detail.png", full_page=True)
    declaration_url = page.url

    row.get_by_role("link", name="not in the registry: review").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Review queue")
    item = page.locator("article.review").filter(has_text=path.name).first
    expect(item).to_be_visible()
    country = item.locator("input[name=country]")
    if not country.input_value():
        country.fill("US")
    item.get_by_role("button", name="Record as a new facility").click()
    expect(page.locator("ul.messages")).to_contain_text("New facility recorded.")

    page.goto(declaration_url)
    row = page.locator("#smelters ~ table tbody tr").first
    expect(row.locator("td").nth(5).get_by_role("link")).to_be_visible()
    expect(row).not_to_contain_text("not in the registry")
    page.screenshot(path=artifacts / "declaration-resolved.png", full_page=True)
    assert session.console_errors == [], f"console errors: {session.console_errors}"


def test_rollup_of_the_demo_with_its_chart(
    open_session: Callable[[str], Any], artifacts: Path
) -> None:
    from playwright.sync_api import expect

    session = open_session(
        "brightline", as_user="compliance@brightline.example", at="/declarations/"
    )
    page = session.page
    expect(page.locator("table")).to_contain_text("Kestrel Capacitor Works Ltd.")
    page.screenshot(path=artifacts / "declarations-list.png", full_page=True)
    page.get_by_role("link", name="Roll-up").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Your CMRT for")
    chart = page.get_by_role("img", name="Smelters per mineral: conformant and not conformant")
    expect(chart).to_be_visible()
    expect(page.locator(".figures")).to_contain_text("60 %")
    expect(page.locator("table").last).to_contain_text("Rio Claro Tantalum Refinery")
    page.screenshot(path=artifacts / "declarations-rollup.png", full_page=True)
    assert session.console_errors == [], f"console errors: {session.console_errors}"

    # Download the roll-up written into the user's own blank template, and read it back.
    blank = FILLED.parent / "blank" / "RMI_CMRT_6.5.xlsx"
    if not blank.exists():
        pytest.skip(f"{blank} is not present")
    form = page.locator("#export")
    form.locator("#blank").set_input_files(str(blank))
    form.locator("#contact_name").fill("Dana Whitfield")
    form.get_by_role("button", name="Fill the template").click()
    # the worker fills it: the job's page shows the progress, then the download
    result = page.get_by_role("link", name="Open the result")
    expect(result).to_be_visible(timeout=60_000)
    expect(page.locator("#job-status")).to_contain_text("ready to download")
    page.screenshot(path=artifacts / "declarations-rollup-export-job.png", full_page=True)
    with page.expect_download() as download:
        result.click()
    saved = artifacts / "rollup-export.xlsx"
    download.value.save_as(saved)
    from oretrace.declarations.rmi import parse_template

    exported = parse_template(saved.read_bytes(), saved.name)
    assert exported.family == "CMRT"
    assert exported.version == "6.5"
    assert exported.company.name == "Brightline Devices Inc."
    assert {s.smelter_name for s in exported.smelters} >= {"Rio Claro Tantalum Refinery"}
