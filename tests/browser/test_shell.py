"""The web shell in a real Chromium against `oretrace serve` + `oretrace worker` with the demo data.

Run with ``ORETRACE_BROWSER_TESTS=1 .venv/bin/pytest -m browser tests/browser`` (``.ci/run``
does); screenshots land in ``artifacts/``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

pytestmark = pytest.mark.browser

JOB_TIMEOUT_MS = 120_000  # the worker polls every second; the reload itself takes seconds


def _heading(session: Any) -> object:
    return session.page.get_by_role("heading", level=1)


def _assert_no_csp_errors(session: Any, where: str) -> None:
    csp_console = [
        e
        for e in session.console_errors
        if re.search(r"content[ -]security[ -]policy", e, re.IGNORECASE)
    ]
    assert not csp_console, f"CSP errors in the console on {where}: {csp_console}"
    assert session.csp_violations() == [], f"CSP violations on {where}"


def test_dashboard_switcher_and_jobs_page(
    open_session: Callable[[str], Any], artifacts: Path
) -> None:
    from playwright.sync_api import expect

    session = open_session("compliance", as_user="compliance@aurelia.example")
    page = session.page

    expect(page).to_have_url(session.stack.url("/"))
    expect(_heading(session)).to_contain_text("Aurelia")
    expect(page).to_have_title(re.compile(r"^Dashboard · oretrace$"))
    # htmx is loaded with the CSP nonce: if the policy blocked it, it would not be defined.
    page.wait_for_function("() => window.htmx !== undefined")
    expect(page.locator("dl.figures")).to_contain_text("Active members")
    page.screenshot(path=artifacts / "dashboard.png", full_page=True)
    _assert_no_csp_errors(session, "the dashboard")
    assert session.console_errors == [], f"console errors: {session.console_errors}"

    switcher = page.locator("#switch-org")
    expect(switcher.locator("option:checked")).to_have_text("Aurelia Motors")
    switcher.select_option(label="Lackwerk Coatings")
    page.get_by_role("button", name="Switch").click()
    expect(_heading(session)).to_have_text("Lackwerk Coatings")
    expect(page.locator("ul.messages")).to_contain_text("You are now working as Lackwerk Coatings.")
    expect(page.locator("#switch-org option:checked")).to_have_text("Lackwerk Coatings")

    page.get_by_role("navigation", name="Main").get_by_role("link", name="Jobs").click()
    expect(page).to_have_url(session.stack.url("/jobs/"))
    expect(_heading(session)).to_have_text("Jobs")
    expect(page.get_by_role("link", name="Jobs", exact=True)).to_have_attribute(
        "aria-current", "page"
    )
    # Reloading the catalogues needs the administrator role, which this user does not have here.
    expect(page.locator("option", has_text="Reload reference catalogues")).to_have_count(0)
    # The switch is kept in the session: the jobs page still acts as Lackwerk.
    expect(page.locator("#switch-org option:checked")).to_have_text("Lackwerk Coatings")
    _assert_no_csp_errors(session, "the jobs page")


def test_admin_runs_reference_reload_job(
    open_session: Callable[[str], Any], artifacts: Path
) -> None:
    from playwright.sync_api import expect

    session = open_session("admin", as_user="admin@aurelia.example")
    page = session.page
    expect(_heading(session)).to_contain_text("Aurelia")

    session.goto("/jobs/")
    expect(_heading(session)).to_have_text("Jobs")
    page.get_by_label("Start a job").select_option(label="Reload reference catalogues")
    polls: list[str] = []
    page.on(
        "request",
        lambda req: polls.append(req.url) if req.headers.get("hx-request") == "true" else None,
    )
    page.get_by_role("button", name="Start", exact=True).click()

    expect(page).to_have_url(re.compile(re.escape(session.stack.url("/jobs/")) + r"\d+/$"))
    expect(_heading(session)).to_have_text("Reload reference catalogues")
    status = page.locator("#job-status .status")
    first_status = status.inner_text()
    # The real worker process runs the job; the page follows it by polling with htmx.
    expect(status).to_have_text("Succeeded", timeout=JOB_TIMEOUT_MS)
    job_status = page.locator("#job-status")
    expect(job_status).to_contain_text("100 %")
    expect(job_status).to_contain_text("Reload reference catalogues")  # the kind, by its label
    expect(job_status).to_contain_text("admin@aurelia.example")
    expect(job_status.locator("ol.log")).to_contain_text("minerals and metals")
    expect(job_status.get_by_role("link", name="Open the result")).to_have_attribute(
        "href", "/reference/"
    )
    expect(job_status.get_by_role("button", name="Cancel this job")).to_have_count(0)
    if first_status != "Succeeded":
        assert polls, f"the page never polled the job (status was {first_status!r} at first)"
    page.screenshot(path=artifacts / "job-detail.png", full_page=True)
    _assert_no_csp_errors(session, "the job page")

    page.get_by_role("link", name="All jobs").click()
    expect(_heading(session)).to_have_text("Jobs")
    row = page.locator("#job-table tbody tr").first
    expect(row).to_contain_text("Reload reference catalogues")
    expect(row.locator(".status")).to_have_text("Succeeded")
    page.screenshot(path=artifacts / "jobs.png", full_page=True)
    _assert_no_csp_errors(session, "the jobs page")
    assert session.console_errors == [], f"console errors: {session.console_errors}"


def test_api_docs_render_from_local_assets(
    open_session: Callable[[str], Any], artifacts: Path
) -> None:
    from playwright.sync_api import expect

    session = open_session("docs")
    page = session.page
    outside: list[str] = []
    page.on(
        "request",
        lambda req: (
            outside.append(req.url)
            if not req.url.startswith(session.stack.url("/")) and not req.url.startswith("data:")
            else None
        ),
    )
    session.log_in("viewer@aurelia.example")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="API docs").click()
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("oretrace API")
    expect(page.locator(".opblock-summary-path").first).to_be_visible()
    page.screenshot(path=artifacts / "api-docs.png", full_page=False)
    assert outside == [], f"the docs page loaded from elsewhere: {outside}"
    _assert_no_csp_errors(session, "the API docs page")
