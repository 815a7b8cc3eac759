"""A campaign end to end in a real Chromium: the compliance officer opens a campaign, the worker
e-mails the link (the console mail backend writes it to the worker's log), a supplier with no
account uploads a real CMRT through it and sees its checker errors by cell, and the officer sees
the supplier's status and the response rate.

Run with ``ORETRACE_BROWSER_TESTS=1 .venv/bin/pytest -m browser tests/browser``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from browser.conftest import RESPOND_PATH, mail_link

pytestmark = pytest.mark.browser


def test_a_supplier_answers_through_its_link(
    open_session: Callable[[str], Any], artifacts: Path, shared_data: Path
) -> None:
    from playwright.sync_api import expect

    officer = open_session(
        "officer", as_user="compliance@brightline.example", at="/declarations/campaigns/"
    )
    page = officer.page
    # The demo's campaign, with the declarations received before it recorded as answers.
    page.get_by_role("link", name=re.compile(r"^CMRT \d{4} supplier survey$")).click()
    expect(page.locator("dl.figures")).to_contain_text("60 %")
    expect(page.locator("table")).to_contain_text("Declined")
    officer.goto("/declarations/campaigns/")

    worker_log = officer.stack.data_dir / "worker.log"
    mark = len(worker_log.read_text(errors="replace"))
    page.get_by_label("Name", exact=True).fill("Browser CMRT 2024")
    page.get_by_label("Template").select_option("CMRT")
    page.get_by_label("Reporting year").fill("2024")
    page.get_by_label("Every supplier with an e-mail address").uncheck()
    page.get_by_label("Sunda Solder Alloys Sdn. Bhd.").check()
    page.get_by_role("button", name="Open the campaign and send the e-mails").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Browser CMRT 2024")
    expect(page.locator("table")).to_contain_text("Requested")

    path = mail_link(worker_log, "compliance@sunda-solder.example", mark, RESPOND_PATH)

    supplier = open_session("supplier")  # its own cookies: no account, not logged in
    spage = supplier.page
    supplier.goto(path)
    expect(spage.get_by_role("heading", level=1)).to_contain_text("Brightline Devices")
    expect(spage.locator("dl.details")).to_contain_text("Sunda Solder Alloys Sdn. Bhd.")
    expect(spage.locator("header .who")).to_have_count(0)
    (cmrt,) = [p for p in (shared_data / "rmi-templates" / "filled").iterdir() if "PKG" in p.name]
    spage.locator("input[name=files]").set_input_files(str(cmrt))
    spage.get_by_role("button", name="Send").click()
    # The file is checked by the worker, never in the web process: the page says so and
    # refreshes itself until the file's outcome stands in its history.
    history = spage.locator("table")
    expect(history).to_contain_text("received: 8 checker errors", timeout=90_000)
    expect(spage.locator("main")).to_contain_text("Declaration!D8")
    spage.screenshot(path=artifacts / "campaign-respond.png", full_page=True)
    assert supplier.csp_violations() == []
    assert supplier.console_errors == [], supplier.console_errors

    page.reload()
    expect(page.locator("table")).to_contain_text("Needs correction")
    expect(page.locator("dl.figures")).to_contain_text("100 %")
    expect(page.locator("figure svg rect").first).to_be_visible()
    page.screenshot(path=artifacts / "campaign-tracking.png", full_page=True)
    assert officer.csp_violations() == []
